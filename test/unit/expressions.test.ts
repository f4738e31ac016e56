import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCatalog,
  checkExpression,
  checkExpressions,
  compileExpression,
  fixedClock,
  type ExpressionContext,
} from '../../src/rules/expressions/index.js';
import { ANSWER, CASES, CYCLE_CASES, DEFINITION, householdWith, NOW, type ExpressionCase } from './expression-cases.js';

const catalog = buildCatalog(DEFINITION);
const clock = fixedClock(NOW);
const PATH = 'sections[0].fields[3].showIf';

function run(c: ExpressionCase) {
  const context: ExpressionContext = { path: PATH, section: c.section ?? 'h', table: c.table, expect: c.expect };
  const result = checkExpression(c.expression, context, catalog);
  const answer = 'answer' in c ? c.answer : c.h ? { ...ANSWER, h: householdWith(c.h) } : ANSWER;
  const value = result.expression
    ? compileExpression(result.expression).evaluate(answer, { row: c.row, clock })
    : undefined;
  return { result, value };
}

const label = (c: ExpressionCase) =>
  c.expression.length > 80 ? `${c.expression.slice(0, 77)}... (${c.expression.length} characters)` : c.expression;

describe('the expression table', () => {
  it('holds at least 150 cases, values and refusals both', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
    expect(CASES.filter((c) => 'error' in c).length).toBeGreaterThanOrEqual(50);
  });

  it.each(CASES.map((c, i) => [i, label(c), c] as const))('%i %s', (_, __, c) => {
    const { result, value } = run(c);
    if (c.error !== undefined) {
      expect(result.expression).toBeNull();
      expect(result.problems.length).toBeGreaterThan(0);
      expect(result.problems.map((p) => p.message).join('\n')).toContain(c.error);
      for (const p of result.problems) expect(p.path).toBe(PATH);
    } else {
      expect(result.problems.map((p) => p.message)).toEqual([]);
      expect(value).toEqual(c.value);
    }
  });
});

describe('cycles among calculations, defaults and showIf', () => {
  it.each(CYCLE_CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const checked = checkExpressions(catalog, c.items);
    expect(checked.problems.filter((p) => p.code !== 'cycle').map((p) => p.message)).toEqual([]);
    expect(checked.problems.filter((p) => p.code === 'cycle').map(({ path, message }) => ({ path, message }))).toEqual(
      c.cycles,
    );
    expect(checked.checked.every((x) => x !== null)).toBe(true);
    if (c.order) expect(checked.order.map((id) => catalog.byId.get(id)!.key)).toEqual(c.order);
  });

  it('reports a refused expression at its own path, beside the others', () => {
    const checked = checkExpressions(catalog, [
      { role: 'showIf', owner: 'f_name', source: '${adults} + 1', path: 'sections[0].fields[2].showIf', section: 'h' },
      {
        role: 'constraint',
        source: '${end} >= ${start} and ${nope}',
        path: 'sections[0].constraints[0].expression',
        section: 'h',
      },
      {
        role: 'calculated',
        owner: 'f_due',
        source: '${start} + 1',
        path: 'sections[0].fields[20].expression',
        section: 'h',
      },
    ]);
    expect(checked.problems.map((p) => [p.path, p.code])).toEqual([
      ['sections[0].fields[2].showIf', 'type'],
      ['sections[0].constraints[0].expression', 'unknown-key'],
    ]);
    expect(checked.checked.map((x) => x !== null)).toEqual([false, false, true]);
  });

  it('finds a cycle through a chain of 2,000 calculations without running out of stack', () => {
    const fields = Array.from({ length: 2000 }, (_, i) => ({
      id: `f_${i}`,
      key: `k${i}`,
      type: 'calculated',
      resultType: 'decimal',
    }));
    const wide = buildCatalog({ sections: [{ id: 's_w', key: 'w', fields }] });
    const items = fields.map((f, i) => ({
      role: 'calculated' as const,
      owner: f.id,
      source: `\${k${(i + 1) % fields.length}} + 1`,
      path: `sections[0].fields[${i}].expression`,
      section: 'w',
    }));
    const cycles = checkExpressions(wide, items).problems.filter((p) => p.code === 'cycle');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.message).toMatch(/k0 -> k1 -> k2 -> .* -> k1999 -> k0$/);
    const acyclic = checkExpressions(wide, items.slice(0, -1));
    expect(acyclic.problems).toEqual([]);
    expect(acyclic.order.slice(0, 2)).toEqual(['f_1998', 'f_1997']);
  });
});

