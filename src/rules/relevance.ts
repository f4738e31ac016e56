import type { Field, FieldType, Section, ShowIf } from '../templates/definition.schema.js';

/**
 * Relevance: whether a field is shown (`showIf`). One rule, used by the builder's preview, the fill
 * page, the API and the worker's projection alike:
 *
 * 1. A field is shown when the field it depends on is itself shown and holds one of the values of
 *    the condition (`equals`, or any of `in`). A dependency that is hidden holds nothing.
 * 2. An untouched checkbox is not ticked: a `boolean` dependency with no answer (absent or null)
 *    reads as `false`, so "show when X is not ticked" holds before anyone touches X.
 * 3. Values compare as the dependency's type stores them: numbers numerically (`"3"`, `3` and
 *    `3.0` are equal), checkboxes as yes/no (`true` and `"true"` are equal), everything else as
 *    text (`3` equals `"3"`). An empty answer (absent, null, "") matches no value.
 *
 * Required-ness follows: a required field that is not shown is not required, and the worker stores
 * NULL for it whatever the payload holds.
 */

type Canonical = string | undefined;

/** A value as the dependency's type compares it (rule 3), or undefined for "no answer". */
export function canonical(type: FieldType, value: unknown): Canonical {
  if (value === undefined || value === null || value === '') return undefined;
  if (type === 'boolean') {
    if (value === true || value === 'true') return 'true';
    if (value === false || value === 'false') return 'false';
    return undefined;
  }
  if (type === 'integer' || type === 'decimal') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    return Number.isFinite(n) ? String(n) : undefined;
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** Whether a dependency of this type, holding `actual`, satisfies the condition (rules 2 and 3). */
export function conditionHolds(showIf: ShowIf, type: FieldType, actual: unknown): boolean {
  const value = canonical(type, type === 'boolean' ? (actual ?? false) : actual);
  if (value === undefined) return false;
  const expected = showIf.in ?? (showIf.equals !== undefined ? [showIf.equals] : []);
  return expected.some((e) => canonical(type, e) === value);
}

/** Reads a section's value of a field: by key in an answer, by id in the builder's preview. */
export type ReadValue = (field: Field) => unknown;

/**
 * The relevance of one section, compiled once: given a way to read its values, the ids of the
 * fields that are shown. Linear in the number of fields (each field is decided once).
 */
export function compileRelevance(section: Section): (read: ReadValue) => Set<string> {
  const byId = new Map(section.fields.map((f) => [f.id, f]));
  const conditional = section.fields.some((f) => f.showIf);
  const all = new Set(section.fields.map((f) => f.id));
  if (!conditional) return () => all;
  return (read) => {
    const memo = new Map<string, boolean>();
    const shown = (field: Field, depth: number): boolean => {
      const known = memo.get(field.id);
      if (known !== undefined) return known;
      let result = true;
      if (field.showIf) {
        const target = byId.get(field.showIf.field);
        // depth bounds a cycle: publishing refuses cycles, the builder may hold one for a moment.
        result = !!target && depth < 100 && shown(target, depth + 1) && conditionHolds(field.showIf, target.type, read(target));
      }
      memo.set(field.id, result);
      return result;
    };
    return new Set(section.fields.filter((f) => shown(f, 0)).map((f) => f.id));
  };
}
