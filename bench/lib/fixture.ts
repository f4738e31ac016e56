import { hashPassword } from '../../src/auth/password.js';
import type { ServiceContext } from '../../src/context.js';
import type { Definition } from '../../src/templates/definition.schema.js';
import type { Runtime } from '../../src/runtime.js';
import type { BenchDb } from './env.js';
import { send } from './load.js';
import http from 'node:http';

export const PASSWORD = 'bench password 123';

export interface Fixture {
  admin: { id: string; email: string };
  /** A grid member with the submitter role: what a field app signs in as. */
  submitter: { id: string; email: string };
  gridId: string;
  templateId: string;
  definition: Definition;
}

async function user(rt: Runtime, email: string, role: string): Promise<{ id: string; email: string }> {
  const hash = await hashPassword(PASSWORD, 4);
  const r = await rt.pool.query<{ id: string }>(
    `INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`,
    [email, email, role, hash],
  );
  return { id: r.rows[0]!.id, email };
}

/** An admin, a submitter, a grid, and one published template with `definition`. */
export async function seedFixture(rt: Runtime, definition: Definition): Promise<Fixture> {
  const admin = await user(rt, 'admin@bench.test', 'admin');
  const submitter = await user(rt, 'submitter@bench.test', 'submitter');
  const ctx: ServiceContext = { actor: { ...admin, role: 'admin' }, requestId: 'bench', ip: null };
  const grid = await rt.services.grids.create(ctx, { slug: 'bench', title: 'Bench' });
  await rt.services.grids.addMember(ctx, grid.id, { userId: submitter.id, role: 'submitter' });
  const template = await rt.services.templates.create(ctx, grid.id, {
    slug: 'bench-form',
    title: 'Bench form',
    definition,
  });
  await rt.services.publisher.publish(ctx, template.id, {});
  return { admin, submitter, gridId: grid.id, templateId: template.id, definition };
}

/** Environment of a web or worker child process on the bench database (NODE_ENV=test: no production secrets needed). */
export function childEnv(db: BenchDb, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: db.config.redisUrl,
    QUEUE_PREFIX: db.config.queuePrefix,
    SESSION_SECRET: db.config.sessionSecret!,
    JWT_SECRET: db.config.jwtSecret!,
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    ...extra,
  };
}

export async function accessToken(base: string, email: string): Promise<string> {
  const agent = new http.Agent();
  const answer = await send(agent, `${base}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  agent.destroy();
  if (answer.status !== 200) throw new Error(`token: ${answer.status} ${answer.body}`);
  return (JSON.parse(answer.body) as { data: { accessToken: string } }).data.accessToken;
}

/**
 * A bearer token for runs longer than the access token's 15 minutes: signs in again every 10
 * minutes. `headers()` gives the current Authorization header; call stop() when done.
 */
export async function renewedToken(
  base: string,
  email: string,
): Promise<{ headers(): Record<string, string>; stop(): void }> {
  let token = await accessToken(base, email);
  const timer = setInterval(() => {
    accessToken(base, email).then(
      (t) => (token = t),
      () => {}, // the current token stays; the run reports the 401s if it expires
    );
  }, 10 * 60_000);
  timer.unref();
  return { headers: () => ({ authorization: `Bearer ${token}` }), stop: () => clearInterval(timer) };
}
