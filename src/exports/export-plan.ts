import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import type { TableLayout, TemplateLayout } from '../templates/catalog.js';
import type { Definition, Field } from '../templates/definition.schema.js';
import { asResultType, columnLabel, fieldColumns } from '../templates/field-types.js';
import { SYSTEM_COLUMNS, type TableNaming } from '../templates/naming.js';
import type { CellKind } from './csv.js';

/**
 * What an export contains, as SQL: the main sheet (one row per processed submission: who, when,
 * its review status, then every field of every section, labelled by the field's label) and one
 * sheet per repeating table (one row per table row). Built from the template's current layout and
 * latest definition; every name is quoted, every value a parameter.
 */

export interface Sheet {
  /** File or worksheet name: `data` for the main sheet, `<section>.<table>` for repeating tables. */
  name: string;
  headers: string[];
  kinds: CellKind[];
  sql: string;
}

/** A calculated field exports as its result type (an integer calculation is a number cell). */
export function kindOf(field: Pick<Field, 'type' | 'resultType'>): CellKind {
  switch (asResultType(field).type) {
    case 'integer':
    case 'decimal':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
    case 'datetime':
    case 'time':
      return 'date';
    case 'multiple_choice':
    case 'file':
    case 'signature':
      return 'list';
    default:
      return 'text';
  }
}

const META = {
  headers: ['Submission', 'Submitted by', 'Submitted at', 'Review status'],
  kinds: ['number', 'text', 'date', 'text'] as CellKind[],
  select: ['s.id', 'u.email', 's.submitted_at', 's.review_status'],
};

/** Labels made unique: a label used in two sections gets its section's label in front. */
function uniqueHeaders(items: { label: string; section: string }[]): string[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.label, (counts.get(item.label) ?? 0) + 1);
  return items.map((i) => ((counts.get(i.label) ?? 0) > 1 ? `${i.section}: ${i.label}` : i.label));
}

/** The column keeping a field's values that a type change could not convert, if the table has it. */
function quarantineOf(table: { naming: TableNaming; types: Map<string, string> }, fieldId: string): string | null {
  const column = table.naming.quarantine?.[fieldId];
  return column && table.types.has(column) ? column : null;
}
const unconvertedLabel = (label: string) => `${label} (unconverted)`;

/**
 * The columns of `fields` that the table holds (purged ones left out): a geopoint's parts one
 * each, a note none, and after a field the values a type change could not convert, if any.
 */
function storedColumns(fields: Field[], table: TableLayout): { label: string; kind: CellKind; name: string }[] {
  return fields.flatMap((field) => {
    const own = fieldColumns(field).flatMap((c) => {
      const column = table.naming.columns[c.id];
      if (!column || !table.types.has(column.name)) return [];
      return [{ label: columnLabel(field.label, c.part), kind: c.part ? ('number' as const) : kindOf(field), name: column.name }];
    });
    const kept = own.length ? quarantineOf(table, field.id) : null;
    return kept ? [...own, { label: unconvertedLabel(field.label), kind: 'text' as const, name: kept }] : own;
  });
}

export function exportSheets(definition: Definition, layout: TemplateLayout): Sheet[] {
  const from = ['public.submissions s', 'JOIN public.users u ON u.id = s.submitted_by'];
  const columns: { label: string; section: string; kind: CellKind; expr: string }[] = [];
  const sheets: Sheet[] = [];
  definition.sections.forEach((section, si) => {
    const table = layout.sections.get(section.id);
    if (!table) return;
    const alias = `t${si}`;
    from.push(`LEFT JOIN ${qualifiedName(layout.schema, table.name)} ${alias} ON ${alias}.${quoteIdent(SYSTEM_COLUMNS.submissionId)} = s.id`);
    for (const { label, kind, name } of storedColumns(section.fields, table)) {
      columns.push({ label, section: section.label, kind, expr: `${alias}.${quoteIdent(name)}` });
    }
    for (const repeating of section.tables ?? []) {
      const child = layout.tables.get(repeating.id);
      if (!child) continue;
      const cols = storedColumns(repeating.columns, child);
      sheets.push({
        name: `${section.key}.${repeating.key}`,
        headers: ['Submission', 'Row', ...cols.map((c) => c.label)],
        kinds: ['number', 'number', ...cols.map((c) => c.kind)],
        sql: `SELECT c.${quoteIdent(SYSTEM_COLUMNS.submissionId)}, c.${quoteIdent(SYSTEM_COLUMNS.rowIndex)} + 1${cols
          .map((col) => `, c.${quoteIdent(col.name)}`)
          .join('')}
           FROM ${qualifiedName(layout.schema, child.name)} c JOIN public.submissions s ON s.id = c.${quoteIdent(SYSTEM_COLUMNS.submissionId)}
          WHERE s.template_id = $1 AND s.processing_status = 1
          ORDER BY c.${quoteIdent(SYSTEM_COLUMNS.submissionId)}, c.${quoteIdent(SYSTEM_COLUMNS.rowIndex)}`,
      });
    }
  });
  const main: Sheet = {
    name: 'data',
    headers: [...META.headers, ...uniqueHeaders(columns)],
    kinds: [...META.kinds, ...columns.map((c) => c.kind)],
    sql: `SELECT ${[...META.select, ...columns.map((c) => c.expr)].join(', ')}
            FROM ${from.join('\n            ')}
           WHERE s.template_id = $1 AND s.processing_status = 1
           ORDER BY s.id`,
  };
  return [main, ...sheets];
}
