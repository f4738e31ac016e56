import { assertSafeIdentifier, quoteIdent } from './identifiers.js';
import type { Queryable } from './pool.js';

/**
 * The database roles Gridbook runs with (see README "Database roles"):
 *
 * - the **owner** (DATABASE_OWNER_URL, or DATABASE_URL's login): owns the core tables, runs the
 *   migrations, setup, backups and restores. The web and worker processes never log in as it;
 * - the **runtime** role (DATABASE_URL's login): the web and worker processes. It owns nothing and
 *   holds only the DML it needs; on the audit tables only SELECT and INSERT (and DELETE on the
 *   sealing queue), so it can neither alter `audit_log`, disable its triggers, nor rewrite a row;
 * - the **forms** role (NOLOGIN, `<database>_forms`): owns the `forms` schema and the tables that
 *   publishing creates. The runtime role is a member of it, so publishing can create and alter form
 *   data tables (as that role, see runSchemaDdl) without owning anything of the core schema.
 *
 * prepareRoles() sets this up; it is idempotent and runs after every migration (setup, migrate,
 * start) and after a restore, whose dump carries no grants.
 */

/** The core tables the runtime role may only read and append to (never UPDATE, DELETE, TRUNCATE). */
const APPEND_ONLY = ['audit_log', 'audit_chain', 'template_versions', 'template_purges', 'instance_secrets'];
/** The queue of entries waiting to be sealed: the sealer deletes what it sealed. */
const QUEUE = ['audit_unsealed'];
/** Read only: the "pending migrations" check reads it. */
const READ_ONLY = ['pgmigrations'];

export const FORMS_SCHEMA_NAME = 'forms';
/** The schemas the forms role owns: the typed tables, and the views of them under current names. */
const FORMS_SCHEMAS = [FORMS_SCHEMA_NAME, 'forms_current'];
/** Longest database-derived prefix, so that `<prefix>_forms` fits in 63 bytes. */
const MAX_PREFIX = 56;

/** A role-name prefix from a database name: lower case, `[a-z0-9_]` only, at most 56 characters. */
function rolePrefix(database: string): string {
  let prefix = database
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, MAX_PREFIX);
  if (!/^[a-z_]/.test(prefix)) prefix = `g${prefix}`.slice(0, MAX_PREFIX);
  return prefix;
}

/** The runtime role `npm start` and setup manage when DATABASE_URL names no login: `<database>_app`. */
export function defaultRuntimeRole(database: string): string {
  return assertSafeIdentifier(`${rolePrefix(database)}_app`);
}

/** The NOLOGIN role that owns the form data tables: `<database>_forms`. */
export function formsRoleFor(database: string): string {
  return assertSafeIdentifier(`${rolePrefix(database)}_forms`);
}

export interface PrepareRolesOptions {
  /** The runtime login (DATABASE_URL's user, or the default one). */
  runtimeRole: string;
  /** Its password, when Gridbook creates it (from DATABASE_URL). */
  runtimePassword?: string;
}

export interface PreparedRoles {
  owner: string;
  runtime: string;
  forms: string;
  created: string[];
}

export class RoleSetupError extends Error {
  override name = 'RoleSetupError';
}

const PREPARE_LOCK = 7_114_201_017;

