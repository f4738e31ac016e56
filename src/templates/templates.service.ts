import { changedFields, recordAudit } from '../audit/audit.service.js';
import { defaultLanguageOf, localize, pickLanguage, type LanguageProblem } from '../rules/language.js';
import type { ServiceContext } from '../context.js';
import type { Pool } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { ConflictError, NotFoundError } from '../errors/app-error.js';
import { findGrid } from '../grids/grids.repository.js';
import { authorizeInGrid } from '../permissions/grid-access.js';
import { authorizeTemplate } from '../permissions/record-access.js';
import { compileValidator } from '../validation/validate.js';
import type { Definition } from './definition.schema.js';
import { assignMissingIds, translationWarnings, newStableId, validateDefinition } from './definition.validate.js';
import { compileJsonSchema } from './json-schema.js';
import { findVersion, retiredIds, listVersions, TEMPLATE_COLUMNS, type TemplateRow } from './templates.repository.js';
import { CreateTemplateInput, PatchTemplateInput } from './templates.schema.js';

const validateCreate = compileValidator(CreateTemplateInput);
const validateMeta = compileValidator(PatchTemplateInput);

export interface TemplateView {
  id: string;
  gridId: string;
  slug: string;
  title: string;
  description: string;
  status: TemplateRow['status'];
  reviewMode: TemplateRow['review_mode'];
  currentVersion: number | null;
  definition: Definition;
  /** Missing translations of the definition (a form in several languages): saved all the same. */
  warnings: LanguageProblem[];
  createdAt: string;
  updatedAt: string;
  /** When it went to the trash (null: it is not there). */
  deletedOn: string | null;
}

export interface VersionSummary {
  version: number;
  publishedAt: string;
  publishedBy: string | null;
  /** The publisher's name, or their email when they have no name. */
  publishedByName: string | null;
  ddl: string[];
}

export function toTemplateView(row: TemplateRow): TemplateView {
  return {
    id: row.id,
    gridId: row.grid_id,
    slug: row.slug,
    title: row.title,
    description: row.description,
    status: row.status,
    reviewMode: row.review_mode,
    currentVersion: row.current_version,
    definition: row.definition,
    warnings: translationWarnings(row.definition),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    deletedOn: row.deleted_on?.toISOString() ?? null,
  };
}

export function starterDefinition(): Definition {
  return { sections: [{ id: newStableId('s'), key: 'main', label: 'Main', fields: [] }] };
}

/** Templates: drafts with a working definition; publishing is publish.service.ts. */
export class TemplatesService {
  constructor(private readonly deps: { pool: Pool }) {}

  /** The grid's templates; `deleted`: those in its trash instead (restorable, not yet purged). */
  async list(ctx: ServiceContext, gridId: string, opts: { deleted?: boolean } = {}): Promise<TemplateView[]> {
    const grid = await findGrid(this.deps.pool, gridId);
    if (!grid || grid.is_deleted) throw new NotFoundError('Grid', gridId);
    await authorizeInGrid(this.deps.pool, ctx, gridId, 'template', 'list', () => new NotFoundError('Grid', gridId));
    const result = await this.deps.pool.query<TemplateRow>(
      `SELECT ${TEMPLATE_COLUMNS} FROM templates
        WHERE grid_id = $1 AND status <> 'archived' AND is_deleted = $2 AND purged_on IS NULL ORDER BY id`,
      [gridId, opts.deleted === true],
    );
    return result.rows.map(toTemplateView);
  }

  async get(ctx: ServiceContext, id: string): Promise<TemplateView & { versions: VersionSummary[] }> {
    const template = await authorizeTemplate(this.deps.pool, ctx, id, 'read');
    const versions = await listVersions(this.deps.pool, id);
    return {
      ...toTemplateView(template),
      versions: versions.map((v) => ({
        version: v.version,
        publishedAt: v.published_at.toISOString(),
        publishedBy: v.published_by,
        publishedByName: v.published_by_name,
        ddl: v.ddl,
      })),
    };
  }

  async create(ctx: ServiceContext, gridId: string, raw: unknown): Promise<TemplateView> {
    const input = validateCreate(raw);
    const definition =
      input.definition === undefined ? starterDefinition() : validateDefinition(assignMissingIds(input.definition));
    return withTransaction(this.deps.pool, async (tx) => {
      const grid = await findGrid(tx, gridId);
      if (!grid || grid.is_deleted) throw new NotFoundError('Grid', gridId);
      await authorizeInGrid(tx, ctx, gridId, 'template', 'create', () => new NotFoundError('Grid', gridId), {
        forbiddenMessage: 'Only builders and managers of this grid create templates',
      });
      const result = await tx.query<TemplateRow>(
        `INSERT INTO templates (grid_id, slug, title, description, definition, created_by, review_mode)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${TEMPLATE_COLUMNS}`,
        [
          gridId,
          input.slug,
          input.title.trim(),
          input.description,
          JSON.stringify(definition),
          ctx.actor!.id,
          input.reviewMode ?? 'submission',
        ],
      );
      const row = result.rows[0]!;
      await recordAudit(tx, ctx, {
        action: 'template.create',
        entityType: 'template',
        entityId: row.id,
        gridId,
        after: { slug: row.slug, title: row.title },
      });
      return toTemplateView(row);
    });
  }

