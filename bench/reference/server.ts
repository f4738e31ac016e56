/**
 * The ingest reference: what the submission API costs with nothing but node:http, the rules engine and pg.
 * It parses `{"data": payload}`, judges the payload with the same compiled rules as
 * Gridbook (compileRules over wideDefinition(FIELDS)), and in one transaction inserts the JSONB
 * row and one typed row holding every section field (FIELDS columns, the same PostgreSQL types as
 * published tables). No authentication, no audit entry, no queue: the floor, not a competitor.
 *
 * Env: DATABASE_URL, PORT, FIELDS (default 300), POOL_SIZE (default 10, as the web process).
 */
import http from 'node:http';
import pg from 'pg';
import { connectionConfig } from '../../src/db/pool.js';
import { FIELD_TYPE_SPECS } from '../../src/templates/field-types.js';
import { compileRules } from '../../src/rules/index.js';
import { wideDefinition } from '../lib/template.js';

const definition = wideDefinition(Number(process.env.FIELDS ?? 300));
const rules = compileRules(definition);
const fields = definition.sections.flatMap((s) =>
  s.fields.map((f) => ({ section: s.key, key: f.key, type: FIELD_TYPE_SPECS[f.type].pgType })),
);
const pool = new pg.Pool({ ...connectionConfig(process.env.DATABASE_URL!), max: Number(process.env.POOL_SIZE ?? 10) });

const columns = fields.map((_, i) => `c${i + 1}`);
await pool.query(
  `CREATE TABLE IF NOT EXISTS ref_submissions (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ` +
    `payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
);
await pool.query(
  `CREATE TABLE IF NOT EXISTS ref_typed (submission_id bigint PRIMARY KEY REFERENCES ref_submissions (id), ` +
    `${fields.map((f, i) => `${columns[i]} ${f.type}`).join(', ')})`,
);
const insertTyped = `INSERT INTO ref_typed (submission_id, ${columns.join(', ')}) VALUES (${['$1', ...columns.map((_, i) => `$${i + 2}`)].join(', ')})`;

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function ingest(raw: string): Promise<{ status: number; body: unknown }> {
  let data: Record<string, Record<string, unknown>>;
  try {
    data = (JSON.parse(raw) as { data: typeof data }).data;
  } catch {
    return { status: 400, body: { error: 'invalid JSON' } };
  }
  const problems = rules.check(data);
  if (problems.length) return { status: 422, body: { errors: problems } };
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string }>(
      'INSERT INTO ref_submissions (payload) VALUES ($1) RETURNING id',
      [JSON.stringify(data)],
    );
    await client.query(insertTyped, [rows[0]!.id, ...fields.map((f) => data[f.section]?.[f.key] ?? null)]);
    await client.query('COMMIT');
    return { status: 202, body: { id: rows[0]!.id } };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET') return reply(res, 200, { status: 'ready' });
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    ingest(Buffer.concat(chunks).toString()).then(
      (r) => reply(res, r.status, r.body),
      (e: Error) => reply(res, 500, { error: e.message }),
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('reference server listening'));
const stop = () => {
  server.close(() => void pool.end().then(() => process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