describe('evaluation', () => {
  const compiled = (source: string, context: Partial<ExpressionContext> = {}) => {
    const result = checkExpression(source, { path: 'p', section: 'h', ...context }, catalog);
    expect(result.problems).toEqual([]);
    return compileExpression(result.expression!);
  };

  it('returns the fields it reads, each once, by id', () => {
    expect(
      compiled('${adults} + ${adults} + ${p.age} + sum(${items.price}) + count(${p.visits.cost})').dependencies,
    ).toEqual(['f_adults', 'f_age', 'c_price', 'c_vcost']);
    expect(compiled('${price} * ${h.children}', { table: 'items' }).dependencies).toEqual(['c_price', 'f_children']);
    expect(compiled("'${adults}' = 'x'").dependencies).toEqual([]);
  });

  it('holds() is true only for true: showIf, required and constraints', () => {
    const rule = compiled('${children} > 1');
    expect(rule.holds(ANSWER)).toBe(true);
    expect(rule.holds({ h: householdWith({ children: 0 }) })).toBe(false);
    expect(rule.holds({})).toBe(false);
    expect(compiled('coalesce(null, null) = null').holds({})).toBe(true);
  });

  it('reads today() and now() from the clock it is given', () => {
    const rule = compiled('days_between(${start}, today())');
    expect(rule.evaluate(ANSWER, { clock: fixedClock('2024-01-11T00:00:00Z') })).toBe(1);
    expect(rule.evaluate(ANSWER, { clock: fixedClock('2024-01-10T23:30:00Z', 60) })).toBe(1);
    expect(rule.evaluate(ANSWER, { clock: fixedClock('2024-01-10T23:30:00Z') })).toBe(0);
    expect(compiled('now()').evaluate({}, { clock: fixedClock('2030-01-01T00:00:00+01:00') })).toBe(
      '2029-12-31T23:00:00.000Z',
    );
  });

  it('evaluates a column rule per row and the table over all rows', () => {
    const line = compiled('${price} * ${qty}', { table: 'items' });
    const rows = (ANSWER.h.items as Record<string, unknown>[]).map((row) => line.evaluate(ANSWER, { row }));
    expect(rows).toEqual([5, null, 12]);
  });

  it('gives the same value however often it runs (no state between answers)', () => {
    const rule = compiled("if(selected(${tags}, 'red'), sum(${items.price}), 0)");
    const other = { h: householdWith({ tags: ['blue'] }) };
    expect([rule.evaluate(ANSWER), rule.evaluate(other), rule.evaluate(ANSWER)]).toEqual([6.5, 0, 6.5]);
  });
});

describe('hostile input', () => {
  it('never throws, whatever the text: it is parsed or refused with a position inside it', () => {
    const alphabet = fc.constantFrom(
      ...'${}.()\'"\\ ,=!<>+-*/and or not 1 0.5 adults items.price h.x ? : [ ] & | ; @ e'.split(''),
      '${',
      '${adults}',
      'sum(',
      "'",
      'not ',
      ' and ',
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 60 }).map((parts) => parts.join('')),
        (source) => {
          const result = checkExpression(source, { path: 'x', section: 'h' }, catalog);
          if (result.expression) {
            expect(() => compileExpression(result.expression!).evaluate(ANSWER, { clock })).not.toThrow();
          } else {
            for (const p of result.problems) {
              expect(p.message.length).toBeGreaterThan(0);
              if (p.position !== undefined) expect(p.position).toBeLessThanOrEqual(source.length);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on any string of any characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'grapheme' }), (source) => {
        expect(() => checkExpression(source, { path: 'x', section: 'h' }, catalog)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('reports the first 20 problems of an expression full of mistakes, each naming its reference', () => {
    const source = Array.from({ length: 700 }, (_, i) => `\${nope${i}}`).join(' + ');
    expect(source.length).toBeLessThanOrEqual(10_000);
    const { problems } = checkExpression(source, { path: 'x', section: 'h' }, catalog);
    expect(problems).toHaveLength(20);
    expect(problems[0]!.message).toBe('${nope0} at character 1: section h has no question nope0');
    expect(problems[19]!.message).toContain('${nope19}');
  });

  it('does not use eval, Function or Node APIs (the module is bundled for the browser)', () => {
    const folder = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/rules/expressions');
    for (const file of readdirSync(folder)) {
      const text = readFileSync(path.join(folder, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(text, file).not.toMatch(
        /\beval\s*\(|new Function|\bFunction\s*\(|from 'node:|\bprocess\.|\bBuffer\b|\brequire\(/,
      );
    }
  });
});
