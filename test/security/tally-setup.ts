import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import type { Figures } from './tally.js';

/**
 * Global setup of the reliability and security suites: a directory for each file's tally, and at
 * the end of the run one summary of every figure (also summed over files).
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gb-tally-'));
  project.provide('tallyDir', dir);
  return () => {
    try {
      const tallies = readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map(
          (f) =>
            JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { suite: string; figures: Figures; notes: string[] },
        );
      if (tallies.length === 0) return;
      const totals: Figures = {};
      const lines: string[] = ['', '════ reliability and security figures ════'];
      for (const t of tallies.sort((a, b) => a.suite.localeCompare(b.suite))) {
        lines.push(`== ${t.suite}`);
        for (const [k, v] of Object.entries(t.figures)) {
          lines.push(`  ${k.padEnd(44)} ${v}`);
          totals[k] = (totals[k] ?? 0) + v;
        }
        for (const n of t.notes) lines.push(`  · ${n}`);
      }
      lines.push('== totals');
      for (const [k, v] of Object.entries(totals)) lines.push(`  ${k.padEnd(44)} ${v}`);
      console.log(lines.join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
