import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** One measured figure: its value, and where it makes sense, the reference measured in the same run. */
export interface Figure {
  scenario: string;
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared with, measured in the same run on the same machine. */
  reference?: { name: string; value: number };
  /** value / reference (or reference / value for times, so that > 1 always means "we are faster"). */
  ratio?: number;
  goal?: string;
  met?: boolean;
  note?: string;
}

export class Report {
  readonly figures: Figure[] = [];

  add(figure: Figure): Figure {
    this.figures.push(figure);
    const ref = figure.reference
      ? `  ref ${fmt(figure.reference.value)} ${figure.unit} (${figure.reference.name})`
      : '';
    const ratio = figure.ratio !== undefined ? `  ratio ${figure.ratio.toFixed(2)}x` : '';
    const goal = figure.goal ? `  goal ${figure.goal}: ${figure.met ? 'met' : 'MISSED'}` : '';
    console.log(`[${figure.scenario}] ${figure.name}: ${fmt(figure.value)} ${figure.unit}${ref}${ratio}${goal}`);
    return figure;
  }

  /** A time: lower is better; ratio = reference / value (> 1 means faster than the reference). */
  time(
    scenario: string,
    name: string,
    ms: number,
    reference?: { name: string; value: number },
    goal?: { text: string; maxMs: number },
  ): Figure {
    return this.add({
      scenario,
      name,
      value: round(ms),
      unit: 'ms',
      reference: reference ? { name: reference.name, value: round(reference.value) } : undefined,
      ratio: reference ? reference.value / ms : undefined,
      goal: goal?.text,
      met: goal ? ms <= goal.maxMs : undefined,
    });
  }

  /** A rate: higher is better; ratio = value / reference. */
  rate(
    scenario: string,
    name: string,
    value: number,
    unit: string,
    reference?: { name: string; value: number },
    goal?: { text: string; min: number },
  ): Figure {
    return this.add({
      scenario,
      name,
      value: round(value),
      unit,
      reference: reference ? { name: reference.name, value: round(reference.value) } : undefined,
      ratio: reference ? value / reference.value : undefined,
      goal: goal?.text,
      met: goal ? value >= goal.min : undefined,
    });
  }

  printTable(): void {
    console.log('\n| scenario | figure | value | reference | ratio | goal |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const f of this.figures) {
      console.log(
        `| ${f.scenario} | ${f.name} | ${fmt(f.value)} ${f.unit} | ` +
          `${f.reference ? `${fmt(f.reference.value)} ${f.unit} (${f.reference.name})` : ''} | ` +
          `${f.ratio !== undefined ? `${f.ratio.toFixed(2)}x` : ''} | ` +
          `${f.goal ? `${f.goal}: ${f.met ? 'met' : 'missed'}` : ''} |`,
      );
    }
  }

  async save(dir: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(
      file,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
          figures: this.figures,
        },
        null,
        2,
      ),
    );
    return file;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
const fmt = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : String(round(n)));

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