async function roleExists(db: Queryable, name: string): Promise<boolean> {
  return ((await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount ?? 0) > 0;
}

/** CREATE ROLE that tolerates a concurrent creator (roles are cluster-wide). */
async function createRole(db: Queryable, sql: string): Promise<void> {
  await db.query('SAVEPOINT create_role');
  try {
    await db.query(sql);
    await db.query('RELEASE SAVEPOINT create_role');
  } catch (error) {
    await db.query('ROLLBACK TO SAVEPOINT create_role');
    const code = (error as { code?: string }).code;
    // 42710 duplicate_object; 23505 when two sessions insert into pg_authid at once.
    if (code !== '42710' && code !== '23505') throw error;
  }
}

/**
 * Creates the runtime and forms roles if missing and grants exactly what each needs, as the owner
 * (`db` must be a client of the owner's connection, outside a transaction).
 */
export async function prepareRoles(db: Queryable, options: PrepareRolesOptions): Promise<PreparedRoles> {
  const runtime = assertSafeIdentifier(options.runtimeRole);
  const info = await db.query<{ owner: string; database: string; superuser: boolean }>(
    `SELECT current_user AS owner, current_database() AS database,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`,
  );
  const { owner, database } = info.rows[0]!;
  if (runtime === owner) {
    throw new RoleSetupError(
      `DATABASE_URL logs in as ${owner}, the role that owns the tables: the web and worker processes need a runtime role of their own. ` +
        'Set DATABASE_OWNER_URL to the owner login and DATABASE_URL to a runtime login (see README, "Database roles").',
    );
  }
  const forms = formsRoleFor(database);
  const q = quoteIdent;
  const created: string[] = [];

  await db.query('BEGIN');
  try {
    await db.query('SELECT pg_advisory_xact_lock($1)', [PREPARE_LOCK]);
    if (!(await roleExists(db, runtime))) {
      const password = options.runtimePassword
        ? (
            await db.query<{ sql: string }>('SELECT format($1, $2::text) AS sql', [
              `PASSWORD %L`,
              options.runtimePassword,
            ])
          ).rows[0]!.sql
        : '';
      await createRole(db, `CREATE ROLE ${q(runtime)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE ${password}`);
      created.push(runtime);
    }
    const flags = await db.query<{ rolsuper: boolean; owns: boolean }>(
      `SELECT r.rolsuper, pg_has_role(r.oid, (SELECT oid FROM pg_roles WHERE rolname = current_user), 'USAGE') AS owns
         FROM pg_roles r WHERE r.rolname = $1`,
      [runtime],
    );
    if (flags.rows[0]?.rolsuper || flags.rows[0]?.owns) {
      throw new RoleSetupError(
        `The runtime role ${runtime} is a superuser or a member of the owner ${owner}: it could alter audit_log. Give it a plain login.`,
      );
    }
    if (!(await roleExists(db, forms))) {
      await createRole(db, `CREATE ROLE ${q(forms)} NOLOGIN`);
      created.push(forms);
    }
    // The owner manages the form data tables too (and must be a member to hand them over). A
    // superuser owner needs no membership; one that cannot grant it learns so below, at ALTER OWNER.
    await db.query('SAVEPOINT grant_owner');
    await db.query(`GRANT ${q(forms)} TO ${q(owner)}`).then(
      () => db.query('RELEASE SAVEPOINT grant_owner'),
      () => db.query('ROLLBACK TO SAVEPOINT grant_owner'),
    );
    await db.query(`GRANT ${q(forms)} TO ${q(runtime)}`);

    // Database level: connect, and no CREATE for either role: a schema they could create (named
    // after the owner, first in its search_path as "$user") could shadow the owner's tables.
    await db.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${q(database)} TO ${q(runtime)}`);
    await db.query(`REVOKE CREATE ON DATABASE ${q(database)} FROM ${q(runtime)}, ${q(forms)}`);
    await db.query(`GRANT USAGE ON SCHEMA public TO ${q(runtime)}, ${q(forms)}`);
    await db.query('SAVEPOINT public_create');
    // PostgreSQL 15 creates databases so; older ones, upgraded, may still let everyone create in public.
    await db.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC').then(
      () => db.query('RELEASE SAVEPOINT public_create'),
      () => db.query('ROLLBACK TO SAVEPOINT public_create'),
    );

    // The core tables: DML only, then narrowed for the append-only ones.
    const tables = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v') ORDER BY 1`,
    );
    const names = new Set(tables.rows.map((r) => r.name));
    await db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${q(runtime)}`);
    for (const name of names) {
      const privileges = APPEND_ONLY.includes(name)
        ? 'SELECT, INSERT'
        : QUEUE.includes(name)
          ? 'SELECT, INSERT, DELETE'
          : READ_ONLY.includes(name)
            ? 'SELECT'
            : 'SELECT, INSERT, UPDATE, DELETE';
      await db.query(`GRANT ${privileges} ON TABLE public.${q(name)} TO ${q(runtime)}`);
    }
    await db.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${q(runtime)}`);
    // Tables the owner creates later (a migration applied before the next prepareRoles) are usable at once.
    await db.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${q(owner)} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${q(runtime)}`,
    );
    await db.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${q(owner)} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${q(runtime)}`,
    );
    // Form data tables reference submissions (ON DELETE CASCADE).
    if (names.has('submissions')) await db.query(`GRANT REFERENCES ON TABLE public.submissions TO ${q(forms)}`);

    // The forms schemas (the tables, and the views under current names) and everything in them
    // belong to the forms role.
    for (const name of FORMS_SCHEMAS) {
      const schema = await db.query<{ owner: string }>(
        `SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1`,
        [name],
      );
      if (!schema.rows[0]) continue;
      if (schema.rows[0].owner !== forms) await db.query(`ALTER SCHEMA ${q(name)} OWNER TO ${q(forms)}`);
      const foreign = await db.query<{ name: string; kind: string }>(
        `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm') AND pg_get_userbyid(c.relowner) <> $2`,
        [name, forms],
      );
      for (const t of foreign.rows) {
        const kind = t.kind === 'v' ? 'VIEW' : t.kind === 'm' ? 'MATERIALIZED VIEW' : 'TABLE';
        await db.query(`ALTER ${kind} ${q(name)}.${q(t.name)} OWNER TO ${q(forms)}`);
      }
    }
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  }
  return { owner, runtime, forms, created };
}

