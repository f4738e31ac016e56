import type { ActionContext, CurrentAdmin, ResourceWithOptions } from 'adminjs';
import type { Knex } from 'knex';
import type { Queryable } from '../../src/db/pool.js';
import { localize } from '../../src/rules/language.js';
import type { Definition, LocalizedField } from '../../src/templates/definition.schema.js';
import { columnLabel, columnOwner } from '../../src/templates/field-types.js';
import { FORMS_SCHEMA, SYSTEM_COLUMNS, type Naming, type TableNaming } from '../../src/templates/naming.js';
import { visibleInGrid, visibleScopeKnex } from '../../src/permissions/visible-scope.js';
import { GridbookResource, type RowScope } from '../adapter/gridbook-resource.js';
import { Components } from '../component-loader.js';
import { buildMetadata, introspectColumns } from '../adapter/introspect.js';
import { asAdminUser, visibleScopeOf } from '../admin-user.js';
import { readOnlyActions } from './types.js';
import { submissionMatches, whereAny } from '../../src/search/search.js';

/**
 * The typed tables of published templates, as read-only admin resources: one per section table
 * and one per repeating table, labelled with the template's field labels and grouped under their
 * grid. Built from each template's latest version (its stored names), introspected in one query.
 */

export interface FormDataResource extends ResourceWithOptions {
  /** Labels for the locale: the resource's and its properties'. */
  label: string;
  propertyLabels: Record<string, string>;
  /** Its menu group: a key of the locale (AdminJS would title-case a raw name) and the grid's name it stands for. */
  navigation: { key: string; label: string };
}

interface PublishedTemplate {
  id: string;
  title: string;
  grid_id: string;
  grid_title: string;
  definition: Definition;
  naming: Naming;
}

/** Lists show the first columns; every column is in the show view and in the filters. */
const LIST_COLUMNS = 8;

/**
 * Rows of a grid's form data: those of the submissions the user sees in that grid (the permission
 * module's scope): all of them, none, or the rows of their own submissions.
 */
function scopeFor(gridId: string): RowScope {
  return (user) => {
    const scope = visibleScopeKnex(visibleInGrid(visibleScopeOf(user), gridId), {
      gridId: 's.grid_id',
      submittedBy: 's.submitted_by',
    });
    if (typeof scope === 'string') return scope;
    return (qb) =>
      qb.whereIn(SYSTEM_COLUMNS.submissionId, (sub) => sub.select('s.id').from('public.submissions as s').where(scope));
  };
}

function scopeOf(scope: RowScope, currentAdmin: CurrentAdmin | undefined) {
  const user = asAdminUser(currentAdmin);
  return user ? scope(user) : ('none' as const);
}

function labelsOf(fields: LocalizedField[], table: TableNaming): Record<string, string> {
  const labels: Record<string, string> = {
    [SYSTEM_COLUMNS.submissionId]: 'Submission',
    [SYSTEM_COLUMNS.rowIndex]: 'Row',
    [SYSTEM_COLUMNS.rowId]: 'Id',
  };
  const byId = new Map(fields.map((f) => [f.id, f]));
  for (const [columnId, column] of Object.entries(table.columns)) {
    const { fieldId, part } = columnOwner(columnId);
    const field = byId.get(fieldId);
    labels[column.name] = field ? columnLabel(field.label, part) : `${column.name} (removed field)`;
  }
  return labels;
}

/** The menu group of a grid's form data, by the grid's id (the locale gives it the grid's name). */
export const navigationKey = (gridId: string) => `grid_data_${gridId}`;

