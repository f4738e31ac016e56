import type { ChainReport } from '../audit/audit-chain.js';
import { auditKeys, type AuditKeys } from '../audit/audit-key.js';
import { verifyAgainstStore } from '../audit/checkpoints.js';
import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import type { Queryable } from '../db/pool.js';
import type { BlobStore } from '../files/storage.js';
import type { Definition } from '../templates/definition.schema.js';
import { FORMS_SCHEMA, SYSTEM_COLUMNS, type Naming } from '../templates/naming.js';

/**
 * A read-only consistency check of what the database and the blob store promise each other:
 *
 * - every submission has its creation audit entry (`submission.create` or `submission.save_draft`,
 *   written in the same transaction as the submission);
 * - every processed submission (processing_status 1) has its row in each section table of its
 *   version (tables purged since are skipped), once; no typed row, in any table of the `forms`
 *   schema, lacks its submission; no repeating-table row appears twice;
 * - no `files` row lacks its blob (a `blobs` row and the content in the store), no `blobs` row
 *   lacks its content, and no stored content older than the grace period lacks its `blobs` row;
 * - the audit hash chain verifies, under the audit key, up to the newest checkpoint in the store.
 *
 * It changes nothing (the audit chain is verified as it is: entries not sealed yet are counted, not
 * sealed). `npm run check:integrity` prints the report and exits 1 when it finds a problem.
 */

export interface IntegrityCheck {
  name: string;
  description: string;
  ok: boolean;
  /** How many items were examined. */
  checked: number;
  /** How many items break the rule. */
  failing: number;
  /** Up to `exampleLimit` offending ids (submission ids, file ids, hashes, table.row). */
  examples: string[];
  /** Extra facts worth printing (skipped tables, counts). */
  notes?: string[];
}

export interface IntegrityReport {
  ok: boolean;
  checkedAt: string;
  checks: IntegrityCheck[];
  audit: ChainReport;
}

export interface IntegrityOptions {
  /** Stored content younger than this may belong to an upload in progress (FILE_GRACE_HOURS). */
  graceHours?: number;
  /** Offending ids listed per check. */
  exampleLimit?: number;
  /** Skip listing the blob store (it can be long on a large bucket). */
  skipStoreScan?: boolean;
  /** The audit key(s): the chain's links are HMACs under it. */
  auditKeys: AuditKeys | string;
}

const CREATION_ACTIONS = ['submission.create', 'submission.save_draft'];

interface VersionRow {
  template_id: string;
  version: number;
  definition: Definition;
  naming: Naming;
}

