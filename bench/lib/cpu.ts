import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

/**
 * Where the CPU went during a measurement, from /proc: per process (utime + stime), for the
 * PostgreSQL backends of one database, and for the whole machine. On a 2-core machine the web
 * process, PostgreSQL, Redis and the load generator share two cores, so "CPU ms per request" of
 * each says which one a rate is bound by; the machine's busy time minus ours shows foreign load
 * (other people's tests on a shared machine).
 */

const TICK_MS = 10; // USER_HZ is 100 on Linux

export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** Busy, interrupt (loopback networking is mostly softirq) and total CPU time of the machine, in ms. */
function machineMs(): { busy: number; irq: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = n[3]! + n[4]!;
  return { busy: (total - idle) * TICK_MS, irq: (n[5]! + n[6]!) * TICK_MS, total: total * TICK_MS };
}

/** Every PostgreSQL server process (backends of all databases, checkpointer, WAL writer, autovacuum...). */
export function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Backends connected to `database` (the one asking included: it may be a connection under test). */
export async function backendPids(pool: pg.Pool | pg.Client, database: string): Promise<number[]> {
  const r = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  return r.rows.map((row) => row.pid);
}

export interface CpuUse {
  /** CPU ms per named process group. */
  groups: Record<string, number>;
  /** Machine busy ms, over all cores, and the wall time it covers. */
  machineBusy: number;
  /** Interrupt time (softirq: loopback TCP), which no process is charged for. */
  irq: number;
  wallMs: number;
  cores: number;
}

/**
 * Starts measuring; `stop()` returns the CPU each group used since. Groups are functions returning
 * pids, read again at stop (PostgreSQL backends come and go with pool connections).
 */
export async function cpuMeter(
  named: Record<string, () => Promise<number[]> | number[]>,
): Promise<{ stop(): Promise<CpuUse> }> {
  // PostgreSQL's own background work (WAL writer, checkpointer, autovacuum) and other databases'
  // backends, apart from the backends of the database under test.
  const ours = async () => new Set((await Promise.all(Object.values(named).map(async (get) => get()))).flat());
  const rest = async () => {
    const mine = await ours();
    return postgresPids().filter((pid) => !mine.has(pid));
  };
  const groups = { ...named, 'postgres (background, other databases)': rest };
  const before = new Map<number, number>();
  for (const get of Object.values(groups)) for (const pid of await get()) before.set(pid, processCpuMs(pid));
  const m0 = machineMs();
  const t0 = performance.now();
  const self0 = process.cpuUsage();
  return {
    stop: async () => {
      const result: Record<string, number> = {};
      for (const [name, get] of Object.entries(groups)) {
        let sum = 0;
        for (const pid of await get()) sum += processCpuMs(pid) - (before.get(pid) ?? 0);
        result[name] = sum;
      }
      const self = process.cpuUsage(self0);
      result['bench process'] = (self.user + self.system) / 1000;
      const m1 = machineMs();
      const wallMs = performance.now() - t0;
      return {
        groups: result,
        machineBusy: m1.busy - m0.busy,
        irq: m1.irq - m0.irq,
        wallMs,
        cores: Math.round((m1.total - m0.total) / wallMs) || 1,
      };
    },
  };
}

/** "CPU ms per request: web 3.10, postgres 1.20, ...; machine 98% busy of 2 cores (interrupts 3%, other processes 6%)". */
export function describeCpu(use: CpuUse, count: number, unit = 'request'): string {
  const ours = Object.values(use.groups).reduce((a, b) => a + b, 0);
  const each = Object.entries(use.groups)
    .map(([name, ms]) => `${name} ${(ms / Math.max(1, count)).toFixed(2)}`)
    .join(', ');
  const capacity = use.wallMs * use.cores;
  const pct = (ms: number) => Math.max(0, Math.round((ms / capacity) * 100));
  return (
    `CPU ms per ${unit}: ${each}; machine ${pct(use.machineBusy)}% busy of ${use.cores} cores (interrupts ` +
    `${pct(use.irq)}%, other processes ${pct(use.machineBusy - use.irq - ours)}%)`
  );
}
