import type { Queryable } from '../db/pool.js';
import { NotFoundError } from '../errors/app-error.js';
import type { Definition } from './definition.schema.js';
import { compileRules, type CompiledRules } from '../rules/index.js';
import { pickLanguage } from '../rules/language.js';
import { FORMS_SCHEMA, type Naming, type TableNaming } from './naming.js';

/**
 * What processing needs to know about templates, kept in memory:
 * - versions (immutable: cached for ever), with their compiled rules (src/rules);
 * - each template's current layout: the latest names (purged columns removed) and the actual
 *   column types, re-read only when the template's version or purge count changes.
 */

export interface VersionInfo {
  templateId: string;
  version: number;
  title: string;
  gridId: string;
  definition: Definition;
  naming: Naming;
  /** The version's rules, compiled once: the judge of its answers. */
  rules: CompiledRules;
}

/**
 * A version's rules in the language the caller reads (`ctx.languages`: `?lang=`, then
 * Accept-Language), its default otherwise: constraint messages and labels of a 422 in that language.
 */
export function rulesFor(info: VersionInfo, ctx: { languages?: readonly string[] }): CompiledRules {
  const language = pickLanguage(info.definition, ...(ctx.languages ?? []));
  return language === undefined ? info.rules : compileRules(info.definition, language);
}

export interface TableLayout {
  name: string;
  /** Column name -> PostgreSQL type, as the catalog says. */
  types: Map<string, string>;
  naming: TableNaming;
}

export interface TemplateLayout {
  templateId: string;
  version: number;
  schema: string;
  /** Section id -> table; repeating table id -> child table. Purged tables are absent. */
  sections: Map<string, TableLayout>;
  tables: Map<string, TableLayout>;
}

const MAX_VERSIONS = 2000;

export class TemplateCatalog {
  private readonly versions = new Map<string, Promise<VersionInfo>>();
  private readonly layouts = new Map<string, { key: string; layout: Promise<TemplateLayout> }>();

  constructor(private readonly db: Queryable) {}

  version(templateId: string, version: number): Promise<VersionInfo> {
    const key = `${templateId}:${version}`;
    let found = this.versions.get(key);
    if (!found) {
      found = this.loadVersion(templateId, version);
      found.catch(() => this.versions.delete(key));
      if (this.versions.size >= MAX_VERSIONS) this.versions.delete(this.versions.keys().next().value!);
      this.versions.set(key, found);
    }
    return found;
  }

  /**
   * Loads (and so compiles the rules of) the current version of one template, or of every
   * published template (null): done at start-up and when a publish is announced, so the first
   * answer to a version does not wait for its compilation. Failures are left to the first answer.
   */
  async warm(templateId: string | null): Promise<number> {
    const current = await this.db.query<{ id: string; current_version: number }>(
      `SELECT id, current_version FROM templates WHERE current_version IS NOT NULL AND ($1::bigint IS NULL OR id = $1)`,
      [templateId],
    );
    let loaded = 0;
    for (const row of current.rows) {
      // One at a time, yielding between versions: warming must not hold the event loop either.
      await this.version(row.id, row.current_version).then(
        () => loaded++,
        () => undefined,
      );
      await new Promise((resolve) => setImmediate(resolve));
    }
    return loaded;
  }

  /** The current layout of a template's tables. One cheap query to check it is still current. */
  async layout(templateId: string): Promise<TemplateLayout> {
    // A finished or cancelled online type change (src/templates/conversions.service.ts) changes a column's type under the same version.
    const state = await this.db.query<{ current_version: number | null; purges: string; conversions: string }>(
      `SELECT current_version, (SELECT count(*) FROM template_purges p WHERE p.template_id = t.id) AS purges,
              (SELECT count(*) FROM schema_conversions c WHERE c.template_id = t.id AND c.state <> 'backfilling') AS conversions
         FROM templates t WHERE id = $1`,
      [templateId],
    );
    const row = state.rows[0];
    if (!row?.current_version) throw new NotFoundError('Published template', templateId);
    const key = `${row.current_version}:${row.purges}:${row.conversions}`;
    const cached = this.layouts.get(templateId);
    if (cached?.key === key) return cached.layout;
    const layout = this.loadLayout(templateId, row.current_version);
    layout.catch(() => this.layouts.delete(templateId));
    this.layouts.set(templateId, { key, layout });
    return layout;
  }

  private async loadVersion(templateId: string, version: number): Promise<VersionInfo> {
    const result = await this.db.query<{ definition: Definition; naming: Naming; title: string; grid_id: string }>(
      `SELECT v.definition, v.naming, t.title, t.grid_id FROM template_versions v JOIN templates t ON t.id = v.template_id
        WHERE v.template_id = $1 AND v.version = $2`,
      [templateId, version],
    );
    const row = result.rows[0];
    if (!row) throw new NotFoundError(`Version ${version} of template`, templateId);
    const meta = { templateId, version, title: row.title };
    return {
      ...meta,
      gridId: row.grid_id,
      definition: row.definition,
      naming: row.naming,
      rules: compileRules(row.definition),
    };
  }

  private async loadLayout(templateId: string, version: number): Promise<TemplateLayout> {
    const info = await this.version(templateId, version);
    const names = [...Object.values(info.naming.sections), ...Object.values(info.naming.tables)].map((t) => t.name);
    const columns = await this.db.query<{ table_name: string; column_name: string; type: string }>(
      `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname = $1 AND c.relname = ANY ($2)`,
      [info.naming.schema ?? FORMS_SCHEMA, names],
    );
    const types = new Map<string, Map<string, string>>();
    for (const c of columns.rows) {
      if (!types.has(c.table_name)) types.set(c.table_name, new Map());
      types.get(c.table_name)!.set(c.column_name, c.type);
    }
    const build = (entries: [string, TableNaming][]) =>
      new Map(
        entries
          .filter(([, t]) => types.has(t.name))
          .map(([id, t]) => [id, { name: t.name, naming: t, types: types.get(t.name)! }] as const),
      );
    return {
      templateId,
      version,
      schema: info.naming.schema ?? FORMS_SCHEMA,
      sections: build(Object.entries(info.naming.sections)),
      tables: build(Object.entries(info.naming.tables)),
    };
  }
}