export async function formDataResources(deps: {
  pool: Queryable;
  knex: Knex;
  databaseName: string;
  referenceIds: Record<string, string>;
}): Promise<FormDataResource[]> {
  const published = await deps.pool.query<PublishedTemplate>(
    `SELECT t.id, t.title, t.grid_id, g.title AS grid_title, v.definition, v.naming
       FROM templates t
       JOIN grids g ON g.id = t.grid_id
       JOIN template_versions v ON v.template_id = t.id AND v.version = t.current_version
      WHERE t.status = 'published' AND NOT g.is_deleted AND NOT t.is_deleted
      ORDER BY g.title, t.title, t.id`,
  );
  const wanted: {
    template: PublishedTemplate;
    table: TableNaming;
    label: string;
    fields: LocalizedField[];
    child: boolean;
  }[] = [];
  for (const template of published.rows) {
    // Labels in the form's default language (src/rules/language.ts).
    for (const section of localize(template.definition).sections) {
      const table = template.naming.sections[section.id];
      if (table)
        wanted.push({
          template,
          table,
          label: `${template.title}: ${section.label}`,
          fields: section.fields,
          child: false,
        });
      for (const t of section.tables ?? []) {
        const child = template.naming.tables[t.id];
        if (child)
          wanted.push({
            template,
            table: child,
            label: `${template.title}: ${section.label} / ${t.label}`,
            fields: t.columns,
            child: true,
          });
      }
    }
  }
  if (wanted.length === 0) return [];
  const columns = await introspectColumns(
    deps.knex,
    FORMS_SCHEMA,
    wanted.map((w) => w.table.name),
  );

  const resources: FormDataResource[] = [];
  for (const { template, table, label, fields, child } of wanted) {
    const rows = columns.get(table.name);
    if (!rows) continue; // purged, or not created yet on this database
    const metadata = buildMetadata(deps.knex, deps.databaseName, FORMS_SCHEMA, table.name, rows, {
      referenceIds: deps.referenceIds,
    });
    const retired = new Set(
      Object.values(table.columns)
        .filter((c) => c.retired)
        .map((c) => c.name),
    );
    const visible = rows.map((r) => r.column_name).filter((c) => !retired.has(c));
    const key = child ? [SYSTEM_COLUMNS.submissionId, SYSTEM_COLUMNS.rowIndex] : [SYSTEM_COLUMNS.submissionId];
    const fieldColumns = visible.filter((c) => !Object.values(SYSTEM_COLUMNS).includes(c as never));
    const scope = scopeFor(template.grid_id);
    // Outside the grid the resource is not there at all: not in the menu, not in the page's state,
    // and its actions refused (its rows are scoped away as well).
    const members = ({ currentAdmin }: ActionContext) => scopeOf(scope, currentAdmin) !== 'none';
    resources.push({
      label,
      propertyLabels: labelsOf(fields, table),
      navigation: { key: navigationKey(template.grid_id), label: `${template.grid_title}: data` },
      resource: new GridbookResource(metadata, {
        id: table.name,
        scope,
        // A repeating table's rows are shown from 1, and filtered as shown.
        ...(child ? { countedFromOne: [SYSTEM_COLUMNS.rowIndex] } : {}),
        // Rows of the submissions the search finds (their id, submitter, searchable answers: the
        // submissions' index), one semi-join; the typed columns hold the same answers.
        search: {
          hint: 'submitter email or name, or searchable answers',
          large: {},
          more: async (term, db) => {
            const matches = await submissionMatches(db, term, 's');
            return [
              (qb) =>
                qb.orWhereIn(SYSTEM_COLUMNS.submissionId, (sub) =>
                  sub
                    .select('s.id')
                    .from('public.submissions as s')
                    .where('s.template_id', template.id)
                    .andWhere((any) => whereAny(any, matches)),
                ),
            ];
          },
        },
      }),
      options: {
        navigation: { name: navigationKey(template.grid_id), icon: 'Database' },
        sort: { sortBy: child ? SYSTEM_COLUMNS.rowId : SYSTEM_COLUMNS.submissionId, direction: 'desc' },
        listProperties: [...key, ...fieldColumns.slice(0, LIST_COLUMNS - key.length)],
        showProperties: [...key, ...fieldColumns, ...[...retired]],
        filterProperties: [...key, ...fieldColumns],
        actions: readOnlyActions(members),
        // The stored row index counts from 0; people count rows from 1.
        ...(child
          ? {
              properties: {
                [SYSTEM_COLUMNS.rowIndex]: { components: { list: Components.RowNumber, show: Components.RowNumber } },
              },
            }
          : {}),
      },
    });
  }
  return resources;
}
