import { recordAudit } from '../audit/audit.service.js';
import { SYSTEM_CONTEXT, type ServiceContext } from '../context.js';
import { qualifiedName } from '../db/identifiers.js';
import type { Pool } from '../db/pool.js';
import { runSchemaDdl } from '../db/roles.js';
import { withTransaction } from '../db/transaction.js';
import { ConflictError } from '../errors/app-error.js';
import { authorizeTemplate } from '../permissions/record-access.js';
import { createCurrentViews, dropTemplateViews, hasCurrentSchema } from './current-views.js';
import { SCHEMA_CHANNEL } from './publish.service.js';
import { toTemplateView, type TemplateView } from './templates.service.js';
import { findVersion, TEMPLATE_COLUMNS, type TemplateRow } from './templates.repository.js';

/**
 * The template trash, as grids have a soft delete: deleting a template hides it, its submissions
 * and its form data tables (they stay, untouched) until it is restored. Its views under current
 * names (forms_current) go with it and come back on restore, so SQL users do not read a deleted
 * form. After the retention period (TEMPLATE_TRASH_RETENTION_DAYS) the worker's maintenance job
 * purges it: its tables are dropped and its submissions deleted, and the template row stays as the
 * record of what was (`purged_on`), with its versions (append-only) and audit entries.
 */
export class TemplateTrash {
  constructor(private readonly deps: { pool: Pool; retentionDays: number }) {}

  async delete(ctx: ServiceContext, id: string): Promise<TemplateView & { purgeAfter: string }> {
    return withTransaction(this.deps.pool, async (tx) => {
      const template = await authorizeTemplate(tx, ctx, id, 'delete', { forUpdate: true });
      await dropTemplateViews(tx, id);
      const result = await tx.query<TemplateRow>(
        `UPDATE templates SET is_deleted = true, deleted_on = now(), deleted_by = $2, updated_at = now() WHERE id = $1 RETURNING ${TEMPLATE_COLUMNS}`,
        [id, ctx.actor!.id],
      );
      const row = result.rows[0]!;
      const purgeAfter = new Date(row.deleted_on!.getTime() + this.deps.retentionDays * 86_400_000).toISOString();
      await recordAudit(tx, ctx, {
        action: 'template.delete',
        entityType: 'template',
        entityId: id,
        gridId: template.grid_id,
        before: { isDeleted: false },
        after: { isDeleted: true, purgeAfter },
      });
      await tx.query('SELECT pg_notify($1, $2)', [SCHEMA_CHANNEL, id]);
      return { ...toTemplateView(row), purgeAfter };
    });
  }

  async restore(ctx: ServiceContext, id: string): Promise<TemplateView> {
    return withTransaction(this.deps.pool, async (tx) => {
      const template = await authorizeTemplate(tx, ctx, id, 'restore', { forUpdate: true, includeDeleted: true });
      if (!template.is_deleted) throw new ConflictError('This template is not in the trash');
      if (template.purged_on) {
        throw new ConflictError(
          `This template was purged from the trash on ${template.purged_on.toISOString()}: its tables and submissions are gone`,
        );
      }
      const result = await tx.query<TemplateRow>(
        `UPDATE templates SET is_deleted = false, deleted_on = NULL, deleted_by = NULL, updated_at = now() WHERE id = $1 RETURNING ${TEMPLATE_COLUMNS}`,
        [id],
      );
      if (template.current_version && (await hasCurrentSchema(tx))) await createCurrentViews(tx, id);
      await recordAudit(tx, ctx, {
        action: 'template.restore',
        entityType: 'template',
        entityId: id,
        gridId: template.grid_id,
        before: { isDeleted: true },
        after: { isDeleted: false },
      });
      await tx.query('SELECT pg_notify($1, $2)', [SCHEMA_CHANNEL, id]);
      return toTemplateView(result.rows[0]!);
    });
  }

  /** Purges the templates whose time in the trash is over (the worker's maintenance job). */
  async purgeExpired(): Promise<{ purged: string[] }> {
    const due = await this.deps.pool.query<{ id: string }>(
      `SELECT id FROM templates WHERE is_deleted AND purged_on IS NULL AND deleted_on <= now() - make_interval(days => $1) ORDER BY deleted_on LIMIT 100`,
      [this.deps.retentionDays],
    );
    const purged: string[] = [];
    for (const { id } of due.rows) if (await this.purge(id)) purged.push(id);
    return { purged };
  }

  /** Drops one template's tables and deletes its submissions, in one transaction; false when it was restored meanwhile. */
  private async purge(id: string): Promise<boolean> {
    return withTransaction(this.deps.pool, async (tx) => {
      const found = await tx.query<TemplateRow>(
        `SELECT ${TEMPLATE_COLUMNS} FROM templates WHERE id = $1 AND is_deleted AND purged_on IS NULL
            AND deleted_on <= now() - make_interval(days => $2) FOR UPDATE`,
        [id, this.deps.retentionDays],
      );
      const template = found.rows[0];
      if (!template) return false;
      const ddl: string[] = [];
      if (template.current_version) {
        // Every table the template ever had (usedTables), purged ones included: IF EXISTS.
        const latest = (await findVersion(tx, id, template.current_version))!;
        ddl.push(
          ...latest.naming.usedTables.map((t) => `DROP TABLE IF EXISTS ${qualifiedName(latest.naming.schema, t)}`),
        );
        await dropTemplateViews(tx, id);
        await runSchemaDdl(tx, latest.naming.schema, ddl);
      }
      // Their files, reviews, follow-ups and unique values go with them (ON DELETE CASCADE).
      const deleted = await tx.query('DELETE FROM submissions WHERE template_id = $1', [id]);
      await tx.query('UPDATE templates SET purged_on = now() WHERE id = $1', [id]);
      await recordAudit(tx, SYSTEM_CONTEXT, {
        action: 'template.purge',
        entityType: 'template',
        entityId: id,
        gridId: template.grid_id,
        before: { deletedOn: template.deleted_on!.toISOString() },
        after: { submissionsDeleted: deleted.rowCount ?? 0, ddl, retentionDays: this.deps.retentionDays },
      });
      await tx.query('SELECT pg_notify($1, $2)', [SCHEMA_CHANNEL, id]);
      return true;
    });
  }
}
