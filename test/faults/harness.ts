/**
 * The fault-test harness: throwaway PostgreSQL and Redis, the real web and worker processes
 * (src/cli/web.ts, src/cli/worker.ts) pointed at them, a steady stream of submissions with a ledger
 * of what each one got, and the check that every accepted submission ended where it must.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { sealAll, verifyAuditChain, type ChainReport } from '../../src/audit/audit-chain.js';
import { QUEUES, submissionJobId } from '../../src/jobs/queues.js';
import { createPool, type Pool } from '../../src/db/pool.js';
import { LocalBlobStore } from '../../src/files/storage.local.js';
import { checkIntegrity, formatIntegrityReport, type IntegrityReport } from '../../src/ops/integrity.js';
import { ApiClient } from '../helpers/api-client.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { householdDefinition, householdPayload } from '../helpers/forms.js';
import { prepareTestRoles } from '../helpers/database.js';
import { freePort, spawnCli, type Spawned } from '../helpers/process.js';
import {
  startThrowawayPostgres,
  startThrowawayRedis,
  type ThrowawayPostgres,
  type ThrowawayRedis,
} from '../helpers/throwaway.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Cluster {
  pg: ThrowawayPostgres;
  redis: ThrowawayRedis;
  databaseUrl: string;
  storageDir: string;
  /** The test's own connections (checks, fixtures). */
  pool: Pool;
  baseUrl: string;
  env: Record<string, string>;
  web: Spawned | null;
  workers: Spawned[];
  startWeb(): Promise<Spawned>;
  startWorker(): Promise<Spawned>;
  /** kill -9, and waits for the exit. */
  killWorker(worker: Spawned): Promise<void>;
  destroy(): Promise<void>;
}

/** Settings that make recovery fast enough to observe within a test (all documented in the README). */
export const FAST_RECOVERY = {
  WORKER_CONCURRENCY: '8',
  PROCESSING_BATCH_SIZE: '16',
  PROCESSING_BATCH_WAIT_MS: '10',
  WORKER_LOCK_MS: '3000',
  SWEEP_INTERVAL_MS: '1000',
  SWEEP_AFTER_SECONDS: '2',
  SCHEDULER_REFRESH_MS: '1000',
  AUDIT_SEAL_INTERVAL_MS: '500',
};

