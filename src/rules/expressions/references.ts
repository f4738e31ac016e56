import type { Catalog, CatalogField, CatalogSection } from './catalog.js';

/**
 * What a reference names, in the context of its expression (section S, and table T for a rule of
 * one of T's columns):
 * - `${key}`: outside a table, the field `key` of S; inside T, the column `key` of the same row.
 * - `${a.b}`: when S has a table `a`, the list of column `b` over all its rows (inside T too, so a
 *   row can be compared with its table's total); otherwise the field `b` of section `a`. A table
 *   of S is the nearer name: it wins over a section with the same key.
 * - `${s.t.c}`: the list of column `c` over all rows of table `t` of section `s`.
 * Keys are looked up in Maps, never as object properties: `constructor` and `__proto__` are keys
 * like any other.
 */
export type Resolution = { mode: 'field' | 'row' | 'column'; field: CatalogField } | { problem: string };

const ref = (...parts: string[]) => `\${${parts.join('.')}}`;

function columnList(
  section: CatalogSection,
  tableKey: string,
  column: string,
  written: string[],
  catalog: Catalog,
  context: Context,
): Resolution {
  const table = section.tables.get(tableKey)!;
  const field = table.columns.get(column);
  if (!field) return { problem: `table ${tableKey} has no column ${column}${suggest(catalog, context, written)}` };
  if (field.type.list)
    return {
      problem: `column ${column} holds lists (${field.fieldType}) and cannot be read over all rows; count(), selected() and sum() take a single list`,
    };
  return { mode: 'column', field };
}

interface Context {
  section: string;
  table?: string;
  quiet?: boolean;
}

/** `suggestions`: whether to look for near keys (false once an expression has many problems). */
export function resolveReference(catalog: Catalog, context: Context, parts: string[], suggestions = true): Resolution {
  if (!suggestions) context = { ...context, quiet: true };
  const section = catalog.sections.get(context.section);
  if (!section) return { problem: `the expression's section ${context.section} is not in this definition` };
  const [a, b, c] = parts as [string, string | undefined, string | undefined];
  if (b === undefined) {
    if (context.table !== undefined) {
      const table = section.tables.get(context.table);
      if (!table) return { problem: `the expression's table ${context.table} is not in section ${section.key}` };
      const column = table.columns.get(a);
      if (column) return { mode: 'row', field: column };
      const outside = section.fields.has(a)
        ? `; the question of section ${section.key} is ${ref(section.key, a)}`
        : suggest(catalog, context, parts);
      return { problem: `table ${table.key} has no column ${a}${outside}` };
    }
    const field = section.fields.get(a);
    if (field) return { mode: 'field', field };
    if (section.tables.has(a))
      return {
        problem: `${a} is a table: name one of its columns, like ${ref(a, section.tables.get(a)!.columns.keys().next().value ?? 'column')}`,
      };
    return { problem: `section ${section.key} has no question ${a}${suggest(catalog, context, parts)}` };
  }
  if (c === undefined) {
    if (section.tables.has(a)) return columnList(section, a, b, parts, catalog, context);
    const other = catalog.sections.get(a);
    if (!other) return { problem: `there is no section or table ${a}${suggest(catalog, context, parts)}` };
    const field = other.fields.get(b);
    if (field) return { mode: 'field', field };
    if (other.tables.has(b))
      return {
        problem: `${b} is a table of section ${a}: name one of its columns, like ${ref(a, b, other.tables.get(b)!.columns.keys().next().value ?? 'column')}`,
      };
    return { problem: `section ${a} has no question ${b}${suggest(catalog, context, parts)}` };
  }
  const other = catalog.sections.get(a);
  if (!other) return { problem: `there is no section ${a}${suggest(catalog, context, parts)}` };
  if (!other.tables.has(b)) return { problem: `section ${a} has no table ${b}${suggest(catalog, context, parts)}` };
  return columnList(other, b, c, parts, catalog, context);
}

/** Edit distance, giving up past `limit` (then returns limit + 1). */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(v);
      best = Math.min(best, v);
    }
    if (best > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** Every reference that is valid in this context, as written (`key`, `section.key`, `table.column`). */
function candidates(catalog: Catalog, context: Context): string[] {
  const out: string[] = [];
  const here = catalog.sections.get(context.section);
  if (here && context.table !== undefined) out.push(...(here.tables.get(context.table)?.columns.keys() ?? []));
  // Fields an expression cannot read (a geopoint, a note) are never suggested.
  const readable = (fields: Map<string, CatalogField>) =>
    [...fields.values()].filter((f) => !f.unreadable).map((f) => f.key);
  if (here && context.table === undefined) out.push(...readable(here.fields));
  for (const section of catalog.sections.values()) {
    for (const key of readable(section.fields)) out.push(`${section.key}.${key}`);
    for (const table of section.tables.values()) {
      for (const column of table.columns.keys())
        out.push(section === here ? `${table.key}.${column}` : `${section.key}.${table.key}.${column}`);
    }
  }
  return out;
}

/** "; did you mean ${age} or ${person.age}?" for the nearest valid references, or "". */
export function suggest(catalog: Catalog, context: Context, parts: string[]): string {
  if (context.quiet) return '';
  const written = parts.join('.');
  const last = parts[parts.length - 1]!;
  const limit = Math.max(1, Math.floor(written.length / 3));
  const scored: [string, number][] = [];
  for (const candidate of candidates(catalog, context)) {
    const d = distance(written, candidate, limit);
    // The same key elsewhere (another section, a table) is as near as a typo.
    const sameKey = candidate === last || candidate.endsWith(`.${last}`);
    if (d <= limit || sameKey) scored.push([candidate, sameKey ? Math.min(d, 1) : d]);
  }
  if (!scored.length) return '';
  scored.sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]));
  const names = scored.slice(0, 3).map(([c]) => `\${${c}}`);
  return `; did you mean ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`}?`;
}
