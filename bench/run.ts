/**
 * `npm run bench [scenario ...]`: runs the benchmarks against local PostgreSQL and Redis (their own
 * databases and key prefixes), prints each figure with its reference and ratio, then a table, and
 * writes JSON under bench/results/. Benchmarks measure; tests check behaviour.
 */
import { prepareAdminJs } from '../src/config/admin-env.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Report } from './lib/report.js';

// Scenarios load the admin panel: they are imported once AdminJS has what it reads when it loads.
prepareAdminJs({ production: false });

const SCENARIOS: Record<string, () => Promise<(report: Report) => Promise<void>>> = {
  publish: async () => (await import('./scenarios/publish.js')).publishScenario,
  ingest: async () => (await import('./scenarios/ingest.js')).ingestScenario,
  projection: async () => (await import('./scenarios/projection.js')).projectionScenario,
  'end-to-end': async () => (await import('./scenarios/end-to-end.js')).endToEndScenario,
  'admin-list': async () => (await import('./scenarios/admin-list.js')).adminListScenario,
  boot: async () => (await import('./scenarios/boot.js')).bootScenario,
  'admin-rebuild': async () => (await import('./scenarios/admin-rebuild.js')).adminRebuildScenario,
  export: async () => (await import('./scenarios/export.js')).exportScenario,
  'first-answer': async () => (await import('./scenarios/first-answer.js')).firstAnswerScenario,
  expressions: async () => (await import('./scenarios/expressions.js')).expressionsScenario,
  evolve: async () => (await import('./scenarios/evolve.js')).evolveScenario,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !SCENARIOS[w]);
if (unknown.length) {
  console.error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
const report = new Report();
for (const [name, load] of Object.entries(SCENARIOS)) {
  if (wanted.length && !wanted.includes(name)) continue;
  console.log(`\n== ${name}`);
  const run = await load();
  await run(report);
}
report.printTable();
const file = await report.save(path.join(path.dirname(fileURLToPath(import.meta.url)), 'results'));
console.log(`\nSaved ${file}`);
process.exit(0);
