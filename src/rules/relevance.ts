import type { Field, FieldType, Section, ShowIf } from '../templates/definition.schema.js';
import type { CompiledExpression, ExpressionClock } from './expressions/index.js';

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
 * 4. A showIf expression (`"${age} >= 18"`) shows the field when it holds (exactly true). It reads
 *    the section as rule 1 does: a field of the section that is hidden reads as no answer. Fields
 *    of other sections read as the answer holds them.
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
    const n =
      typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    return Number.isFinite(n) ? String(n) : undefined;
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
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
export type Relevance = (read: ReadValue, answer?: unknown, clock?: ExpressionClock) => Set<string>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `expressions`: the compiled showIf expressions by field id (a field whose expression did not
 * compile, in a definition being edited, is shown). `answer`, when given, is the whole answer the
 * expressions read other sections and the section's tables from.
 */
export function compileRelevance(
  section: Section,
  expressions: ReadonlyMap<string, CompiledExpression> = new Map(),
): Relevance {
  const byId = new Map(section.fields.map((f) => [f.id, f]));
  const conditional = section.fields.some((f) => f.showIf);
  const all = new Set(section.fields.map((f) => f.id));
  if (!conditional) return () => all;
  const readsExpressions = section.fields.some((f) => typeof f.showIf === 'string' && expressions.has(f.id));
  return (read, answer, clock) => {
    const memo = new Map<string, boolean>();
    // What expressions read: this section's values as `read` gives them, less the hidden ones (rule 4).
    let values: Record<string, unknown> = {};
    let view: Record<string, unknown> = {};
    if (readsExpressions) {
      const whole = isObject(answer) ? answer : {};
      const own = whole[section.key];
      // No prototype: a key `__proto__` is a value like any other.
      values = Object.assign(Object.create(null) as Record<string, unknown>, isObject(own) ? own : {});
      for (const f of section.fields) values[f.key] = read(f);
      view = { ...whole, [section.key]: values };
    }
    const shown = (field: Field, depth: number): boolean => {
      const known = memo.get(field.id);
      if (known !== undefined) return known;
      let result = true;
      const showIf = field.showIf;
      // depth bounds a cycle: publishing refuses cycles, the builder may hold one for a moment.
      if (typeof showIf === 'string') {
        const expression = expressions.get(field.id);
        if (expression) {
          for (const id of expression.dependencies) {
            const dependency = byId.get(id);
            if (dependency && dependency.id !== field.id && (depth >= 100 || !shown(dependency, depth + 1)))
              delete values[dependency.key];
          }
          result = depth < 100 && expression.holds(view, { clock });
        }
      } else if (showIf) {
        const target = byId.get(showIf.field);
        result =
          !!target && depth < 100 && shown(target, depth + 1) && conditionHolds(showIf, target.type, read(target));
      }
      memo.set(field.id, result);
      if (!result && readsExpressions) delete values[field.key];
      return result;
    };
    const result = new Set<string>();
    for (const f of section.fields) if (shown(f, 0)) result.add(f.id);
    return result;
  };
}
