/**
 * `node --import tsx bench/profile.ts <file.cpuprofile> [top]`: summarizes a V8 CPU profile written
 * by a child started with BENCH_CPU_PROF=1 (node --cpu-prof): self time by function and by package
 * or source file, and inclusive time of our own functions (src/, admin/), to name hot spots.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: bench/profile.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// Self time per node from the sample deltas (more exact than hitCount x interval).
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const sampled = [...self.values()].reduce((a, b) => a + b, 0);
const idle = profile.nodes
  .filter((n) => n.callFrame.functionName === '(idle)')
  .reduce((a, n) => a + (self.get(n.id) ?? 0), 0);
// Percentages are of busy time (idle excluded): where the CPU went, not how long the process lived.
const total = sampled - idle;

const where = (url: string) => {
  if (!url) return '(native/VM)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const own = /\/(src|admin|bench)\/(.*)$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url.replace(/^.*\/(node:)?/, 'node:');
};
const label = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
const selfByFn = new Map<string, number>();
const selfByPlace = new Map<string, number>();
for (const [id, ms] of self) {
  const n = byId.get(id)!;
  if (n.callFrame.functionName === '(idle)') continue;
  add(selfByFn, label(n), ms);
  add(selfByPlace, where(n.callFrame.url), ms);
}

// Inclusive time of our own functions: a node's subtree, counted once per function per stack.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
for (const [id, ms] of self) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!;
    if (!/\/(src|admin)\//.test(n.callFrame.url)) continue;
    const key = label(n);
    if (seen.has(key)) continue;
    seen.add(key);
    add(inclusive, key, ms);
  }
}

// Inclusive time per package: samples whose stack passes through it (callbacks that a package's
// I/O resumes are not on its stack, so this is a floor for libraries such as pg or bullmq).
const inclusivePlace = new Map<string, number>();
for (const [id, ms] of self) {
  if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const url = byId.get(cur)!.callFrame.url;
    if (url) seen.add(where(url));
  }
  for (const place of seen) add(inclusivePlace, place, ms);
}

const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((ms / total) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${k}`);
  }
};
console.log(
  `${file}: ${(sampled / 1000).toFixed(1)} s sampled, ${(total / 1000).toFixed(1)} s busy (percentages are of busy time)`,
);
print('Self time by package / file', selfByPlace);
print('Self time by function', selfByFn);
print('Inclusive time of our functions (src/, admin/)', inclusive);
print('Inclusive time by package / file', inclusivePlace);
