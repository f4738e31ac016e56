/**
 * Figures the reliability and security suites count and print: each test file keeps a tally,
 * prints it, and writes it where the global teardown (tally-setup.ts) finds it to print the totals.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    tallyDir: string;
  }
}

export type Figures = Record<string, number>;

export class Tally {
  readonly figures: Figures = {};
  /** Free-form lines printed with the figures (what was tried, notable outcomes). */
  readonly notes: string[] = [];

  constructor(readonly suite: string) {}

  add(name: string, n = 1): void {
    this.figures[name] = (this.figures[name] ?? 0) + n;
  }

  set(name: string, n: number): void {
    this.figures[name] = n;
  }

  get(name: string): number {
    return this.figures[name] ?? 0;
  }

  note(line: string): void {
    this.notes.push(line);
  }

  format(): string {
    const width = Math.max(...Object.keys(this.figures).map((k) => k.length), 10);
    const lines = Object.entries(this.figures).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
    return [`== ${this.suite}`, ...lines, ...this.notes.map((n) => `  · ${n}`)].join('\n');
  }

  /** Prints the tally and leaves it for the run's summary. */
  publish(): void {
    console.log(`\n${this.format()}\n`);
    let dir: string | undefined;
    try {
      dir = inject('tallyDir');
    } catch {
      dir = undefined;
    }
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${this.suite.replace(/[^a-z0-9]+/gi, '-')}-${process.pid}-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify({ suite: this.suite, figures: this.figures, notes: this.notes }));
  }
}

/** One HTTP outcome of a hostile input: counted as tried, refused (4xx) or 5xx. */
export function countOutcome(tally: Tally, status: number): void {
  tally.add('hostile inputs tried');
  if (status >= 400 && status < 500) tally.add('refused with 4xx');
  else if (status >= 500) tally.add('5xx seen');
  else tally.add('accepted although hostile (2xx/3xx)');
}

/** A hostile input the app ignored harmlessly (answered as if it were absent): tried, not refused. */
export function countIgnored(tally: Tally): void {
  tally.add('hostile inputs tried');
  tally.add('ignored harmlessly (same answer as without it)');
}

/** A hostile request the admin panel answered by sending the caller to sign in. */
export function countSentToSignIn(tally: Tally): void {
  tally.add('hostile inputs tried');
  tally.add('refused (sent to sign in)');
}
