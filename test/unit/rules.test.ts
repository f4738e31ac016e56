import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAnswer } from '../../admin/components/form-fill/values.js';
import { compileRules, fixedClock, type Problem } from '../../src/rules/index.js';
import { localize } from '../../src/rules/language.js';
import { projectPayload } from '../../src/submissions/projection.js';
import type { TemplateLayout } from '../../src/templates/catalog.js';
import type { Definition, Field } from '../../src/templates/definition.schema.js';
import { validateDefinition } from '../../src/templates/definition.validate.js';
import { compileJsonSchema } from '../../src/templates/json-schema.js';
import { wideDefinition } from '../../bench/lib/template.js';
import { CASES, CLOCK } from '../rules/cases.js';
import { FORMS } from '../rules/forms.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  a: Ajv2020,
) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: false, ownProperties: true, addUsedSchema: false });
addFormats(ajv);

const format = (problems: Problem[]) => problems.map((p) => `${p.path} (${p.label}): ${p.message}`);
const definitions = Object.fromEntries(
  Object.entries(FORMS).map(([name, form]) => [name, validateDefinition(structuredClone(form))]),
) as Record<string, Definition>;
const schemaOf = (definition: Definition, draft: boolean) =>
  ajv.compile(compileJsonSchema(localize(definition), { templateId: '1', version: 1, title: 'T' }, { draft }));
const schemas = Object.fromEntries(
  Object.entries(definitions).map(([name, d]) => [name, { full: schemaOf(d, false), draft: schemaOf(d, true) }]),
);

/** A layout whose columns are named by field id, as the worker's projection reads it. */
function layoutOf(definition: Definition): TemplateLayout {
  const table = (name: string, fields: Field[]) => ({
    name,
    naming: { name, columns: Object.fromEntries(fields.map((f) => [f.id, { name: f.id }])), used: [] },
    types: new Map(fields.map((f) => [f.id, 'text'])),
  });
  return {
    templateId: '1',
    version: 1,
    schema: 'forms',
    sections: new Map(definition.sections.map((s) => [s.id, table(s.id, s.fields)])),
    tables: new Map(
      definition.sections.flatMap((s) =>
        (s.tables ?? []).map(
          (t) =>
            [t.id, { ...table(t.id, t.columns), naming: { ...table(t.id, t.columns).naming, parent: s.id } }] as const,
        ),
      ),
    ),
  } as unknown as TemplateLayout;
}

/** A value of an answer by path: `h.total`, `h.items[0].line`. */
function valueAt(answer: unknown, path: string): unknown {
  return path
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== '')
    .reduce<unknown>(
      (v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      answer,
    );
}

