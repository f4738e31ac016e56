import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { PROJECT_ROOT as ROOT } from '../../src/config/paths.js';

export { freePort } from '../../test/helpers/process.js';

/** The repository root: children run from it, whatever the bench's working directory. */
export { ROOT };

/** Resident set size of a process, in MB, from /proc (null once it has exited). */
export function rssMb(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export interface Child {
  name: string;
  pid: number;
  /** The last 20 kB it printed (stdout and stderr), and how it exited, for error messages. */
  output(): string;
  /** Highest RSS seen since start or the last resetPeak(), sampled every 200 ms. */
  peakRssMb(): number;
  resetPeak(): void;
  /** SIGTERM (the entry points shut down cleanly, which also writes --cpu-prof profiles), SIGKILL after 20 s. */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();
// A bench that throws or is interrupted must not leave servers and workers behind.
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const c of live) c.kill('SIGKILL');
    process.exit(130);
  });
}

/**
 * Runs a TypeScript entry point as `node --import tsx <script>` (plain `node` with tsx: false). BENCH_CPU_PROF=1 adds --cpu-prof,
 * writing the child's profiles under bench/results/profiles/<name>-<time>/ when it stops.
 */
export function spawnNode(
  name: string,
  script: string,
  env: Record<string, string>,
  options: { tsx?: boolean; nodeArgs?: string[] } = {},
): Child {
  // One directory per child: node writes one profile per thread (the main one is the largest;
  // tsx's module-loader thread writes a small one), named by pid and thread id.
  const profile =
    process.env.BENCH_CPU_PROF === '1'
      ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench/results/profiles', `${name}-${Date.now()}`)}`]
      : [];
  const loader = options.tsx === false ? [] : ['--import', 'tsx'];
  const child = spawn(
    process.execPath,
    [...profile, ...(options.nodeArgs ?? []), ...loader, path.resolve(ROOT, script)],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      out += `\n[${name} exited: code ${code}, signal ${signal}]`;
      live.delete(child);
      clearInterval(sampler);
      resolve(code);
    }),
  );
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(child.pid!) ?? 0);
  }, 200);
  sampler.unref();
  return {
    name,
    pid: child.pid!,
    output: () => out,
    peakRssMb: () => Math.max(peak, rssMb(child.pid!) ?? 0),
    resetPeak: () => {
      peak = 0;
    },
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 200; rejects if the child exits or after `timeoutMs`. */
export async function waitForHttp(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child.name} exited before ${url} answered:\n${child.output()}`);
    const status = await new Promise<number>((resolve) => {
      const req = http.get(url, { agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.setTimeout(1000, () => req.destroy());
      req.on('error', () => resolve(0));
    });
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${child.output()}`);
}

/** Waits until the child printed something matching `pattern` (rejects if it exits first). */
export async function waitForOutput(child: Child, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  while (!pattern.test(child.output())) {
    if (exited || Date.now() > deadline)
      throw new Error(
        `${child.name} ${exited ? 'exited' : 'timed out'} before printing ${pattern}:\n${child.output()}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Stops every child given, in parallel, ignoring the ones already gone. */
export async function stopAll(children: (Child | undefined)[]): Promise<void> {
  await Promise.all(children.flatMap((c) => (c ? [c.stop().catch(() => {})] : [])));
}
