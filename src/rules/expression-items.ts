import type { Definition, Field } from '../templates/definition.schema.js';
import type { ExpressionItem } from './expressions/index.js';
import type { LocalText } from './language.js';

/**
 * Every expression of a definition, each with the path the definition validator reports it at and
 * the context it reads in. One list, built here, for the validator (save and publish) and the
 * engine (the fill page, the preview, the API): both see the same expressions in the same order.
 *
 * - a field or column: `showIf` (a string), `rules.required` (a string), `expression` (calculated),
 *   `default`, `constraints[k].expression`; a column's read the same row (`${column}`);
 * - a table's constraints read the section (`${table.column}` is the list over its rows);
 * - a section's constraints read the section.
 * The object form of showIf is not an expression: relevance.ts judges it as before.
 */
export interface DefinitionItem extends ExpressionItem {
  /** The constraint's message, for a constraint. */
  message?: LocalText;
  /** For a table constraint, the table's key; for a column's rule, also set in `table`. */
  ofTable?: string;
}

function fieldItems(
  field: Field,
  path: string,
  section: string,
  table: string | undefined,
  out: DefinitionItem[],
): void {
  const base = { section, table, owner: field.id };
  if (typeof field.showIf === 'string')
    out.push({ ...base, role: 'showIf', source: field.showIf, path: `${path}.showIf` });
  if (typeof field.rules?.required === 'string')
    out.push({ ...base, role: 'required', source: field.rules.required, path: `${path}.rules.required` });
  if (field.type === 'calculated' && field.expression !== undefined)
    out.push({ ...base, role: 'calculated', source: field.expression, path: `${path}.expression` });
  if (field.default !== undefined)
    out.push({ ...base, role: 'default', source: field.default, path: `${path}.default` });
  (field.constraints ?? []).forEach((c, k) =>
    out.push({
      ...base,
      role: 'constraint',
      source: c.expression,
      message: c.message,
      path: `${path}.constraints[${k}].expression`,
    }),
  );
}

export function expressionItems(definition: Definition): DefinitionItem[] {
  const out: DefinitionItem[] = [];
  definition.sections.forEach((section, si) => {
    const sPath = `sections[${si}]`;
    section.fields.forEach((f, fi) => fieldItems(f, `${sPath}.fields[${fi}]`, section.key, undefined, out));
    (section.tables ?? []).forEach((table, ti) => {
      const tPath = `${sPath}.tables[${ti}]`;
      table.columns.forEach((c, ci) => fieldItems(c, `${tPath}.columns[${ci}]`, section.key, table.key, out));
      (table.constraints ?? []).forEach((c, k) =>
        out.push({
          role: 'constraint',
          source: c.expression,
          message: c.message,
          path: `${tPath}.constraints[${k}].expression`,
          section: section.key,
          ofTable: table.key,
        }),
      );
    });
    (section.constraints ?? []).forEach((c, k) =>
      out.push({
        role: 'constraint',
        source: c.expression,
        message: c.message,
        path: `${sPath}.constraints[${k}].expression`,
        section: section.key,
      }),
    );
  });
  return out;
}