export async function checkIntegrity(
  db: Queryable,
  store: BlobStore | null,
  options: IntegrityOptions,
): Promise<IntegrityReport> {
  const limit = options.exampleLimit ?? 20;
  const graceHours = options.graceHours ?? 24;
  const checks: IntegrityCheck[] = [];
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await db.query<{ n: string }>(sql, params)).rows[0]!.n);
  const ids = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ id: string }>(sql, params)).rows.map((r) => String(r.id));

  // 1. Every submission has its creation audit entry.
  {
    const total = await count('SELECT count(*) AS n FROM submissions');
    const missing = `FROM submissions s WHERE NOT EXISTS (
        SELECT 1 FROM audit_log a WHERE a.entity_type = 'submission' AND a.entity_id = s.id::text AND a.action = ANY ($1::text[]))`;
    const failing = await count(`SELECT count(*) AS n ${missing}`, [CREATION_ACTIONS]);
    checks.push({
      name: 'submission-creation-audited',
      description: 'every submission has its creation audit entry',
      ok: failing === 0,
      checked: total,
      failing,
      examples: failing ? await ids(`SELECT s.id ${missing} ORDER BY s.id LIMIT ${limit}`, [CREATION_ACTIONS]) : [],
    });
  }

  // 2. Every processed submission has its row in each section table of its version.
  const tableExists = new Map<string, boolean>();
  const exists = async (schema: string, table: string) => {
    const name = qualifiedName(schema, table);
    if (!tableExists.has(name)) {
      const r = await db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [name]);
      tableExists.set(name, r.rows[0]!.ok);
    }
    return tableExists.get(name)!;
  };
  {
    const versions = await db.query<VersionRow>(
      `SELECT v.template_id, v.version, v.definition, v.naming FROM template_versions v
        WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.template_id = v.template_id AND s.template_version = v.version AND s.processing_status = 1)
        ORDER BY v.template_id, v.version`,
    );
    let checked = 0;
    let failing = 0;
    const examples: string[] = [];
    const notes: string[] = [];
    for (const v of versions.rows) {
      const schema = v.naming.schema ?? FORMS_SCHEMA;
      for (const section of v.definition.sections) {
        const table = v.naming.sections[section.id]?.name;
        if (!table) {
          notes.push(`template ${v.template_id} v${v.version}: section ${section.id} has no table name`);
          continue;
        }
        if (!(await exists(schema, table))) {
          notes.push(`template ${v.template_id} v${v.version}: table ${table} no longer exists (purged), skipped`);
          continue;
        }
        const from = `FROM submissions s WHERE s.template_id = $1 AND s.template_version = $2 AND s.processing_status = 1
                         AND NOT EXISTS (SELECT 1 FROM ${qualifiedName(schema, table)} f WHERE f.${quoteIdent(SYSTEM_COLUMNS.submissionId)} = s.id)`;
        checked += await count(
          'SELECT count(*) AS n FROM submissions WHERE template_id = $1 AND template_version = $2 AND processing_status = 1',
          [v.template_id, v.version],
        );
        const n = await count(`SELECT count(*) AS n ${from}`, [v.template_id, v.version]);
        failing += n;
        if (n && examples.length < limit) {
          examples.push(
            ...(await ids(`SELECT s.id ${from} ORDER BY s.id LIMIT ${limit - examples.length}`, [
              v.template_id,
              v.version,
            ])),
          );
        }
      }
    }
    checks.push({
      name: 'processed-submissions-projected',
      description: 'every processed submission has its row in each section table of its version',
      ok: failing === 0,
      checked,
      failing,
      examples,
      ...(notes.length ? { notes } : {}),
    });
  }

  // 3. No typed row lacks its submission; no repeating-table row twice; no section row twice.
  {
    const tables = await db.query<{ table_name: string; has_row_index: boolean }>(
      `SELECT c.relname AS table_name,
              EXISTS (SELECT 1 FROM pg_attribute r WHERE r.attrelid = c.oid AND r.attname = $2 AND NOT r.attisdropped) AS has_row_index
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = $1 AND NOT a.attisdropped
        WHERE n.nspname = $3 AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
      [SYSTEM_COLUMNS.submissionId, SYSTEM_COLUMNS.rowIndex, FORMS_SCHEMA],
    );
    let checked = 0;
    let orphans = 0;
    let doubles = 0;
    const orphanExamples: string[] = [];
    const doubleExamples: string[] = [];
    const sid = quoteIdent(SYSTEM_COLUMNS.submissionId);
    for (const { table_name, has_row_index } of tables.rows) {
      const t = qualifiedName(FORMS_SCHEMA, table_name);
      checked += await count(`SELECT count(*) AS n FROM ${t}`);
      const orphanFrom = `FROM ${t} f WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.id = f.${sid})`;
      const n = await count(`SELECT count(*) AS n ${orphanFrom}`);
      orphans += n;
      if (n && orphanExamples.length < limit) {
        const rows = await ids(`SELECT DISTINCT f.${sid} AS id ${orphanFrom} ORDER BY 1 LIMIT ${limit}`);
        orphanExamples.push(...rows.map((id) => `${table_name}: submission ${id}`));
      }
      const key = has_row_index ? `${sid}, ${quoteIdent(SYSTEM_COLUMNS.rowIndex)}` : sid;
      const dupFrom = `FROM (SELECT ${sid} FROM ${t} GROUP BY ${key} HAVING count(*) > 1) d`;
      const d = await count(`SELECT count(*) AS n ${dupFrom}`);
      doubles += d;
      if (d && doubleExamples.length < limit) {
        const rows = await ids(`SELECT DISTINCT ${sid} AS id ${dupFrom} ORDER BY 1 LIMIT ${limit}`);
        doubleExamples.push(...rows.map((id) => `${table_name}: submission ${id}`));
      }
    }
    checks.push({
      name: 'typed-rows-have-submission',
      description: 'no typed row (any table of the forms schema) lacks its submission',
      ok: orphans === 0,
      checked,
      failing: orphans,
      examples: orphanExamples.slice(0, limit),
      notes: [`${tables.rowCount} tables`],
    });
    checks.push({
      name: 'typed-rows-once',
      description: "no submission's typed row (or repeating-table row) is stored twice",
      ok: doubles === 0,
      checked,
      failing: doubles,
      examples: doubleExamples.slice(0, limit),
    });
  }

  // 4. Files and blobs.
  {
    const fileCount = await count('SELECT count(*) AS n FROM files');
    const noRowFrom = 'FROM files f WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = f.sha256)';
    const noRow = await count(`SELECT count(*) AS n ${noRowFrom}`);
    const examples = noRow
      ? (await ids(`SELECT f.id ${noRowFrom} ORDER BY f.id LIMIT ${limit}`)).map((id) => `file ${id}`)
      : [];

    // Content of every blob row (and so of every file whose row is there).
    const blobRows = await db.query<{ sha256: string; files: string }>(
      'SELECT b.sha256, (SELECT count(*) FROM files f WHERE f.sha256 = b.sha256) AS files FROM blobs b ORDER BY b.sha256',
    );
    let missingContent = 0;
    let filesWithoutContent = 0;
    const contentExamples: string[] = [];
    if (store) {
      for (const b of blobRows.rows) {
        if (await store.has(b.sha256)) continue;
        missingContent++;
        filesWithoutContent += Number(b.files);
        if (contentExamples.length < limit)
          contentExamples.push(`blob ${b.sha256} (${b.files} file row${b.files === '1' ? '' : 's'})`);
      }
    }
    checks.push({
      name: 'files-have-blobs',
      description: 'no files row lacks its blobs row or its stored content',
      ok: noRow === 0 && filesWithoutContent === 0,
      checked: fileCount,
      failing: noRow + filesWithoutContent,
      examples: [...examples, ...contentExamples].slice(0, limit),
      ...(store ? {} : { notes: ['no blob store given: content not checked'] }),
    });
    checks.push({
      name: 'blob-rows-have-content',
      description: 'every blobs row has its content in the store',
      ok: missingContent === 0,
      checked: store ? (blobRows.rowCount ?? 0) : 0,
      failing: missingContent,
      examples: contentExamples,
      ...(store ? {} : { notes: ['no blob store given: not checked'] }),
    });

    // Stored content without a row, past the grace period (younger: an upload may be in progress).
    let stored = 0;
    let strays = 0;
    let young = 0;
    const strayExamples: string[] = [];
    if (store && !options.skipStoreScan) {
      const known = new Set(blobRows.rows.map((b) => b.sha256));
      const cutoff = Date.now() - graceHours * 3_600_000;
      for await (const blob of store.list()) {
        stored++;
        if (known.has(blob.sha256)) continue;
        // A row written since we read the list (an upload finishing now) is not a stray.
        if ((await count('SELECT count(*) AS n FROM blobs WHERE sha256 = $1', [blob.sha256])) > 0) continue;
        if (blob.modifiedAt.getTime() > cutoff) {
          young++;
          continue;
        }
        strays++;
        if (strayExamples.length < limit)
          strayExamples.push(`blob ${blob.sha256} (stored ${blob.modifiedAt.toISOString()})`);
      }
    }
    checks.push({
      name: 'stored-blobs-have-rows',
      description: `no stored content older than the grace period (${graceHours} h) lacks its blobs row`,
      ok: strays === 0,
      checked: stored,
      failing: strays,
      examples: strayExamples,
      notes: [
        ...(young ? [`${young} newer unrecorded blob(s) left alone (within the grace period)`] : []),
        ...(!store || options.skipStoreScan ? ['blob store not scanned'] : []),
      ],
    });
  }

  // 5. The audit chain, against the newest checkpoint in the store.
  const audit = await verifyAgainstStore(
    db,
    store,
    typeof options.auditKeys === 'string' ? auditKeys(options.auditKeys) : options.auditKeys,
  );
  checks.push({
    name: 'audit-chain',
    description: 'the audit hash chain verifies, up to its newest checkpoint',
    ok: audit.ok,
    checked: audit.checked,
    failing: audit.ok ? 0 : 1,
    examples: audit.problem ? [`${audit.problem.kind}: ${audit.problem.message}`] : [],
    notes: [
      `${audit.pending} entr${audit.pending === 1 ? 'y' : 'ies'} waiting to be sealed`,
      audit.checkpoint
        ? `newest checkpoint: link ${audit.checkpoint.seq}, written ${audit.checkpoint.at}`
        : 'no checkpoint in the file store yet',
    ],
  });

  return { ok: checks.every((c) => c.ok), checkedAt: new Date().toISOString(), checks, audit };
}

/** The report as text, one line per check, then the offending ids of the failing ones. */
export function formatIntegrityReport(report: IntegrityReport): string {
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(
      `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.description} (${c.checked} checked${c.failing ? `, ${c.failing} failing` : ''})`,
    );
    for (const e of c.examples) lines.push(`        - ${e}`);
    for (const n of c.notes ?? []) lines.push(`        · ${n}`);
  }
  const failing = report.checks.filter((c) => !c.ok).length;
  lines.push(
    report.ok ? 'Integrity OK.' : `Integrity check FAILED: ${failing} check${failing === 1 ? '' : 's'} found problems.`,
  );
  return lines.join('\n');
}