describe('the rules table', () => {
  it('holds at least 200 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(200));

  it('holds at least 40 cases in several languages', () =>
    expect(CASES.filter((c) => c.form === 'lang').length).toBeGreaterThanOrEqual(40));

  it('holds at least 150 cases of expressions, constraints, calculations and defaults', () =>
    expect(CASES.filter((c) => c.form === 'expr').length).toBeGreaterThanOrEqual(150));

  // The forms-issue's own count: expressions, constraints, calculations, defaults and languages
  // (the engine's messages in each language included), each run in Node here and in Chromium.
  it('holds at least 150 cases of expressions, constraints, calculations, defaults and languages beyond the first table', () => {
    const byForm = (names: string[]) => CASES.filter((c) => names.includes(c.form)).length;
    expect(byForm(['expr', 'fn', 'lang', 'builtin', 'kiswahili'])).toBeGreaterThanOrEqual(150 + 150);
    expect(byForm(['fn'])).toBeGreaterThanOrEqual(80);
    expect(byForm(['builtin', 'kiswahili'])).toBeGreaterThanOrEqual(150);
  });

  it.each(
    CASES.map(
      (c, i) =>
        [
          i,
          `${c.form}${c.lang ? ` [${c.lang}]` : ''}${c.draft ? ' (draft)' : ''} ${JSON.stringify(c.answer)?.slice(0, 120)}`,
          c,
        ] as const,
    ),
  )('%i %s', (_, __, c) => {
    const verdict = compileRules(definitions[c.form]!, c.lang).judge(c.answer, {
      draft: c.draft === true,
      clock: fixedClock(CLOCK),
    });
    const problems = verdict.problems;
    expect(format(problems)).toEqual(c.expect);
    for (const [path, value] of Object.entries(c.computed ?? {}))
      expect(valueAt(verdict.answer, path), path).toEqual(value);
    // The published JSON Schema is the contract: whatever the engine accepts validates against it,
    // and a value the engine refuses for its shape or rules (not for required-ness) is refused there too.
    const schema = schemas[c.form]![c.draft ? 'draft' : 'full'];
    if (!problems.length) expect(schema(c.answer), JSON.stringify(schema.errors)).toBe(true);
    // Constraints are the engine's alone: the schema says them in words ($comment).
    else if (
      !problems.some((p) => p.code === 'required' || p.code === 'constraint') &&
      !JSON.stringify(c.answer).includes('"pp"')
    )
      expect(schema(c.answer)).toBe(false);
  });
});

describe('patterns run in linear time', () => {
  it('answers ^(a+)+$ on a 20,000-character near miss in milliseconds', () => {
    const rules = compileRules(
      validateDefinition({
        sections: [
          {
            id: 's_a',
            key: 'a',
            label: 'A',
            fields: [{ id: 'f_a', key: 'p', label: 'P', type: 'long_text', rules: { pattern: '^(a+)+$' } }],
          },
        ],
      }),
    );
    for (const length of [30, 1000, 20_000]) {
      const started = performance.now();
      const verdict = rules.check({ a: { p: `${'a'.repeat(length)}!` } });
      const ms = performance.now() - started;
      console.log(`^(a+)+$ on a ${length.toLocaleString('en-US')}-character near miss: ${ms.toFixed(1)} ms`);
      expect(verdict).toHaveLength(1);
      expect(ms).toBeLessThan(250);
    }
  });
});

describe('versions published before patterns ran on RE2', () => {
  it('keep their lookarounds working, though a definition can no longer be saved with one', () => {
    const definition = {
      sections: [
        {
          id: 's_a',
          key: 'a',
          label: 'A',
          fields: [{ id: 'f_y', key: 'y', label: 'Year', type: 'text', rules: { pattern: '^(?!0000)\\d{4}$' } }],
        },
      ],
    } as Definition;
    const rules = compileRules(definition);
    expect(rules.check({ a: { y: '2024' } })).toEqual([]);
    expect(format(rules.check({ a: { y: '0000' } }))).toEqual([
      'a.y (Year): Enter the answer in the format this question asks for',
    ]);
    expect(() => validateDefinition(definition)).toThrow(/cannot be checked in linear time/);
  });
});

describe('compiling a version', () => {
  it('takes milliseconds for 1,000 fields, and is done once per definition', () => {
    const definition = wideDefinition(1000);
    const started = performance.now();
    const rules = compileRules(definition);
    const ms = performance.now() - started;
    console.log(`compiling the rules of a 1,000-field version: ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(200);
    expect(compileRules(definition)).toBe(rules);
  });
});

// ---- Property: the preview, the fill page, the API and the worker agree on what shows.

type Kind = 'boolean' | 'integer' | 'single_choice' | 'text';
const CONDITION_VALUES: Record<Kind, (string | number | boolean)[]> = {
  boolean: [true, false, 'true', 'false'],
  integer: [3, '3', 0, '0', 3.0],
  single_choice: ['1', 1, 'x', '2'],
  text: ['x', 3, '3', 'y'],
};
const ANSWER_VALUES: Record<Kind, unknown[]> = {
  boolean: [true, false, null, undefined],
  integer: [3, 0, 7, null, undefined],
  single_choice: ['1', '2', 'x', null, undefined],
  text: ['x', '3', 'y', '', null, undefined],
};

const arbForm = fc
  .array(
    fc.record({
      kind: fc.constantFrom<Kind>('boolean', 'integer', 'single_choice', 'text'),
      required: fc.boolean(),
      depends: fc.option(fc.nat(), { nil: undefined }),
      condition: fc.nat(),
      useIn: fc.boolean(),
      answer: fc.nat(),
    }),
    { minLength: 1, maxLength: 10 },
  )
  .map((specs) => {
    const fields: Field[] = specs.map((s, i) => {
      const field: Field = { id: `f_x${i}`, key: `k${i}`, label: `Question ${i}`, type: s.kind };
      if (s.kind === 'single_choice') field.options = ['1', '2', 'x'].map((value) => ({ value, label: value }));
      if (s.required) field.rules = { required: true };
      if (s.depends !== undefined && i > 0) {
        const dependency = specs[s.depends % i]!;
        const pool = CONDITION_VALUES[dependency.kind];
        const value = pool[s.condition % pool.length]!;
        field.showIf = {
          field: `f_x${s.depends % i}`,
          ...(s.useIn ? { in: [value, pool[(s.condition + 1) % pool.length]!] } : { equals: value }),
        };
      }
      return field;
    });
    const values: Record<string, unknown> = {};
    specs.forEach((s, i) => {
      const pool = ANSWER_VALUES[s.kind];
      const v = pool[s.answer % pool.length];
      if (v !== undefined) values[`k${i}`] = v;
    });
    return { definition: { sections: [{ id: 's_gen', key: 'g', label: 'Generated', fields }] } as Definition, values };
  });

/** The rule as DESIGN and src/rules/relevance.ts state it, written again from the words. */
function shownBySpec(definition: Definition, values: Record<string, unknown>): Set<string> {
  const fields = definition.sections[0]!.fields;
  const norm = (kind: Field['type'], v: unknown) => (kind === 'integer' ? String(Number(v)) : String(v));
  const shown = (f: Field): boolean => {
    if (!f.showIf || typeof f.showIf === 'string') return true;
    const showIf = f.showIf;
    const dep = fields.find((d) => d.id === showIf.field)!;
    if (!shown(dep)) return false;
    let v = values[dep.key];
    if (dep.type === 'boolean' && (v === undefined || v === null)) v = false;
    if (v === undefined || v === null || v === '') return false;
    return (showIf.in ?? [showIf.equals]).some((e) => norm(dep.type, e) === norm(dep.type, v));
  };
  return new Set(fields.filter(shown).map((f) => f.id));
}

describe('chained showIf, generated', () => {
  it('the preview, the fill page, the API and the worker agree with the rule on every answer', () => {
    fc.assert(
      fc.property(arbForm, ({ definition, values }) => {
        const fields = definition.sections[0]!.fields;
        const expected = shownBySpec(definition, values);
        const rules = compileRules(definition);
        const answer = { g: values };
        // The builder's preview holds values by field id.
        const byId = Object.fromEntries(
          fields.filter((f) => values[f.key] !== undefined).map((f) => [f.id, values[f.key]]),
        );
        expect(rules.shownFieldsById('s_gen', byId)).toEqual(expected);
        // The API: a required field is reported missing exactly when it shows and has no answer.
        const missing = rules
          .check(answer)
          .filter((p) => p.code === 'required')
          .map((p) => p.path);
        expect(missing).toEqual(
          fields
            .filter(
              (f) => f.rules?.required && expected.has(f.id) && [undefined, null, ''].includes(values[f.key] as never),
            )
            .map((f) => `g.${f.key}`),
        );
        // The fill page sends only what shows (its checkboxes always hold true or false).
        const sent = buildAnswer(localize(definition), { g: values }, {}, new Set());
        const sentShown = shownBySpec(definition, {
          ...Object.fromEntries(fields.filter((f) => f.type === 'boolean').map((f) => [f.key, false])),
          ...(sent.g as object),
        });
        expect(Object.keys(sent.g!).every((key) => sentShown.has(fields.find((f) => f.key === key)!.id))).toBe(true);
        // The worker stores NULL for every hidden field, the answer for every shown one.
        const rows = projectPayload('1', answer, definition, layoutOf(definition)).byTable.get('s_gen')![0]!;
        for (const f of fields) expect(rows[f.id], f.key).toEqual(expected.has(f.id) ? (values[f.key] ?? null) : null);
        // Accepted answers validate against the published schema.
        if (rules.check(answer).length === 0) expect(schemaOf(definition, false)(answer)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
