import { describe, expect, it } from 'vitest';
import { localize } from '../../src/rules/language.js';
import { definitionProblems as problems } from '../helpers/definitions.js';
import { validateDefinition } from '../../src/templates/definition.validate.js';
import { compileJsonSchema } from '../../src/templates/json-schema.js';
import { pgTypeOf } from '../../src/templates/field-types.js';
import { kindOf } from '../../src/exports/export-plan.js';
import { FORMS } from '../rules/forms.js';

/** Expressions in the definition format: accepted forms, and what is refused at save and at publish, by path. */

type F = Record<string, unknown>;
const form = (fields: F[], extra: F = {}) => ({
  sections: [
    {
      id: 's_house',
      key: 'h',
      label: 'Household',
      fields: [
        { id: 'f_start', key: 'start', label: 'Start', type: 'date' },
        { id: 'f_end', key: 'end', label: 'End', type: 'date' },
        { id: 'f_n', key: 'n', label: 'N', type: 'integer' },
        ...fields,
      ],
      ...extra,
    },
  ],
});

describe('expressions in definitions', () => {
  it('accepts every new form: showIf and required as expressions, constraints, calculations, defaults', () => {
    expect(problems(structuredClone(FORMS.expr))).toEqual([]);
    expect(
      problems(
        form([
          {
            id: 'f_x',
            key: 'x',
            label: 'X',
            type: 'text',
            showIf: '${n} > 2',
            rules: { required: '${n} > 5' },
            default: "'none'",
          },
        ]),
      ),
    ).toEqual([]);
  });

  it('keeps the object form of showIf and required: true', () => {
    expect(
      problems(
        form([
          {
            id: 'f_x',
            key: 'x',
            label: 'X',
            type: 'text',
            showIf: { field: 'f_n', equals: 3 },
            rules: { required: true },
          },
        ]),
      ),
    ).toEqual([]);
  });

  it('refuses an unknown key, with the path of the expression', () => {
    expect(problems(form([{ id: 'f_x', key: 'x', label: 'X', type: 'text', showIf: '${nn} > 2' }]))).toEqual([
      expect.stringMatching(/^sections\[0\]\.fields\[3\]\.showIf: .*nn/),
    ]);
    expect(problems(form([], { constraints: [{ expression: '${ends} >= ${start}', message: 'm' }] }))).toEqual([
      expect.stringMatching(/^sections\[0\]\.constraints\[0\]\.expression: .*ends/),
    ]);
    expect(problems(form([{ id: 'f_x', key: 'x', label: 'X', type: 'text', rules: { required: '${zz}' } }]))).toEqual([
      expect.stringMatching(/^sections\[0\]\.fields\[3\]\.rules\.required: .*zz/),
    ]);
  });

  it("refuses a type mismatch ('a' + 1) in a calculation, a default, a constraint", () => {
    expect(
      problems(
        form([{ id: 'f_c', key: 'c', label: 'C', type: 'calculated', resultType: 'text', expression: "'a' + 1" }]),
      ),
    ).toEqual([expect.stringMatching(/^sections\[0\]\.fields\[3\]\.expression: /)]);
    expect(problems(form([{ id: 'f_x', key: 'x', label: 'X', type: 'integer', default: "'many'" }]))).toEqual([
      expect.stringMatching(/^sections\[0\]\.fields\[3\]\.default: /),
    ]);
    expect(problems(form([], { constraints: [{ expression: '${start} + ${end}', message: 'm' }] }))).toEqual([
      expect.stringMatching(/^sections\[0\]\.constraints\[0\]\.expression: /),
    ]);
    // A constraint must be a yes/no expression.
    expect(
      problems(
        form([
          { id: 'f_x', key: 'x', label: 'X', type: 'integer', constraints: [{ expression: '${x} + 1', message: 'm' }] },
        ]),
      ),
    ).toEqual([expect.stringMatching(/^sections\[0\]\.fields\[3\]\.constraints\[0\]\.expression: /)]);
  });

  it('refuses a cycle between calculations, naming the chain', () => {
    const got = problems(
      form([
        { id: 'f_a', key: 'a', label: 'A', type: 'calculated', resultType: 'integer', expression: '${b} + 1' },
        { id: 'f_b', key: 'b', label: 'B', type: 'calculated', resultType: 'integer', expression: '${a} + 1' },
      ]),
    );
    expect(got).toEqual([
      expect.stringMatching(/^sections\[0\]\.fields\[[34]\]\.expression: .*cycle.*a -> b -> a|b -> a -> b/),
    ]);
  });

  it('refuses a cycle through a default and a showIf', () => {
    const got = problems(
      form([
        { id: 'f_a', key: 'a', label: 'A', type: 'integer', default: '${b}' },
        { id: 'f_b', key: 'b', label: 'B', type: 'integer', showIf: '${a} > 1' },
      ]),
    );
    expect(got.some((p) => /cycle/.test(p))).toBe(true);
  });

  it('refuses a calculated field without its parts, and those parts on other fields', () => {
    expect(problems(form([{ id: 'f_c', key: 'c', label: 'C', type: 'calculated' }]))).toEqual([
      'sections[0].fields[3].resultType: a calculated field needs a resultType: decimal, integer, text, boolean or date',
      'sections[0].fields[3].expression: a calculated field needs an expression',
    ]);
    expect(
      problems(form([{ id: 'f_x', key: 'x', label: 'X', type: 'integer', resultType: 'integer', expression: '1' }])),
    ).toEqual([
      'sections[0].fields[3].resultType: only calculated fields have a resultType',
      'sections[0].fields[3].expression: only calculated fields have an expression (a condition goes in showIf, a check in constraints)',
    ]);
    expect(
      problems(
        form([
          { id: 'f_c', key: 'c', label: 'C', type: 'calculated', resultType: 'integer', expression: '1', default: '2' },
        ]),
      ),
    ).toEqual(['sections[0].fields[3].default: a calculated field is always computed: it has no default']);
    expect(
      problems(
        form([
          {
            id: 'f_c',
            key: 'c',
            label: 'C',
            type: 'calculated',
            resultType: 'integer',
            expression: '1',
            rules: { required: true },
          },
        ]),
      ),
    ).toEqual(['sections[0].fields[3].rules.required: does not apply to a calculated field']);
  });

  it('gives a calculated field the column type of its result type', () => {
    expect(
      ['decimal', 'integer', 'text', 'boolean', 'date'].map((resultType) =>
        pgTypeOf({ type: 'calculated', resultType: resultType as 'text' }),
      ),
    ).toEqual(['numeric', 'bigint', 'text', 'boolean', 'date']);
  });

  it('exports a calculated field as its result type', () => {
    expect(
      ['decimal', 'integer', 'text', 'boolean', 'date'].map((resultType) =>
        kindOf({ type: 'calculated', resultType: resultType as 'text' }),
      ),
    ).toEqual(['number', 'number', 'text', 'boolean', 'date']);
  });

  it('publishes a calculated field as read-only and ignored in the JSON Schema, and never required', () => {
    const schema = compileJsonSchema(localize(validateDefinition(structuredClone(FORMS.expr))), {
      templateId: '1',
      version: 1,
      title: 'T',
    }) as { properties: { h: { properties: Record<string, F>; required?: string[] } } };
    const total = schema.properties.h.properties.total!;
    expect(total.readOnly).toBe(true);
    expect(String(total.$comment)).toMatch(/ignored/);
    expect(schema.properties.h.required).toEqual(['adults']);
    expect(String(schema.properties.h.properties.end!.$comment)).toMatch(/The end comes on or after the start/);
  });
});
