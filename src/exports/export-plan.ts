import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import type { TableLayout, TemplateLayout } from '../templates/catalog.js';
import type { LocalizedDefinition, LocalizedField as Field } from '../templates/definition.schema.js';
import { asResultType, columnLabel, fieldColumns } from '../templates/field-types.js';
import { SYSTEM_COLUMNS, type TableNaming } from '../templates/naming.js';
import { reviewStatusLabel } from '../review/status-display.js';
import type { CellKind } from './csv.js';

/**
 * What an export contains, as SQL: the main sheet (one row per processed submission: who, when,
 * its review status, then every field of every section, labelled by the field's label) and one
 * sheet per repeating table (one row per table row). Built from the template's current layout and
 * latest definition; every name is quoted, every value a parameter.
 *
 * By default an export speaks the form's language: choices as their option labels, files by their
 * names, review statuses as the panel shows them. `values: 'codes'` gives what machines want: option
 * values, file ids, status codes.
 */

export type ExportValues = 'labels' | 'codes';
export const EXPORT_VALUES: ExportValues[] = ['labels', 'codes'];

/** Turns one stored cell into what the export shows (null: as stored). */
type Present = ((value: unknown) => unknown) | null;

export interface Sheet {
  /** File or worksheet name: `data` for the main sheet, `<section>.<table>` for repeating tables. */
  name: string;
  headers: string[];
  kinds: CellKind[];
  sql: string;
  /** Per column, how a stored value is shown (option labels); absent: every value as stored. */
  present?: Present[];
}

type Column = Pick<Field, 'type' | 'resultType' | 'options'>;

/** Option values to their labels (a value no longer among the options stays as it is). */
function presentOptions(field: Column): Present {
  if (field.type !== 'single_choice' && field.type !== 'multiple_choice') return null;
  const labels = new Map((field.options ?? []).map((o) => [o.value, o.label]));
  const one = (v: unknown) => (typeof v === 'string' ? (labels.get(v) ?? v) : v);
  return (v) => (Array.isArray(v) ? v.map(one) : one(v));
}

/** A file column as its files' names, in their order (ids when exporting codes). */
function columnExpr(field: Column, expr: string, values: ExportValues): string {
  if (values === 'codes' || field.type !== 'file') return expr;
  return `(SELECT array_agg(f.original_name ORDER BY x.ord) FROM unnest(${expr}) WITH ORDINALITY AS x(id, ord) JOIN public.files f ON f.id = x.id)`;
}

const presentAll = (present: Present[]): Present[] | undefined => (present.some(Boolean) ? present : undefined);

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

interface ExportColumn {
  label: string;
  kind: CellKind;
  expr: string;
  present: Present;
}

/**
 * The columns of `fields` that the table holds (purged ones left out): a geopoint's parts one each,
 * a note none, and beside a field the values a type change could not convert, if it kept them.
 */
function storedColumns(fields: Field[], table: TableLayout, alias: string, values: ExportValues): ExportColumn[] {
  const labels = values === 'labels';
  return fields.flatMap((field) => {
    const own = fieldColumns(field).flatMap((c): ExportColumn[] => {
      const column = table.naming.columns[c.id];
      if (!column || !table.types.has(column.name)) return [];
      const ref = `${alias}.${quoteIdent(column.name)}`;
      return c.part
        ? [{ label: columnLabel(field.label, c.part), kind: 'number', expr: ref, present: null }]
        : [
            {
              label: field.label,
              kind: kindOf(field),
              expr: columnExpr(field, ref, values),
              present: labels ? presentOptions(field) : null,
            },
          ];
    });
    const kept = quarantineOf(table, field.id);
    return kept
      ? [
          ...own,
          { label: unconvertedLabel(field.label), kind: 'text', expr: `${alias}.${quoteIdent(kept)}`, present: null },
        ]
      : own;
  });
}

/**
 * `definition` has its texts in the export's language (src/rules/language.ts `localize`): headers
 * and option labels are its labels.
 */
export function exportSheets(
  definition: LocalizedDefinition,
  layout: TemplateLayout,
  values: ExportValues = 'labels',
): Sheet[] {
  const from = ['public.submissions s', 'JOIN public.users u ON u.id = s.submitted_by'];
  const labels = values === 'labels';
  const columns: { label: string; section: string; kind: CellKind; expr: string; present: Present }[] = [];
  const sheets: Sheet[] = [];
  definition.sections.forEach((section, si) => {
    const table = layout.sections.get(section.id);
    if (!table) return;
    const alias = `t${si}`;
    from.push(
      `LEFT JOIN ${qualifiedName(layout.schema, table.name)} ${alias} ON ${alias}.${quoteIdent(SYSTEM_COLUMNS.submissionId)} = s.id`,
    );
    for (const column of storedColumns(section.fields, table, alias, values))
      columns.push({ ...column, section: section.label });
    for (const repeating of section.tables ?? []) {
      const child = layout.tables.get(repeating.id);
      if (!child) continue;
      const cols = storedColumns(repeating.columns, child, 'c', values);
      sheets.push({
        name: `${section.key}.${repeating.key}`,
        headers: ['Submission', 'Row', ...cols.map((c) => c.label)],
        kinds: ['number', 'number', ...cols.map((c) => c.kind)],
        sql: `SELECT c.${quoteIdent(SYSTEM_COLUMNS.submissionId)}, c.${quoteIdent(SYSTEM_COLUMNS.rowIndex)} + 1${cols
          .map((col) => `, ${col.expr}`)
          .join('')}
           FROM ${qualifiedName(layout.schema, child.name)} c JOIN public.submissions s ON s.id = c.${quoteIdent(SYSTEM_COLUMNS.submissionId)}
          WHERE s.template_id = $1 AND s.processing_status = 1
          ORDER BY c.${quoteIdent(SYSTEM_COLUMNS.submissionId)}, c.${quoteIdent(SYSTEM_COLUMNS.rowIndex)}`,
        present: labels ? presentAll([null, null, ...cols.map((c) => c.present)]) : undefined,
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
    present: labels
      ? presentAll([null, null, null, (v) => reviewStatusLabel(String(v)), ...columns.map((c) => c.present)])
      : undefined,
  };
  return [main, ...sheets];
}
