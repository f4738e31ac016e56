import { describe, expect, it } from 'vitest';
import {
  buildAnswer,
  computedAnswer,
  constraintProblems,
  initialValues,
  shownKeys,
} from '../../admin/components/form-fill/values.js';
import { expressionProblemList } from '../../admin/components/form-builder/expression-check.js';
import type { Definition } from '../../src/templates/definition.schema.js';
import { validateDefinition } from '../../src/templates/definition.validate.js';
import { localize } from '../../src/rules/language.js';
import { FORMS } from '../rules/forms.js';

/** The fill page and the builder on expressions: the same engine and checker as the server, as people type. */
const definition = localize(validateDefinition(structuredClone(FORMS.expr)));
type Answer = Record<string, Record<string, unknown>>;

describe('the fill page', () => {
  it('starts with defaults filled in, as the server would fill them', () => {
    const start = initialValues(definition, {});
    expect(start.h).toMatchObject({ children: 0, town: 'Springfield', visit: new Date().toISOString().slice(0, 10) });
  });

  it('shows calculated values live, and never sends them', () => {
    const values: Answer = { h: { adults: 2, children: 1, total: 42, items: [{ price: 2, qty: 4 }] } };
    const whole = computedAnswer(definition, values);
    expect(whole.h).toMatchObject({ total: 3, big: false, size: 'small' });
    expect((whole.h!.items as Record<string, unknown>[])[0]).toMatchObject({ line: 8 });
    const sent = buildAnswer(definition, values, {}, new Set());
    expect(sent.h).not.toHaveProperty('total');
    expect(sent.h!.items).toEqual([{ price: 2, qty: 4 }]);
  });

  it('decides what shows with calculated values and other sections, as the server does', () => {
    const whole = computedAnswer(definition, { h: { adults: 9 }, p: { age: 30 } });
    expect(shownKeys(definition, definition.sections[1]!, whole)).toEqual(new Set(['age', 'adult', 'idno', 'crowd']));
  });

  it("shows the builder's constraint messages as the submitter types", () => {
    expect(constraintProblems(definition, { h: { adults: 1, start: '2024-05-02', end: '2024-05-01' } })).toEqual([
      { path: 'h.end', message: 'The end comes on or after the start' },
    ]);
    expect(constraintProblems(definition, { h: { adults: 1, start: '2024-05-01', end: '2024-05-01' } })).toEqual([]);
  });
});

describe('the builder', () => {
  it("puts the checker's messages on the expression inputs, by path", () => {
    const draft = structuredClone(FORMS.expr) as unknown as Definition;
    (draft.sections[0]!.fields[2] as { expression?: string }).expression = "'a' + ${adult}";
    draft.sections[0]!.fields[6]!.showIf = '${ends} > 1';
    const problems = expressionProblemList(draft);
    expect(problems.map((p) => p.path)).toEqual(['sections[0].fields[2].expression', 'sections[0].fields[6].showIf']);
    expect(problems[1]!.message).toMatch(/ends/);
    expect(expressionProblemList(structuredClone(FORMS.expr) as unknown as Definition)).toEqual([]);
  });
});
