import { compileRules } from '../../src/rules/index.js';
import type { Definition, Field } from '../../src/templates/definition.schema.js';
import { validateDefinition } from '../../src/templates/definition.validate.js';
import {
  buildCatalog,
  checkExpressions,
  compileExpression,
  fixedClock,
  type ExpressionItem,
} from '../../src/rules/expressions/index.js';
import { percentile, type Report } from '../lib/report.js';
import { wideDefinition, widePayload } from '../lib/template.js';

const S = 'expressions';
const EXPRESSIONS = 300;

/**
 * 300 expressions (showIf, constraints, calculations: arithmetic, dates, choices, patterns, table
 * sums) over a 1,000-field version, all evaluated on one answer: milliseconds per evaluation of
 * the whole set (goal: under 5 ms). No database: the rules engine runs in-process, as the API,
 * the worker and the browser run it. Reference: the engine's own check of the same answer.
 */
export async function expressionsScenario(report: Report): Promise<void> {
  const definition = wideDefinition(1000);
  const answer = widePayload(definition);
  // Field i of a section has type mix[i % 12] (bench/lib/template.ts); q<n> is its key.
  const key = (s: number, i: number) => `\${q${s * 200 + i + 1}}`;
  const items: ExpressionItem[] = [];
  for (let j = 0; j < EXPRESSIONS; j++) {
    const s = j % definition.sections.length;
    const i = 12 * ((j * 3) % 16);
    const [text, int, dec, bool, date, single, multi] = [0, 1, 2, 3, 4, 5, 9].map((d) => key(s, i + d));
    const sources = [
      `${int} > 10 and ${bool}`,
      `round(${int} * ${dec} / 3, 2)`,
      `days_between(${date}, today()) >= 0 or ${date} = null`,
      `selected(${multi}, 'b') or ${single} = 'a'`,
      `length(${text}) <= 200 and matches(coalesce(${text}, ''), '^[^<>]*$')`,
      s === 0
        ? 'sum(${members.c5}) + count(${visits.c1}) + max(${members.c2})'
        : `if(${bool}, ${int}, 0) + coalesce(${dec}, 0)`,
    ];
    const role = (['showIf', 'calculated', 'constraint', 'showIf', 'constraint', 'calculated'] as const)[j % 6]!;
    items.push({ role, source: sources[j % 6]!, path: `expressions[${j}]`, section: definition.sections[s]!.key });
  }

  let started = performance.now();
  const checked = checkExpressions(buildCatalog(definition), items);
  if (checked.problems.length) throw new Error(`the bench's expressions are refused: ${checked.problems[0]!.message}`);
  const compiled = checked.checked.map((c) => compileExpression(c!));
  report.time(S, `check and compile ${EXPRESSIONS} expressions`, performance.now() - started);

  const clock = fixedClock('2026-06-30T12:00:00Z');
  const decides = items.map((item) => item.role !== 'calculated');
  let sink = 0;
  const evaluateAll = () => {
    for (let k = 0; k < compiled.length; k++) {
      const c = compiled[k]!;
      if (decides[k]) sink += c.holds(answer, { clock }) ? 1 : 0;
      else sink += c.evaluate(answer, { clock }) === null ? 0 : 1;
    }
  };
  const rules = compileRules(definition);
  for (let w = 0; w < 300; w++) {
    evaluateAll();
    rules.check(answer);
  }

  const runs = 2000;
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    started = performance.now();
    evaluateAll();
    times.push(performance.now() - started);
  }
  const reference: number[] = [];
  for (let r = 0; r < 500; r++) {
    started = performance.now();
    rules.check(answer);
    reference.push(performance.now() - started);
  }
  const mean = times.reduce((a, b) => a + b, 0) / runs;
  const refMean = reference.reduce((a, b) => a + b, 0) / reference.length;
  console.log(
    `[${S}] ${EXPRESSIONS} expressions on a ${definition.sections.reduce((n, s) => n + s.fields.length, 0)}-field ` +
      `version, ${runs} evaluations (true or set: ${sink})`,
  );
  report.time(
    S,
    `${EXPRESSIONS} expressions on one answer, mean`,
    mean,
    { name: 'the engine checking the same answer', value: refMean },
    { text: '< 5 ms', maxMs: 5 },
  );
  report.time(S, `${EXPRESSIONS} expressions on one answer, p99`, percentile(times, 99), undefined, {
    text: '< 5 ms',
    maxMs: 5,
  });

  allRules(report);
}

