import type { Field, Section, ShowIf } from '../../../src/templates/definition.schema';

/**
 * Conditional visibility (`showIf`) in the browser, for the form a submitter fills and the
 * builder's live preview alike. Form values compare loosely (an input holds "3" for the option 3).
 */

const same = (expected: unknown, actual: unknown) =>
  expected === actual || (actual !== undefined && actual !== null && actual !== '' && String(expected) === String(actual));

export function conditionHolds(showIf: ShowIf, value: unknown): boolean {
  return showIf.in !== undefined ? showIf.in.some((v) => same(v, value)) : same(showIf.equals, value);
}

/**
 * The visible fields of a section, named as `values` names them (by field `key` in an answer, by
 * field `id` in the builder): a field shows when its dependency shows and holds the value.
 */
export function visibleFields(section: Section, values: Record<string, unknown>, by: 'key' | 'id'): Set<string> {
  const byId = new Map(section.fields.map((f) => [f.id, f]));
  const memo = new Map<string, boolean>();
  const visible = (field: Field, depth: number): boolean => {
    const known = memo.get(field.id);
    if (known !== undefined) return known;
    let result = true;
    if (field.showIf) {
      const target = byId.get(field.showIf.field);
      // An unticked checkbox reads as false: "show when X is not ticked" works before anyone touches X.
      const value = target?.type === 'boolean' ? (values[target[by]] ?? false) : target ? values[target[by]] : undefined;
      // depth bounds a cycle (the server refuses cycles; the builder may hold one for a moment).
      result = !!target && depth < 50 && visible(target, depth + 1) && conditionHolds(field.showIf, value);
    }
    memo.set(field.id, result);
    return result;
  };
  return new Set(section.fields.filter((f) => visible(f, 0)).map((f) => f[by]));
}
