import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { recordAudit } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import type { Pool } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from '../errors/app-error.js';
import type { Logger } from '../observability/logger.js';
import { authorizeInGrid } from '../permissions/grid-access.js';
import type { TemplateCatalog } from '../templates/catalog.js';
import { authorizeTemplate } from '../permissions/record-access.js';
import { defaultLanguageOf, localize } from '../rules/language.js';
import { EXPORT_VALUES, exportSheets, type ExportValues, type Sheet } from './export-plan.js';
import { CONTENT_TYPES, writeExport, type Format } from './writers.js';

export const FORMATS: Format[] = ['csv', 'xlsx', 'zip'];

export interface ExportView {
  id: string;
  templateId: string;
  format: Format;
  values: ExportValues;
  status: 'queued' | 'running' | 'done' | 'failed';
  rowsTotal: number | null;
  rowsDone: number;
  progress: number | null;
  fileName: string | null;
  fileSize: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  expiresAt: string | null;
}

interface ExportRow {
  id: string;
  template_id: string;
  grid_id: string;
  format: Format;
  value_mode: ExportValues;
  status: ExportView['status'];
  rows_total: string | null;
  rows_done: string;
  file_name: string | null;
  file_size: string | null;
  error: string | null;
  requested_by: string;
  language: string | null;
  created_at: Date;
  finished_at: Date | null;
  expires_at: Date | null;
}

function toView(r: ExportRow): ExportView {
  const total = r.rows_total === null ? null : Number(r.rows_total);
  return {
    id: r.id,
    templateId: r.template_id,
    format: r.format,
    values: r.value_mode,
    status: r.status,
    rowsTotal: total,
    rowsDone: Number(r.rows_done),
    progress: r.status === 'done' ? 1 : total ? Math.min(1, Number(r.rows_done) / total) : null,
    fileName: r.file_name,
    fileSize: r.file_size === null ? null : Number(r.file_size),
    error: r.error,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    expiresAt: r.expires_at?.toISOString() ?? null,
  };
}

export interface ExportTarget {
  sheets: Sheet[];
  fileName: string;
  contentType: string;
  templateId: string;
  gridId: string;
  values: ExportValues;
  /** The languages the exported version declares (empty for none), its default first among them when it names one. */
  languages: { declared: string[]; default: string | null };
}

/**
 * Exports of processed data: streamed to the request when small, run in the background with
 * progress (and a file to download when done) when larger than the threshold. Who may export is the
 * permission module's answer (reviewers, builders and managers of the grid, admins).
 */
export class ExportService {
  constructor(
    private readonly deps: {
      pool: Pool;
      catalog: TemplateCatalog;
      dir: string;
      asyncThreshold: number;
      retentionHours: number;
      enqueue: (exportId: string) => Promise<void>;
      logger: Logger;
    },
  ) {}

  private format(raw: unknown): Format {
    if (!FORMATS.includes(raw as Format)) throw ValidationError.field('format', `must be one of ${FORMATS.join(', ')}`);
    return raw as Format;
  }

  private values(raw: unknown): ExportValues {
    if (!EXPORT_VALUES.includes(raw as ExportValues)) throw ValidationError.field('values', `must be one of ${EXPORT_VALUES.join(', ')}`);
    return raw as ExportValues;
  }

  /**
   * Checks the caller may export the template; returns what to write. `table` picks one repeating
   * table (CSV); `values` is `labels` (default: what people read) or `codes` (what was stored);
   * `language` the language of the headers and option labels (the form's default when it does not
   * have it).
   */
  async target(
    ctx: ServiceContext,
    templateId: string,
    formatRaw: unknown,
    table?: string,
    valuesRaw: unknown = 'labels',
    language?: string,
  ): Promise<ExportTarget & { format: Format }> {
    const format = this.format(formatRaw ?? 'csv');
    const values = this.values(valuesRaw ?? 'labels');
    const template = await authorizeTemplate(this.deps.pool, ctx, templateId, 'export');
    if (!template.current_version) throw new ConflictError('This template has never been published: there is nothing to export');
    const version = await this.deps.catalog.version(templateId, template.current_version);
    const layout = await this.deps.catalog.layout(templateId);
    let sheets = exportSheets(localize(version.definition, language), layout, values);
    if (table !== undefined) {
      if (format !== 'csv') throw ValidationError.field('table', 'picks one table of a CSV export');
      const found = sheets.find((s) => s.name === table);
      if (!found) throw ValidationError.field('table', `no repeating table "${table}" (tables: ${sheets.slice(1).map((s) => s.name).join(', ') || 'none'})`);
      sheets = [found];
    }
    const stamp = new Date().toISOString().slice(0, 10);
    const base = `${template.slug}-${table ? `${table.replace('.', '-')}-` : ''}${stamp}`;
    const languages = { declared: [...(version.definition.languages ?? [])], default: defaultLanguageOf(version.definition) ?? null };
    return { sheets, format, fileName: `${base}.${format}`, contentType: CONTENT_TYPES[format], templateId, gridId: template.grid_id, values, languages };
  }