/**
 * What is wrong with the role a process is connected as, for a runtime process: it must not be a
 * superuser nor hold the privileges of a role owning a core table (it could then ALTER audit_log,
 * switch its triggers off and rewrite it). Empty when the role is fit.
 */
export async function runtimeRoleProblems(db: Queryable): Promise<string[]> {
  const result = await db.query<{ role: string; superuser: boolean; owned: string[] }>(
    `SELECT current_user AS role,
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND pg_has_role(current_user, c.relowner, 'USAGE')
                   ORDER BY c.relname = 'audit_log' DESC, c.relname LIMIT 3) AS owned`,
  );
  const { role, superuser, owned } = result.rows[0]!;
  if (superuser) return [`the database login ${role} is a superuser`];
  if (owned.length) return [`the database login ${role} owns (or may act as the owner of) ${owned.join(', ')}`];
  return [];
}

/**
 * Runs a publish's DDL in the form data schema as the role that owns the schema, when the current
 * role is only a member of it, so that new tables belong to that role and not to the runtime login.
 * Inside a transaction: SET LOCAL ROLE is undone at its end whatever happens. `CREATE SCHEMA IF NOT
 * EXISTS` of a schema that exists is skipped: it does nothing, yet PostgreSQL would first ask for
 * CREATE on the database, which neither role has.
 */
export async function runSchemaDdl(tx: Queryable, schema: string, statements: string[]): Promise<void> {
  const found = await tx.query<{ owner: string; self: boolean; member: boolean }>(
    `SELECT pg_get_userbyid(nspowner) AS owner, pg_get_userbyid(nspowner) = current_user AS self,
            pg_has_role(current_user, nspowner, 'MEMBER') AS member
       FROM pg_namespace WHERE nspname = $1`,
    [schema],
  );
  const row = found.rows[0];
  const existing = row ? `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}` : null;
  const run = async () => {
    for (const sql of statements) if (sql.trim() !== existing) await tx.query(sql);
  };
  if (!row || row.self || !row.member) return run();
  await tx.query(`SET LOCAL ROLE ${quoteIdent(row.owner)}`);
  await run();
  await tx.query('RESET ROLE');
}