export async function startCluster(): Promise<Cluster> {
  const pg = await startThrowawayPostgres();
  let redis: ThrowawayRedis | null = null;
  let pool: Pool | null = null;
  const storageDir = mkdtempSync(path.join(os.tmpdir(), 'gb-fault-storage-'));
  // The audit key, where processes without AUDIT_KEY find it outside production (src/audit/audit-key.ts).
  writeFileSync(path.join(storageDir, 'audit.key'), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  try {
    redis = await startThrowawayRedis();
    const databaseUrl = await pg.createDatabase('gridbook');
    // The processes log in as the runtime role, as in production (the harness's own pool is the owner's).
    const runtimeUrl = await prepareTestRoles(databaseUrl);
    pool = createPool(databaseUrl, { max: 4, applicationName: 'gridbook-fault-test' });
    const port = await freePort();
    const env: Record<string, string> = {
      DATABASE_URL: runtimeUrl,
      DATABASE_OWNER_URL: databaseUrl,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'gbfault',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      JWT_SECRET: randomBytes(32).toString('hex'),
      STORAGE_DIR: storageDir,
      BCRYPT_ROUNDS: '4',
      LOG_LEVEL: 'info',
      LOGIN_MAX_FAILURES_PER_IP: '100000',
      ...FAST_RECOVERY,
    };
    const cluster: Cluster = {
      pg,
      redis,
      databaseUrl,
      storageDir,
      pool,
      baseUrl: `http://127.0.0.1:${port}`,
      env,
      web: null,
      workers: [],
      async startWeb() {
        const web = spawnCli('src/cli/web.ts', env);
        cluster.web = web;
        // The first start may bundle the admin components.
        await web.waitFor(/web process listening/, 180_000);
        return web;
      },
      async startWorker() {
        const worker = spawnCli('src/cli/worker.ts', env);
        cluster.workers.push(worker);
        await worker.waitFor(/worker started/, 90_000);
        return worker;
      },
      async killWorker(worker) {
        worker.child.kill('SIGKILL');
        await worker.exited;
        cluster.workers = cluster.workers.filter((w) => w !== worker);
      },
      async destroy() {
        const children = [...cluster.workers, ...(cluster.web ? [cluster.web] : [])];
        await Promise.all(children.map((c) => c.stop('SIGKILL')));
        await pool?.end().catch(() => {});
        await redis?.destroy();
        await pg.destroy();
        rmSync(storageDir, { recursive: true, force: true });
      },
    };
    return cluster;
  } catch (error) {
    await pool?.end().catch(() => {});
    await redis?.destroy();
    await pg.destroy();
    rmSync(storageDir, { recursive: true, force: true });
    throw error;
  }
}

export interface RemoteSurvey {
  templateId: string;
  gridId: string;
  builder: TestUser;
  submitters: { user: TestUser; api: ApiClient }[];
  sectionTable: string;
  membersTable: string;
}

/** publishedSurvey (test/helpers/forms.ts) for a web process reached over HTTP. */
export async function remoteSurvey(baseUrl: string, pool: Pool, submitterCount = 2): Promise<RemoteSurvey> {
  const builder = await createUser(pool, { role: 'builder' });
  const builderApi = await new ApiClient(baseUrl).login(builder.email, builder.password);
  const grid = await builderApi.post('/grids', {
    slug: `faults-${randomBytes(3).toString('hex')}`,
    title: 'Fault tests',
  });
  if (grid.status !== 201) throw new Error(`grid: ${JSON.stringify(grid.body)}`);
  const submitters: RemoteSurvey['submitters'] = [];
  for (let i = 0; i < submitterCount; i++) {
    const user = await createUser(pool, { role: 'submitter' });
    const added = await builderApi.post(`/grids/${grid.body.data.id}/members`, { userId: user.id, role: 'submitter' });
    if (added.status !== 201) throw new Error(`member: ${JSON.stringify(added.body)}`);
    submitters.push({ user, api: await new ApiClient(baseUrl).login(user.email, user.password) });
  }
  const created = await builderApi.post(`/grids/${grid.body.data.id}/templates`, {
    slug: 'household',
    title: 'Household survey',
    definition: householdDefinition(),
  });
  if (created.status !== 201) throw new Error(`template: ${JSON.stringify(created.body)}`);
  const templateId = created.body.data.id as string;
  const published = await builderApi.post(`/templates/${templateId}/publish`);
  if (published.status !== 201) throw new Error(`publish: ${JSON.stringify(published.body)}`);
  return {
    templateId,
    gridId: grid.body.data.id,
    builder,
    submitters,
    sectionTable: `forms."f${templateId}_household"`,
    membersTable: `forms."f${templateId}_household__members"`,
  };
}

// ---------------------------------------------------------------------------------------------
// The stream of submissions and its ledger.

export interface Attempt {
  /** HTTP status, or 0 for a network error or a timeout. */
  status: number;
  at: number;
  replayed: boolean;
  errorCode?: string;
  body?: string;
}

export interface Entry {
  key: string;
  n: number;
  submitter: number;
  attempts: Attempt[];
  /** The submission id from the 2xx answer. */
  id?: string;
  outcome: 'in-flight' | 'accepted' | 'refused';
}

const STACK = /\n\s+at |at .+\.(ts|js):\d+/;

/**
 * Clients posting `householdPayload`s, each with its own Idempotency-Key, at a steady rate. A 503
 * or a network error is retried (same key) a few times with backoff, as a well-behaved client does;
 * what it finally got is kept in the ledger.
 */
export class SubmissionStream {
  readonly ledger = new Map<string, Entry>();
  /** Responses that must never happen: a 5xx other than 503, a stack trace, a non-envelope body. */
  readonly anomalies: string[] = [];
  requests = 0;
  private next = 0;
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly survey: RemoteSurvey,
    private readonly options: { clients: number; ratePerSecond: number; retries: number; prefix: string },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const interval = (1000 * this.options.clients) / this.options.ratePerSecond;
    this.loops = Array.from({ length: this.options.clients }, (_, c) => this.loop(c, interval));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async loop(client: number, interval: number): Promise<void> {
    while (this.running) {
      const started = Date.now();
      await this.submitOne(client);
      const wait = interval - (Date.now() - started);
      if (wait > 0) await sleep(wait);
    }
  }

  private async submitOne(client: number): Promise<void> {
    const n = this.next++;
    const key = `${this.options.prefix}-${n}`;
    const submitter = client % this.survey.submitters.length;
    const entry: Entry = { key, n, submitter, attempts: [], outcome: 'in-flight' };
    this.ledger.set(key, entry);
    const api = this.survey.submitters[submitter]!.api;
    for (let attempt = 0; ; attempt++) {
      const result = await this.post(api.token!, key, n);
      entry.attempts.push(result.attempt);
      if (result.attempt.status >= 200 && result.attempt.status < 300) {
        entry.outcome = 'accepted';
        entry.id = result.id;
        return;
      }
      const retryable = result.attempt.status === 503 || result.attempt.status === 0;
      if (!retryable || attempt >= this.options.retries) {
        entry.outcome = 'refused';
        return;
      }
      await sleep(250 * (attempt + 1));
    }
  }

  private async post(token: string, key: string, n: number): Promise<{ attempt: Attempt; id?: string }> {
    this.requests++;
    const at = Date.now();
    try {
      const res = await fetch(`${this.baseUrl}/api/v1/templates/${this.survey.templateId}/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
        body: JSON.stringify({ data: householdPayload(n) }),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      const attempt: Attempt = { status: res.status, at, replayed: res.headers.get('idempotent-replayed') === 'true' };
      let body:
        | {
            success?: boolean;
            data?: { id?: string };
            error?: { code?: unknown; message?: unknown; details?: unknown };
          }
        | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        this.anomalies.push(`${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
      }
      if (STACK.test(text)) this.anomalies.push(`${res.status} carries a stack trace: ${text.slice(0, 300)}`);
      if (res.status >= 500 && res.status !== 503) this.anomalies.push(`${res.status}: ${text.slice(0, 300)}`);
      if (res.status >= 400 && body && !isEnvelopeError(body))
        this.anomalies.push(`${res.status} outside the envelope: ${text.slice(0, 200)}`);
      if (res.status === 503 && body?.error?.code !== 'SERVICE_UNAVAILABLE')
        this.anomalies.push(`503 with code ${String(body?.error?.code)}`);
      if (res.status >= 400) attempt.body = text.slice(0, 300);
      return { attempt, id: body?.data?.id };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      return { attempt: { status: 0, at, replayed: false, errorCode: cause?.code ?? (error as Error).name } };
    }
  }

  accepted(): Entry[] {
    return [...this.ledger.values()].filter((e) => e.outcome === 'accepted');
  }

  /** Final statuses of refused submissions: `{ "503": n, "network": n, ... }`. */
  refusedByStatus(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.ledger.values()) {
      if (e.outcome !== 'refused') continue;
      const last = e.attempts[e.attempts.length - 1]!;
      const k = last.status === 0 ? `network (${last.errorCode})` : String(last.status);
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  }
}

export function isEnvelopeError(body: unknown): boolean {
  const b = body as { success?: unknown; error?: { code?: unknown; message?: unknown; details?: unknown } };
  return (
    b?.success === false &&
    typeof b.error?.code === 'string' &&
    typeof b.error.message === 'string' &&
    b.error.message.length > 0 &&
    Array.isArray(b.error.details)
  );
}

// ---------------------------------------------------------------------------------------------
// After a fault: every accepted submission ended where it must, exactly once.

export interface Verification {
  problems: string[];
  accepted: number;
  processed: number;
  failed: number;
  lost: number;
  /** Submissions committed whose client never got its 2xx (it gave up retrying). */
  unacknowledged: number;
  convergedMs: number;
  audit: ChainReport;
  integrity: IntegrityReport;
}

interface SubmissionState {
  id: string;
  processing_status: number;
  processing_error: string | null;
  idempotency_key: string | null;
}

/** Submissions of the template still pending (accepted or not: a commit whose answer was lost counts too). */
export async function pendingCount(pool: Pool, templateId: string): Promise<number> {
  const r = await pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM submissions WHERE template_id = $1 AND processing_status = 0',
    [templateId],
  );
  return Number(r.rows[0]!.n);
}

/**
 * Waits (bounded) until no accepted submission is pending, then checks the whole database:
 * each accepted one exists once with its key, ended processed (1) or failed with a reason (2), has
 * its typed rows exactly once (one section row, two member rows) when processed and none
 * otherwise, one creation and at most one processing audit entry; the chain verifies after
 * sealing; the integrity check passes.
 */
export async function verifyNothingLost(
  pool: Pool,
  survey: RemoteSurvey,
  stream: SubmissionStream,
  storageDir: string,
  timeoutMs = 120_000,
): Promise<Verification> {
  const problems: string[] = [];
  const accepted = stream.accepted();
  const started = Date.now();
  let pending = await pendingCount(pool, survey.templateId);
  while (pending > 0 && Date.now() - started < timeoutMs) {
    await sleep(250);
    pending = await pendingCount(pool, survey.templateId);
  }
  const convergedMs = Date.now() - started;
  if (pending > 0) problems.push(`${pending} submissions still pending ${timeoutMs / 1000} s after the fault window`);

  const rows = (
    await pool.query<SubmissionState>(
      'SELECT id, processing_status, processing_error, idempotency_key FROM submissions WHERE template_id = $1 ORDER BY id',
      [survey.templateId],
    )
  ).rows;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const keyCount = new Map<string, number>();
  for (const r of rows)
    if (r.idempotency_key) keyCount.set(r.idempotency_key, (keyCount.get(r.idempotency_key) ?? 0) + 1);

  let lost = 0;
  const lose = (why: string) => {
    lost++;
    if (problems.length < 50) problems.push(why);
  };
  for (const e of accepted) {
    const row = e.id ? byId.get(e.id) : undefined;
    if (!row) {
      lose(`accepted ${e.key} (id ${e.id}) is not in the database`);
      continue;
    }
    if (row.idempotency_key !== e.key)
      lose(`accepted ${e.key} answered with submission ${e.id}, which holds key ${row.idempotency_key}`);
    if (row.processing_status === 0) lose(`accepted ${e.key} (submission ${row.id}) is still pending`);
    if (row.processing_status === 2 && !row.processing_error?.trim())
      lose(`submission ${row.id} failed without a reason`);
  }
  for (const [key, n] of keyCount) if (n > 1) problems.push(`Idempotency-Key ${key} has ${n} submissions`);
  const acceptedKeys = new Set(accepted.map((e) => e.key));
  const acceptedIds = new Set(accepted.map((e) => e.id));
  const unacknowledged = rows.filter((r) => r.idempotency_key && !acceptedKeys.has(r.idempotency_key)).length;
  const unknown = rows.filter((r) => r.idempotency_key && !stream.ledger.has(r.idempotency_key)).length;
  if (unknown) problems.push(`${unknown} submissions carry keys this test never sent`);

  // Typed rows, exactly once.
  const sectionRows = new Map(
    (
      await pool.query<{ id: string; n: string }>(
        `SELECT submission_id AS id, count(*) AS n FROM ${survey.sectionTable} GROUP BY 1`,
      )
    ).rows.map((r) => [r.id, Number(r.n)]),
  );
  const memberRows = new Map(
    (
      await pool.query<{ id: string; n: string; d: string }>(
        `SELECT submission_id AS id, count(*) AS n, count(DISTINCT row_index) AS d FROM ${survey.membersTable} GROUP BY 1`,
      )
    ).rows.map((r) => [r.id, { n: Number(r.n), distinct: Number(r.d) }]),
  );
  let processed = 0;
  let failed = 0;
  for (const r of rows) {
    const section = sectionRows.get(r.id) ?? 0;
    const members = memberRows.get(r.id) ?? { n: 0, distinct: 0 };
    if (r.processing_status === 1) {
      processed++;
      if (section !== 1) problems.push(`processed submission ${r.id} has ${section} section rows (expected 1)`);
      if (members.n !== 2 || members.distinct !== 2)
        problems.push(`processed submission ${r.id} has ${members.n} member rows (expected 2)`);
    } else {
      if (r.processing_status === 2) failed++;
      if (r.processing_status === 0 && !acceptedIds.has(r.id))
        problems.push(`submission ${r.id} (committed, answer lost) is still pending`);
      if (section || members.n) problems.push(`submission ${r.id} (status ${r.processing_status}) has typed rows`);
    }
  }
  for (const id of sectionRows.keys()) if (!byId.has(id)) problems.push(`section row for unknown submission ${id}`);

  // Audit entries: one creation per submission, one processing entry per processed submission.
  const audit = await pool.query<{ action: string; id: string; n: string }>(
    `SELECT action, entity_id AS id, count(*) AS n FROM audit_log
      WHERE entity_type = 'submission' AND action IN ('submission.create', 'submission.processed') GROUP BY 1, 2`,
  );
  const created = new Map<string, number>();
  const processedEntries = new Map<string, number>();
  for (const a of audit.rows) (a.action === 'submission.create' ? created : processedEntries).set(a.id, Number(a.n));
  for (const r of rows) {
    if ((created.get(r.id) ?? 0) !== 1)
      problems.push(`submission ${r.id} has ${created.get(r.id) ?? 0} creation audit entries`);
    const p = processedEntries.get(r.id) ?? 0;
    if (r.processing_status === 1 ? p !== 1 : p !== 0)
      problems.push(`submission ${r.id} (status ${r.processing_status}) has ${p} 'submission.processed' entries`);
  }

  // The chain, after sealing what is waiting (the worker's sealer may be sealing at the same time).
  const auditKey = readFileSync(path.join(storageDir, 'audit.key'), 'utf8').trim();
  for (let i = 0; i < 20; i++) {
    await sealAll(pool, auditKey);
    const waiting = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_unsealed')).rows[0]!.n);
    if (waiting === 0) break;
    await sleep(100);
  }
  const chain = await verifyAuditChain(pool, auditKey);
  if (!chain.ok) problems.push(`audit chain: ${chain.problem?.message}`);

  const integrity = await checkIntegrity(pool, new LocalBlobStore(storageDir), { auditKeys: auditKey });
  if (!integrity.ok) problems.push(`integrity:\n${formatIntegrityReport(integrity)}`);

  return {
    problems,
    accepted: accepted.length,
    processed,
    failed,
    lost,
    unacknowledged,
    convergedMs,
    audit: chain,
    integrity,
  };
}

/**
 * What the queues, the database connections and the processes say, for a failure message: job
 * counts, the state of a few pending submissions' jobs, the workers' connections and their last
 * warnings.
 */
export async function diagnose(c: Cluster, templateId: string): Promise<string> {
  const lines: string[] = [];
  const queue = new Queue(QUEUES.submissions, {
    connection: { url: c.env.REDIS_URL, maxRetriesPerRequest: 1 },
    prefix: c.env.QUEUE_PREFIX,
  });
  queue.on('error', () => {});
  const maintenance = new Queue(QUEUES.maintenance, {
    connection: { url: c.env.REDIS_URL, maxRetriesPerRequest: 1 },
    prefix: c.env.QUEUE_PREFIX,
  });
  maintenance.on('error', () => {});
  try {
    lines.push(`submission jobs: ${JSON.stringify(await queue.getJobCounts())}`);
    lines.push(
      `maintenance jobs: ${JSON.stringify(await maintenance.getJobCounts())}, schedulers: ` +
        `${(await maintenance.getJobSchedulers()).map((j) => j.key).join(', ')}`,
    );
    const pending = await c.pool.query<{ id: string; updated_at: Date }>(
      'SELECT id, updated_at FROM submissions WHERE template_id = $1 AND processing_status = 0 ORDER BY id LIMIT 5',
      [templateId],
    );
    for (const row of pending.rows) {
      const job = await queue.getJob(submissionJobId(row.id));
      lines.push(
        `pending submission ${row.id} (updated ${row.updated_at.toISOString()}): job ` +
          `${job ? `${await job.getState()}, attempts ${job.attemptsMade}, failed: ${job.failedReason ?? '-'}` : 'absent'}`,
      );
    }
  } catch (error) {
    lines.push(`queues unreadable: ${(error as Error).message}`);
  } finally {
    await queue.close().catch(() => {});
    await maintenance.close().catch(() => {});
  }
  const activity = await c.pool.query<{ application_name: string; state: string; n: string; oldest: string | null }>(
    `SELECT application_name, coalesce(state, '?') AS state, count(*) AS n, max(now() - state_change)::text AS oldest
       FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  for (const a of activity.rows)
    lines.push(`connections ${a.application_name || '-'} ${a.state}: ${a.n} (oldest ${a.oldest})`);
  for (const w of c.workers) {
    const warnings = w
      .output()
      .split('\n')
      .filter((l) => /"level":(40|50|60)/.test(l));
    lines.push(
      `worker ${w.child.pid} (${w.child.exitCode === null ? 'running' : `exited ${w.child.exitCode}`}): ${warnings.length} warnings; last:`,
    );
    for (const l of warnings.slice(-4)) lines.push(`    ${l.slice(0, 400)}`);
    if (w.child.exitCode !== null) {
      lines.push('  its last output:');
      for (const l of w.output().trimEnd().split('\n').slice(-25)) lines.push(`    ${l.slice(0, 400)}`);
    }
  }
  return lines.join('\n');
}
