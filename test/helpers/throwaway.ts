/**
 * Throwaway servers for fault tests: a PostgreSQL cluster (initdb + pg_ctl, trust auth, in a temp
 * dir, on a free loopback port) and a redis-server (no persistence, on a free loopback port), that a
 * test may stop hard and start again. Everything they leave behind is removed by `destroy()`; an
 * exit hook kills whatever is still running if the test process dies first.
 *
 * initdb refuses to run as root, so when this process is root (CI) the PostgreSQL binaries run as
 * the unprivileged `postgres` user (runuser), with the cluster in a temp dir owned by that user.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { applyMigrations } from '../../src/db/migrations.js';
import { quoteIdent } from '../../src/db/identifiers.js';
import { freePort } from './process.js';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PG_USER = process.env.THROWAWAY_PG_OS_USER ?? 'postgres';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Everything still running, for the exit hook. */
const live = new Set<() => void>();
let hooked = false;
function onExitKill(kill: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const k of live) {
        try {
          k();
        } catch {
          // best effort
        }
      }
    });
  }
  live.add(kill);
  return () => live.delete(kill);
}

function osUserIds(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no "${name}" user on this machine: cannot run PostgreSQL as root`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs a PostgreSQL binary (as the postgres user when we are root); throws with its output on failure. */
function runPg(bin: string, args: string[], timeoutMs = 60_000): string {
  const command = path.join(PG_BIN, bin);
  const [file, argv] = isRoot ? ['runuser', ['-u', PG_USER, '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error) throw new Error(`${bin} ${args.join(' ')}: ${result.error.message}\n${output}`);
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} exited ${result.status}:\n${output}`);
  return output;
}

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ThrowawayPostgres {
  port: number;
  dir: string;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  urlFor(database: string): string;
  /** Creates a database and applies the migrations; returns its URL. */
  createDatabase(name: string, options?: { migrate?: boolean }): Promise<string>;
  /** `pg_ctl stop -m immediate` (the default) or `fast`: in-flight transactions are cut, not finished. */
  stop(mode?: 'immediate' | 'fast'): void;
  /** Starts it again (crash recovery after an immediate stop) and waits until it accepts connections. */
  start(): Promise<void>;
  isRunning(): boolean;
  /** Stops it (immediate) and removes its directory. Safe to call twice. */
  destroy(): Promise<void>;
}

/** initdb + pg_ctl start on a free loopback port, trust authentication, fsync on (as in production). */
export async function startThrowawayPostgres(
  options: { settings?: Record<string, string> } = {},
): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gb-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  if (isRoot) {
    const { uid, gid } = osUserIds(PG_USER);
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  let running = false;
  let destroyed = false;

  const killHard = () => {
    // SIGQUIT to the postmaster is an immediate shutdown; synchronous, for the exit hook.
    try {
      const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      // not running
    }
  };
  const unhook = onExitKill(() => {
    killHard();
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  });

  try {
    runPg('initdb', [
      '-D',
      data,
      '--auth=trust',
      '--username=postgres',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
  } catch (error) {
    unhook();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    max_connections: '200',
    shared_buffers: '64MB',
    fsync: 'on',
    logging_collector: 'off',
    ...options.settings,
  };
  const serverOptions = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');

  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const canConnect = async () => {
    const client = new pg.Client({ connectionString: urlFor('postgres'), connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } finally {
      await client.end().catch(() => {});
    }
  };

  const start = async () => {
    runPg('pg_ctl', ['-D', data, '-l', log, '-o', serverOptions, '-w', '-t', '60', 'start'], 90_000);
    running = true;
    await waitUntil(canConnect, 30_000, `PostgreSQL on port ${port} accepting connections`);
  };
  const stop = (mode: 'immediate' | 'fast' = 'immediate') => {
    runPg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop'], 90_000);
    running = false;
  };

  try {
    await start();
  } catch (error) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '';
    killHard();
    unhook();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${serverLog}`, { cause: error });
  }

  return {
    port,
    dir,
    urlFor,
    async createDatabase(name, opts = {}) {
      const admin = new pg.Client({ connectionString: urlFor('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
      } finally {
        await admin.end();
      }
      const url = urlFor(name);
      if (opts.migrate !== false) await applyMigrations(url);
      return url;
    },
    stop,
    start,
    isRunning: () => running,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (running) {
        try {
          stop('immediate');
        } catch {
          killHard();
        }
      }
      unhook();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ThrowawayRedis {
  port: number;
  url: string;
  /** kill -9 */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: it keeps nothing on disk). */
  start(): Promise<void>;
  flushAll(): Promise<void>;
  isRunning(): boolean;
  destroy(): Promise<void>;
}

/** redis-server on a free loopback port, without persistence (`--save "" --appendonly no`). */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gb-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let destroyed = false;
  const unhook = onExitKill(() => {
    child?.kill('SIGKILL');
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  });

  const ping = async () => {
    const client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  };

  const start = async () => {
    let output = '';
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--protected-mode',
        'yes',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    child = proc;
    try {
      // A port just released by a killed server may take a moment to be free again.
      await waitUntil(
        async () => {
          if (proc.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
          return ping();
        },
        20_000,
        `Redis on port ${port}`,
      );
    } catch (error) {
      proc.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
    }
  };
  const kill = async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    child = null;
  };

  await start();
  return {
    port,
    url,
    kill,
    start,
    async flushAll() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
    },
    isRunning: () => child !== null && child.exitCode === null,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await kill();
      unhook();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