  /** Processed submissions of the template: the number of rows of the main sheet. */
  async rowCount(templateId: string): Promise<number> {
    const result = await this.deps.pool.query<{ n: string }>('SELECT count(*) AS n FROM submissions WHERE template_id = $1 AND processing_status = 1', [templateId]);
    return Number(result.rows[0]!.n);
  }

  shouldRunInBackground(rows: number): boolean {
    return rows > this.deps.asyncThreshold;
  }

  /** Streams an export straight into `out` (an HTTP response). */
  async stream(ctx: ServiceContext, target: ExportTarget & { format: Format }, out: Writable): Promise<void> {
    const client = await this.deps.pool.connect();
    try {
      // A consistent snapshot for every sheet of the export.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await writeExport(out, client, target.sheets, target.format, target.templateId);
      await client.query('COMMIT');
    } finally {
      await client.query('ROLLBACK').catch(() => {});
      client.release();
    }
    await this.audit(ctx, target, 'export.download', undefined, { values: target.values });
  }

  /** Starts a background export; the worker writes the file (runJob). */
  async start(ctx: ServiceContext, templateId: string, formatRaw: unknown, valuesRaw: unknown = 'labels', language?: string): Promise<ExportView> {
    const target = await this.target(ctx, templateId, formatRaw, undefined, valuesRaw, language);
    const row = await withTransaction(this.deps.pool, async (tx) => {
      const result = await tx.query<ExportRow>(
        `INSERT INTO exports (template_id, grid_id, format, requested_by, file_name, value_mode, language) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [templateId, target.gridId, target.format, ctx.actor!.id, target.fileName, target.values, language ?? null],
      );
      await recordAudit(tx, ctx, {
        action: 'export.start',
        entityType: 'template',
        entityId: templateId,
        gridId: target.gridId,
        after: { exportId: result.rows[0]!.id, format: target.format, values: target.values },
      });
      return result.rows[0]!;
    });
    await this.deps.enqueue(row.id);
    return toView(row);
  }

  private filePath(id: string, format: Format): string {
    return path.join(this.deps.dir, `${id}.${format}`);
  }

  /** The worker's side: writes the file with progress; idempotent (a rerun starts the file again). */
  async runJob(exportId: string): Promise<ExportView> {
    const found = await this.deps.pool.query<ExportRow>('SELECT * FROM exports WHERE id = $1', [exportId]);
    const row = found.rows[0];
    if (!row || row.status === 'done') return row ? toView(row) : Promise.reject(new NotFoundError('Export', exportId));
    const version = await this.deps.pool.query<{ current_version: number; slug: string }>('SELECT current_version, slug FROM templates WHERE id = $1', [row.template_id]);
    const definition = (await this.deps.catalog.version(row.template_id, version.rows[0]!.current_version)).definition;
    const sheets = exportSheets(localize(definition, row.language ?? undefined), await this.deps.catalog.layout(row.template_id), row.value_mode);
    await mkdir(this.deps.dir, { recursive: true });
    const file = this.filePath(exportId, row.format);
    const client = await this.deps.pool.connect();
    let done = 0;
    let lastWrite = Promise.resolve();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const total = await client.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM submissions WHERE template_id = $1 AND processing_status = 1)
              + ${sheets.length > 1 && row.format !== 'csv' ? sheets.slice(1).map((s) => `(SELECT count(*) FROM (${s.sql}) x)`).join(' + ') : '0'} AS n`,
        [row.template_id],
      );
      await this.deps.pool.query(`UPDATE exports SET status = 'running', started_at = now(), rows_total = $2, rows_done = 0, error = NULL WHERE id = $1`, [
        exportId,
        total.rows[0]!.n,
      ]);
      const out = createWriteStream(file);
      await writeExport(out, client, row.format === 'csv' ? sheets.slice(0, 1) : sheets, row.format, row.template_id, (n) => {
        done += n;
        lastWrite = this.deps.pool.query('UPDATE exports SET rows_done = $2 WHERE id = $1', [exportId, done]).then(() => undefined);
      });
      await client.query('COMMIT');
      await lastWrite;
      const size = (await stat(file)).size;
      const result = await this.deps.pool.query<ExportRow>(
        `UPDATE exports SET status = 'done', rows_done = $2, file_size = $3, finished_at = now(),
                expires_at = now() + make_interval(hours => $4) WHERE id = $1 RETURNING *`,
        [exportId, done, size, this.deps.retentionHours],
      );
      await this.audit({ actor: null, requestId: null, ip: null }, { templateId: row.template_id, gridId: row.grid_id, fileName: row.file_name ?? '' }, 'export.done', exportId, {
        requestedBy: row.requested_by,
        rows: done,
      });
      return toView(result.rows[0]!);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      await rm(file, { force: true });
      await this.deps.pool.query(`UPDATE exports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [exportId, (error as Error).message]);
      throw error;
    } finally {
      client.release();
    }
  }

  private async load(ctx: ServiceContext, id: string): Promise<ExportRow> {
    if (!ctx.actor) throw new UnauthenticatedError();
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('Export', id);
    const row = (await this.deps.pool.query<ExportRow>('SELECT * FROM exports WHERE id = $1', [id])).rows[0];
    if (!row) throw new NotFoundError('Export', id);
    await authorizeInGrid(this.deps.pool, ctx, row.grid_id, 'template', 'export', () => new NotFoundError('Export', id));
    return row;
  }

  async status(ctx: ServiceContext, id: string): Promise<ExportView> {
    return toView(await this.load(ctx, id));
  }

  async list(ctx: ServiceContext, templateId: string): Promise<ExportView[]> {
    await authorizeTemplate(this.deps.pool, ctx, templateId, 'export');
    const rows = await this.deps.pool.query<ExportRow>('SELECT * FROM exports WHERE template_id = $1 ORDER BY id DESC LIMIT 50', [templateId]);
    return rows.rows.map(toView);
  }

  async download(ctx: ServiceContext, id: string): Promise<{ view: ExportView; stream: Readable; contentType: string }> {
    const row = await this.load(ctx, id);
    if (row.status !== 'done') throw new ConflictError(`This export is ${row.status}: it has no file to download yet`);
    const file = this.filePath(id, row.format);
    try {
      await stat(file);
    } catch {
      throw new NotFoundError('Export file (expired?)', id);
    }
    await this.audit(ctx, { templateId: row.template_id, gridId: row.grid_id, fileName: row.file_name ?? '' }, 'export.download', id);
    return { view: toView(row), stream: createReadStream(file), contentType: CONTENT_TYPES[row.format] };
  }

  /** Deletes expired export files (part of the files clean-up). */
  async cleanup(): Promise<number> {
    const expired = await this.deps.pool.query<{ id: string; format: Format }>(
      `UPDATE exports SET status = 'failed', error = 'expired' WHERE status = 'done' AND expires_at < now() RETURNING id, format`,
    );
    for (const e of expired.rows) await rm(this.filePath(e.id, e.format), { force: true });
    return expired.rowCount ?? 0;
  }

  private async audit(
    ctx: ServiceContext,
    target: { templateId: string; gridId: string; fileName: string },
    action: string,
    exportId?: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await withTransaction(this.deps.pool, (tx) =>
      recordAudit(tx, ctx, {
        action,
        entityType: 'template',
        entityId: target.templateId,
        gridId: target.gridId,
        after: { file: target.fileName, ...(exportId ? { exportId } : {}), ...extra },
      }).then(() => undefined),
    );
  }
}
