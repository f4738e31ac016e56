import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/auth/password.js';
import type { Actor, GlobalRole, GridRole, ServiceContext } from '../../src/context.js';
import type { Queryable } from '../../src/db/pool.js';
import type { Runtime } from '../../src/runtime.js';

export interface TestUser extends Actor {
  password: string;
  name: string;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;

export const DEFAULT_PASSWORD = 'correct horse battery staple';

/** A user inserted directly (factories may skip the service: they set up, they do not test). */
export async function createUser(
  db: Queryable,
  overrides: { role?: GlobalRole; email?: string; password?: string; name?: string; active?: boolean } = {},
): Promise<TestUser> {
  const role = overrides.role ?? 'submitter';
  const email = overrides.email ?? `${role}-${unique()}@example.test`;
  const password = overrides.password ?? DEFAULT_PASSWORD;
  const name = overrides.name ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${counter}`;
  const hash = await hashPassword(password, 4);
  const result = await db.query<{ id: string }>(
    `INSERT INTO users (email, name, role, password_hash, active) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [email, name, role, hash, overrides.active ?? true],
  );
  return { id: result.rows[0]!.id, email, role, password, name };
}

export function ctxFor(actor: Actor | null): ServiceContext {
  return {
    actor: actor ? { id: actor.id, email: actor.email, role: actor.role } : null,
    requestId: 'test',
    ip: '127.0.0.1',
  };
}

/** A grid owned by `owner` (through the service, so the owner is its manager), with extra members. */
export async function createGrid(
  rt: Runtime,
  owner: TestUser,
  members: { user: TestUser; role: GridRole }[] = [],
  overrides: { slug?: string; title?: string } = {},
) {
  const slug = overrides.slug ?? `grid-${unique()}`;
  const grid = await rt.services.grids.create(ctxFor(owner), { slug, title: overrides.title ?? `Grid ${slug}` });
  for (const m of members) {
    await rt.services.grids.addMember(ctxFor(owner), grid.id, { userId: m.user.id, role: m.role });
  }
  return grid;
}
