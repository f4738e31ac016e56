/**
 * `npm run bench [scenario ...]`: runs the benchmarks against local PostgreSQL and Redis (their own
 * databases and key prefixes), prints each figure with its reference and ratio, then a table, and
 * writes JSON under bench/results/. Benchmarks measure; tests check behaviour.
 */
import '../src/config/admin-env.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Report } from './lib/report.js';
import { adminListScenario } from './scenarios/admin-list.js';
import { adminRebuildScenario } from './scenarios/admin-rebuild.js';
import { bootScenario } from './scenarios/boot.js';
import { endToEndScenario } from './scenarios/end-to-end.js';
import { exportScenario } from './scenarios/export.js';
import { expressionsScenario } from './scenarios/expressions.js';
import { firstAnswerScenario } from './scenarios/first-answer.js';
import { ingestScenario } from './scenarios/ingest.js';
import { projectionScenario } from './scenarios/projection.js';
import { publishScenario } from './scenarios/publish.js';

const SCENARIOS: Record<string, (report: Report) => Promise<void>> = {
  publish: publishScenario,
  ingest: ingestScenario,
  projection: projectionScenario,
  'end-to-end': endToEndScenario,
  'admin-list': adminListScenario,
  boot: bootScenario,
  'admin-rebuild': adminRebuildScenario,
  export: exportScenario,
  'first-answer': firstAnswerScenario,
  expressions: expressionsScenario,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !SCENARIOS[w]);
if (unknown.length) {
  console.error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
const report = new Report();
for (const [name, run] of Object.entries(SCENARIOS)) {
  if (wanted.length && !wanted.includes(name)) continue;
  console.log(`\n== ${name}`);
  await run(report);
}
report.printTable();
const file = await report.save(path.join(path.dirname(fileURLToPath(import.meta.url)), 'results'));
console.log(`\nSaved ${file}`);
process.exit(0);