/**
 * The figure itself: ALL the rules of a 1,000-field version holding 300 expressions, as
 * the API judges an answer (defaults, 100 calculated fields, 100 showIf expressions, 100 section
 * constraints, and every input field's type and rules): 800 input fields + 100 fields shown by an
 * expression + 100 calculated fields. The version is validated as a publish would (the checker
 * refuses none of them).
 */
function allRules(report: Report): void {
  const base = wideDefinition(800);
  const sections = base.sections;
  const key = (s: number, i: number) => `\${q${s * 200 + i + 1}}`;
  const extra: Field[][] = sections.map(() => []);
  for (let j = 0; j < EXPRESSIONS; j++) {
    const s = j % sections.length;
    const i = 12 * ((j * 3) % 16);
    const [text, int, dec, bool, date, single, multi] = [0, 1, 2, 3, 4, 5, 9].map((d) => key(s, i + d));
    const id = `x${j}`;
    switch (j % 3) {
      case 0:
        extra[s]!.push({
          id: `f_${id}`,
          key: id,
          label: `Shown ${j}`,
          type: 'text',
          showIf: j % 2 ? `selected(${multi}, 'b') or ${single} = 'a'` : `${int} > 10 and ${bool}`,
        });
        break;
      case 1:
        extra[s]!.push({
          id: `f_${id}`,
          key: id,
          label: `Calculated ${j}`,
          type: 'calculated',
          resultType: 'decimal',
          expression:
            j % 2
              ? `round(${int} * ${dec} / 3, 2)`
              : s === 0
                ? 'sum(${members.c5}) + count(${visits.c1}) + max(${members.c2})'
                : `if(${bool}, ${int}, 0) + coalesce(${dec}, 0)`,
        });
        break;
      default:
        (sections[s]!.constraints ??= []).push({
          expression:
            j % 2
              ? `days_between(${date}, today()) >= 0 or ${date} = null`
              : `length(${text}) <= 200 and matches(coalesce(${text}, ''), '^[^<>]*$')`,
          message: `Rule ${j}`,
        });
    }
  }
  sections.forEach((section, s) => section.fields.push(...extra[s]!));
  const definition: Definition = validateDefinition(structuredClone(base));
  const fields = definition.sections.reduce((n, sec) => n + sec.fields.length, 0);
  const answer = widePayload(wideDefinition(800));
  const clock = fixedClock('2026-06-30T12:00:00Z');
  let started = performance.now();
  const rules = compileRules(definition);
  report.time(
    S,
    `compile all rules of a ${fields}-field version with ${EXPRESSIONS} expressions`,
    performance.now() - started,
  );
  let problems = 0;
  for (let w = 0; w < 300; w++) problems = rules.judge(answer, { clock }).problems.length;
  const runs = 1000;
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    started = performance.now();
    rules.judge(answer, { clock });
    times.push(performance.now() - started);
  }
  const mean = times.reduce((a, b) => a + b, 0) / runs;
  console.log(
    `[${S}] all rules of a ${fields}-field version with ${EXPRESSIONS} expressions, ${runs} judgements of one answer (${problems} problems found)`,
  );
  report.time(S, `all rules, ${fields} fields and ${EXPRESSIONS} expressions, one answer, mean`, mean, undefined, {
    text: '< 5 ms',
    maxMs: 5,
  });
  report.time(
    S,
    `all rules, ${fields} fields and ${EXPRESSIONS} expressions, one answer, p50`,
    percentile(times, 50),
    undefined,
    { text: '< 5 ms', maxMs: 5 },
  );
  report.time(S, `all rules, ${fields} fields and ${EXPRESSIONS} expressions, one answer, p99`, percentile(times, 99));
}