  /** Replaces the working definition (validated; errors per path). Publishing is a separate step. */
  async updateDefinition(ctx: ServiceContext, id: string, raw: unknown): Promise<TemplateView> {
    return withTransaction(this.deps.pool, async (tx) => {
      const template = await authorizeTemplate(tx, ctx, id, 'edit', { forUpdate: true });
      const definition = validateDefinition(assignMissingIds(raw), await retiredIds(tx, id));
      const result = await tx.query<TemplateRow>(
        `UPDATE templates SET definition = $2, updated_at = now() WHERE id = $1 RETURNING ${TEMPLATE_COLUMNS}`,
        [id, JSON.stringify(definition)],
      );
      await recordAudit(tx, ctx, {
        action: 'template.update_definition',
        entityType: 'template',
        entityId: id,
        gridId: template.grid_id,
        after: { fields: countFields(definition), sections: definition.sections.length },
      });
      return toTemplateView(result.rows[0]!);
    });
  }

  async updateMeta(ctx: ServiceContext, id: string, raw: unknown): Promise<TemplateView> {
    const patch = validateMeta(raw);
    return withTransaction(this.deps.pool, async (tx) => {
      const before = await authorizeTemplate(tx, ctx, id, 'edit', { forUpdate: true });
      if (patch.reviewMode && patch.reviewMode !== before.review_mode) {
        const inReview = await tx.query(
          `SELECT 1 FROM submissions WHERE template_id = $1 AND review_status IN ('submitted', 'in_review') LIMIT 1`,
          [id],
        );
        if (inReview.rowCount)
          throw new ConflictError(
            'Submissions of this template are waiting for or in review: finish them before changing the review mode',
          );
      }
      const result = await tx.query<TemplateRow>(
        `UPDATE templates SET title = COALESCE($2, title), description = COALESCE($3, description),
                review_mode = COALESCE($4, review_mode), updated_at = now()
          WHERE id = $1 RETURNING ${TEMPLATE_COLUMNS}`,
        [id, patch.title?.trim() || null, patch.description ?? null, patch.reviewMode ?? null],
      );
      const after = result.rows[0]!;
      const snapshot = (t: TemplateRow) => ({ title: t.title, description: t.description, reviewMode: t.review_mode });
      const diff = changedFields(snapshot(before), snapshot(after));
      if (Object.keys(diff.after).length) {
        await recordAudit(tx, ctx, {
          action: 'template.update',
          entityType: 'template',
          entityId: id,
          gridId: before.grid_id,
          ...diff,
        });
      }
      return toTemplateView(after);
    });
  }

  /**
   * The JSON Schema of a version (the latest by default): as published (titles in the default
   * language), or with its titles and descriptions in the language the caller reads
   * (`ctx.languages`: `?lang=`, then Accept-Language) when the form has it.
   */
  async schema(ctx: ServiceContext, id: string, version?: number): Promise<Record<string, unknown>> {
    const template = await authorizeTemplate(this.deps.pool, ctx, id, 'read');
    const wanted = version ?? template.current_version;
    if (!wanted) throw new NotFoundError('Published version of template', id);
    const row = await findVersion(this.deps.pool, id, wanted);
    if (!row) throw new NotFoundError(`Version ${wanted} of template`, id);
    const language = pickLanguage(row.definition, ...(ctx.languages ?? []));
    if (language === undefined || language === defaultLanguageOf(row.definition)) return row.json_schema;
    return compileJsonSchema(localize(row.definition, language), {
      templateId: id,
      version: wanted,
      title: template.title,
    });
  }

  /** The schema the working definition would compile to (a preview before publishing). */
  async previewSchema(ctx: ServiceContext, id: string): Promise<Record<string, unknown>> {
    const template = await authorizeTemplate(this.deps.pool, ctx, id, 'read');
    return compileJsonSchema(localize(template.definition), {
      templateId: id,
      version: (template.current_version ?? 0) + 1,
      title: template.title,
    });
  }
}

export function countFields(definition: Definition): number {
  return definition.sections.reduce(
    (n, s) => n + s.fields.length + (s.tables ?? []).reduce((m, t) => m + t.columns.length, 0),
    0,
  );
}
