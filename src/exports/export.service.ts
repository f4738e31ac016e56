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
import { findTemplate } from '../templates/templates.repository.js';
import { defaultLanguageOf, localize } from '../rules/language.js';
import { EXPORT_VALUES, exportSheets, type ExportValues, type Sheet } from './export-plan.js';
import {
  countProcessed,
  expireDone,
  findExport,
  insertExport,
  latestExports,
  markDone,
  markFailed,
  markRunning,
  recordProgress,
  type ExportRow,
  type ExportStatus,
} from './exports.repository.js';
import { CONTENT_TYPES, writeExport, type Format } from './writers.js';

export const FORMATS: Format[] = ['csv', 'xlsx', 'zip'];

/** Every sheet of an export read from one consistent snapshot. */
const SNAPSHOT = { isolation: 'REPEATABLE READ', readOnly: true, translateErrors: false } as const;

export interface ExportView {
  id: string;
  templateId: string;
  format: Format;
  values: ExportValues;
  status: ExportStatus;
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
    if (!EXPORT_VALUES.includes(raw as ExportValues))
      throw ValidationError.field('values', `must be one of ${EXPORT_VALUES.join(', ')}`);
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
    if (!template.current_version)
      throw new ConflictError('This template has never been published: there is nothing to export');
    const version = await this.deps.catalog.version(templateId, template.current_version);
    const layout = await this.deps.catalog.layout(templateId);
    let sheets = exportSheets(localize(version.definition, language), layout, values);
    if (table !== undefined) {
      if (format !== 'csv') throw ValidationError.field('table', 'picks one table of a CSV export');
      const found = sheets.find((s) => s.name === table);
      if (!found)
        throw ValidationError.field(
          'table',
          `no repeating table "${table}" (tables: ${
            sheets
              .slice(1)
              .map((s) => s.name)
              .join(', ') || 'none'
          })`,
        );
      sheets = [found];
    }
    const stamp = new Date().toISOString().slice(0, 10);
    const base = `${template.slug}-${table ? `${table.replace('.', '-')}-` : ''}${stamp}`;
    const languages = {
      declared: [...(version.definition.languages ?? [])],
      default: defaultLanguageOf(version.definition) ?? null,
    };
    return {
      sheets,
      format,
      fileName: `${base}.${format}`,
      contentType: CONTENT_TYPES[format],
      templateId,
      gridId: template.grid_id,
      values,
      languages,
    };
  }

  /** Processed submissions of the template: the number of rows of the main sheet. */
  async rowCount(templateId: string): Promise<number> {
    return countProcessed(this.deps.pool, templateId);
  }

  shouldRunInBackground(rows: number): boolean {
    return rows > this.deps.asyncThreshold;
  }

  /** Streams an export straight into `out` (an HTTP response). */
  async stream(ctx: ServiceContext, target: ExportTarget & { format: Format }, out: Writable): Promise<void> {
    // A consistent snapshot for every sheet of the export.
    await withTransaction(
      this.deps.pool,
      (tx) => writeExport(out, tx, target.sheets, target.format, target.templateId),
      SNAPSHOT,
    );
    await this.audit(ctx, target, 'export.download', undefined, { values: target.values });
  }

  /** Starts a background export; the worker writes the file (runJob). */
  async start(
    ctx: ServiceContext,
    templateId: string,
    formatRaw: unknown,
    valuesRaw: unknown = 'labels',
    language?: string,
  ): Promise<ExportView> {
    const target = await this.target(ctx, templateId, formatRaw, undefined, valuesRaw, language);
    const row = await withTransaction(this.deps.pool, async (tx) => {
      const row = await insertExport(tx, {
        templateId,
        gridId: target.gridId,
        format: target.format,
        requestedBy: ctx.actor!.id,
        fileName: target.fileName,
        values: target.values,
        language: language ?? null,
      });
      await recordAudit(tx, ctx, {
        action: 'export.start',
        entityType: 'template',
        entityId: templateId,
        gridId: target.gridId,
        after: { exportId: row.id, format: target.format, values: target.values },
      });
      return row;
    });
    await this.deps.enqueue(row.id);
    return toView(row);
  }

  private filePath(id: string, format: Format): string {
    return path.join(this.deps.dir, `${id}.${format}`);
  }

  /** The worker's side: writes the file with progress; idempotent (a rerun starts the file again). */
  async runJob(exportId: string): Promise<ExportView> {
    const row = await findExport(this.deps.pool, exportId);
    if (!row) throw new NotFoundError('Export', exportId);
    if (row.status === 'done') return toView(row);
    const template = await findTemplate(this.deps.pool, row.template_id);
    const definition = (await this.deps.catalog.version(row.template_id, template!.current_version!)).definition;
    const sheets = exportSheets(
      localize(definition, row.language ?? undefined),
      await this.deps.catalog.layout(row.template_id),
      row.value_mode,
    );
    await mkdir(this.deps.dir, { recursive: true });
    const file = this.filePath(exportId, row.format);
    try {
      const done = await withTransaction(
        this.deps.pool,
        async (tx) => {
          const total = await tx.query<{ n: string }>(
            `SELECT (SELECT count(*) FROM submissions WHERE template_id = $1 AND processing_status = 1)
                  + ${
                    sheets.length > 1 && row.format !== 'csv'
                      ? sheets
                          .slice(1)
                          .map((s) => `(SELECT count(*) FROM (${s.sql}) x)`)
                          .join(' + ')
                      : '0'
                  } AS n`,
            [row.template_id],
          );
          // Progress is written outside the snapshot (on the pool) so that the status page sees it.
          await markRunning(this.deps.pool, exportId, total.rows[0]!.n);
          let written = 0;
          let lastWrite = Promise.resolve();
          await writeExport(
            createWriteStream(file),
            tx,
            row.format === 'csv' ? sheets.slice(0, 1) : sheets,
            row.format,
            row.template_id,
            (n) => {
              written += n;
              lastWrite = recordProgress(this.deps.pool, exportId, written);
            },
          );
          await lastWrite;
          return written;
        },
        SNAPSHOT,
      );
      const finished = await markDone(
        this.deps.pool,
        exportId,
        done,
        (await stat(file)).size,
        this.deps.retentionHours,
      );
      await this.audit(
        { actor: null, requestId: null, ip: null },
        { templateId: row.template_id, gridId: row.grid_id, fileName: row.file_name ?? '' },
        'export.done',
        exportId,
        {
          requestedBy: row.requested_by,
          rows: done,
        },
      );
      return toView(finished);
    } catch (error) {
      await rm(file, { force: true });
      await markFailed(this.deps.pool, exportId, (error as Error).message);
      throw error;
    }
  }

  private async load(ctx: ServiceContext, id: string): Promise<ExportRow> {
    if (!ctx.actor) throw new UnauthenticatedError();
    const row = await findExport(this.deps.pool, id);
    if (!row) throw new NotFoundError('Export', id);
    await authorizeInGrid(
      this.deps.pool,
      ctx,
      row.grid_id,
      'template',
      'export',
      () => new NotFoundError('Export', id),
    );
    return row;
  }

  async status(ctx: ServiceContext, id: string): Promise<ExportView> {
    return toView(await this.load(ctx, id));
  }

  async list(ctx: ServiceContext, templateId: string): Promise<ExportView[]> {
    await authorizeTemplate(this.deps.pool, ctx, templateId, 'export');
    return (await latestExports(this.deps.pool, templateId)).map(toView);
  }

  async download(
    ctx: ServiceContext,
    id: string,
  ): Promise<{ view: ExportView; stream: Readable; contentType: string }> {
    const row = await this.load(ctx, id);
    if (row.status !== 'done') throw new ConflictError(`This export is ${row.status}: it has no file to download yet`);
    const file = this.filePath(id, row.format);
    try {
      await stat(file);
    } catch {
      throw new NotFoundError('Export file (expired?)', id);
    }
    await this.audit(
      ctx,
      { templateId: row.template_id, gridId: row.grid_id, fileName: row.file_name ?? '' },
      'export.download',
      id,
    );
    return { view: toView(row), stream: createReadStream(file), contentType: CONTENT_TYPES[row.format] };
  }

  /** Deletes expired export files (part of the files clean-up). */
  async cleanup(): Promise<number> {
    const expired = await expireDone(this.deps.pool);
    for (const e of expired) await rm(this.filePath(e.id, e.format), { force: true });
    return expired.length;
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
