/**
 * Shared pieces of the security suites: raw requests (any bytes, any content type), the envelope
 * check, a snapshot of the database to prove a refused request changed nothing, and a collector of
 * findings that reports all of them at once rather than stopping at the first.
 */
import type { Pool } from '../../src/db/pool.js';
import { rawRequest } from '../helpers/upload.js';
import { countOutcome, type Tally } from './tally.js';

export interface Reply {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

export async function send(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; contentType?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  let body: Buffer | undefined;
  if (options.body !== undefined) {
    body = Buffer.isBuffer(options.body)
      ? options.body
      : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  Object.assign(headers, options.headers);
  const res = await rawRequest(`${baseUrl}${path}`, { method, headers, body });
  const text = res.body.toString('utf8');
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, headers: res.headers, json };
}

const STACK = /\n\s+at |\bat [\w.<>]+ \(.*:\d+:\d+\)|node_modules\//;

/** Why a reply is not a clear 4xx in the envelope (null when it is). */
export function notAClearRefusal(reply: Reply): string | null {
  if (reply.status >= 500) return `${reply.status}: ${reply.text.slice(0, 200)}`;
  if (reply.status < 400) return `accepted with ${reply.status}: ${reply.text.slice(0, 200)}`;
  if (STACK.test(reply.text)) return `${reply.status} carries a stack trace`;
  const b = reply.json;
  if (
    !b ||
    b.success !== false ||
    typeof b.error?.code !== 'string' ||
    typeof b.error?.message !== 'string' ||
    !b.error.message ||
    !Array.isArray(b.error.details)
  ) {
    return `${reply.status} outside the envelope: ${reply.text.slice(0, 200)}`;
  }
  return null;
}

/** Findings of one test, grouped by kind, each with its shortest example; asserted empty at the end. */
export class Findings {
  private readonly byKind = new Map<string, { count: number; example: string }>();

  add(kind: string, example: string): void {
    const found = this.byKind.get(kind);
    if (!found) this.byKind.set(kind, { count: 1, example });
    else {
      found.count++;
      if (example.length < found.example.length) found.example = example;
    }
  }

  get size(): number {
    return this.byKind.size;
  }

  list(): string[] {
    return [...this.byKind.entries()].map(
      ([kind, { count, example }]) => `${kind} (${count}×), e.g. ${example.slice(0, 400)}`,
    );
  }
}

export interface Snapshot {
  [name: string]: string;
}

/**
 * Row counts and checksums of everything a request could change: users, grids, members,
 * templates (definitions), versions, submissions (payloads, statuses), audit log, tokens,
 * sessions, files, comments, follow-ups, and every table of the forms schema.
 */
export async function snapshot(pool: Pool): Promise<Snapshot> {
  const base = await pool.query<Snapshot>(
    `SELECT
      (SELECT count(*) FROM users)::text AS users,
      (SELECT coalesce(md5(string_agg(id || ':' || email || ':' || name || ':' || role || ':' || active || ':' || ` +
      `password_hash, ',' ORDER BY id)), '') FROM users) AS users_md5,
      (SELECT count(*) FROM grids)::text AS grids,
      (SELECT coalesce(md5(string_agg(id || ':' || slug || ':' || title || ':' || description || ':' || is_deleted, ` +
      `',' ORDER BY id)), '') FROM grids) AS grids_md5,
      (SELECT count(*) FROM grid_members)::text AS members,
      (SELECT count(*) FROM templates)::text AS templates,
      (SELECT coalesce(md5(string_agg(id || ':' || title || ':' || status || ':' || definition::text || ':' || ` +
      `coalesce(current_version, 0), ',' ORDER BY id)), '') FROM templates) AS templates_md5,
      (SELECT count(*) FROM template_versions)::text AS versions,
      (SELECT count(*) FROM submissions)::text AS submissions,
      (SELECT coalesce(md5(string_agg(id || ':' || payload::text || ':' || processing_status || ':' || ` +
      `review_status, ',' ORDER BY id)), '') FROM submissions) AS submissions_md5,
      (SELECT count(*) FROM audit_log)::text AS audit,
      (SELECT count(*) FROM refresh_tokens)::text AS refresh_tokens,
      (SELECT count(*) FROM session)::text AS sessions,
      (SELECT count(*) FROM files)::text AS files,
      (SELECT count(*) FROM submission_comments)::text AS comments,
      (SELECT count(*) FROM follow_ups)::text AS follow_ups`,
  );
  const snap: Snapshot = { ...base.rows[0]! };
  const tables = await pool.query<{ name: string }>(
    `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'forms' ORDER BY 1`,
  );
  snap.forms_tables = String(tables.rowCount);
  if (tables.rows.length) {
    // One round trip for every table of the forms schema (names come from the catalog, quoted).
    const counts = await pool.query<{ name: string; n: string }>(
      tables.rows
        .map(({ name }) => `SELECT ${pgLiteral(name)} AS name, count(*)::text AS n FROM ${name}`)
        .join(' UNION ALL '),
    );
    for (const { name, n } of counts.rows) snap[`rows ${name}`] = n;
  }
  return snap;
}

const pgLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).map((k) => `${k}: ${before[k]} -> ${after[k]}`);
}

/**
 * Sends a hostile request that must be refused: a clear 4xx in the envelope, no stack, and the
 * database exactly as before. Counts it; records what went wrong in `findings`.
 */
export async function expectRefused(
  ctx: { baseUrl: string; pool: Pool; tally: Tally; findings: Findings },
  label: string,
  method: string,
  path: string,
  options: Parameters<typeof send>[3] & { checkDatabase?: boolean } = {},
): Promise<Reply> {
  const before = options.checkDatabase === false ? null : await snapshot(ctx.pool);
  const reply = await send(ctx.baseUrl, method, path, options);
  countOutcome(ctx.tally, reply.status);
  const problem = notAClearRefusal(reply);
  if (problem) ctx.findings.add(`${label}: not a clear 4xx`, `${method} ${path.slice(0, 120)} -> ${problem}`);
  if (before) {
    const changed = diffSnapshots(before, await snapshot(ctx.pool));
    if (changed.length)
      ctx.findings.add(`${label}: the database changed`, `${method} ${path.slice(0, 120)} -> ${changed.join('; ')}`);
  }
  return reply;
}

/** Deterministic pseudo-random numbers (mulberry32), for reproducible hostile inputs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
