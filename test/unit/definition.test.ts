import { describe, expect, it } from 'vitest';
import { localize } from '../../src/rules/language.js';
import { definitionProblems as problems } from '../helpers/definitions.js';
import { ValidationError } from '../../src/errors/app-error.js';
import { assertAnswer } from '../../src/rules/assert.js';
import { compileRules } from '../../src/rules/index.js';
import { assignMissingIds, validateDefinition } from '../../src/templates/definition.validate.js';
import { compileJsonSchema } from '../../src/templates/json-schema.js';

const base = () => ({
  sections: [
    {
      id: 's_household',
      key: 'household',
      label: 'Household',
      fields: [
        {
          id: 'f_village',
          key: 'village',
          label: 'Village',
          type: 'text',
          rules: { required: true, unique: true, maxLength: 80 },
        },
        { id: 'f_size', key: 'size', label: 'Size', type: 'integer', rules: { min: 1, max: 50 } },
        {
          id: 'f_water',
          key: 'water',
          label: 'Water source',
          type: 'single_choice',
          options: [
            { value: 'well', label: 'Well' },
            { value: 'tap', label: 'Tap' },
          ],
        },
        {
          id: 'f_wdist',
          key: 'well_distance',
          label: 'Distance to well (m)',
          type: 'decimal',
          rules: { required: true },
          showIf: { field: 'f_water', equals: 'well' },
        },
      ],
      tables: [
        {
          id: 't_members',
          key: 'members',
          label: 'Members',
          minRows: 1,
          maxRows: 20,
          columns: [
            { id: 'f_mname', key: 'name', label: 'Name', type: 'text', rules: { required: true } },
            { id: 'f_mborn', key: 'born', label: 'Born', type: 'date' },
          ],
        },
      ],
    },
  ],
});

describe('definition validation', () => {
  it('accepts a good definition', () => {
    expect(problems(base())).toEqual([]);
  });

  it('reports each problem on its path', () => {
    const def = base();
    def.sections[0]!.fields.push({ id: 'f_dup', key: 'village', label: 'Again', type: 'text' } as never);
    (def.sections[0]!.fields[1] as { rules: unknown }).rules = { min: 5, max: 2, pattern: '(' };
    def.sections[0]!.fields.push({ id: 'f_bad', key: 'a";drop table x;--', label: 'x', type: 'text' } as never);
    def.sections[0]!.fields.push({ id: 'f_ch', key: 'choice', label: 'c', type: 'single_choice' } as never);
    def.sections[0]!.fields.push({
      id: 'f_if',
      key: 'cond',
      label: 'c',
      type: 'text',
      showIf: { field: 'f_nowhere', equals: 1 },
    } as never);
    expect(problems(def)).toEqual([
      'sections[0].fields[4].key: duplicate field key "village"',
      'sections[0].fields[1].rules.pattern: does not apply to an integer field',
      'sections[0].fields[1].rules.pattern: is not a valid regular expression',
      'sections[0].fields[1].rules.min: must not exceed max',
      'sections[0].fields[5].key: "a";drop table x;--" must start with a letter or underscore and hold only letters, digits and underscores',
      'sections[0].fields[6].options: a single_choice field needs at least one option',
      'sections[0].fields[7].showIf.field: refers to "f_nowhere", which is not a field of this section',
    ]);
  });

  it('reports shape problems and misspelt rules instead of dropping them', () => {
    const def = base();
    (def.sections[0]!.fields[0] as { rules: unknown }).rules = { requird: true };
    (def.sections[0]!.fields[1] as { type: string }).type = 'number';
    const found = problems(def);
    expect(found).toContain('sections[0].fields[0].rules.requird: is not allowed');
    expect(found.some((p) => p.startsWith('sections[0].fields[1].type'))).toBe(true);
  });

  it('refuses reused ids and unknown key characters, accepts Unicode keys', () => {
    const def = base();
    def.sections[0]!.fields[0]!.key = 'Straße';
    def.sections[0]!.fields[1]!.key = '名前';
    expect(problems(def)).toEqual([]);
    expect(() => validateDefinition(base(), new Set(['f_size']))).toThrow(
      '"f_size" belonged to a removed item; ids are never reused',
    );
  });

  it('refuses a section too wide for one PostgreSQL table, with a clear message', () => {
    const fields = Array.from({ length: 1700 }, (_, i) => ({
      id: `f_${i}x`,
      key: `q${i}`,
      label: `Q${i}`,
      type: 'integer',
    }));
    const found = problems({ sections: [{ id: 's_wide', key: 'wide', label: 'Wide', fields: fields.slice(0, 1700) }] });
    expect(found.join('\n')).toMatch(/sections\[0\]\.fields: .*at most 1000.*split it into several sections|maxItems/);
    const tooWide = Array.from({ length: 900 }, (_, i) => ({
      id: `f_${i}y`,
      key: `t${i}`,
      label: `T${i}`,
      type: 'text',
    }));
    expect(problems({ sections: [{ id: 's_w2', key: 'w2', label: 'W', fields: tooWide }] })).toEqual([
      'sections[0].fields: needs up to 16224 bytes per row, more than the 7800 a PostgreSQL row can hold: split it into several sections',
    ]);
  });

  it('validates 1,000 fields in well under a second', () => {
    const sections = Array.from({ length: 4 }, (_, s) => ({
      id: `s_${s}xx`,
      key: `section_${s}`,
      label: `Section ${s}`,
      fields: Array.from({ length: 250 }, (_, i) => ({
        id: `f_${s}_${i}`,
        key: `q_${i}`,
        label: `Question ${i}`,
        type: (['text', 'integer', 'boolean', 'date', 'decimal'] as const)[i % 5],
        rules: i % 5 === 0 ? { required: true, maxLength: 100 } : i % 5 === 1 ? { min: 0, max: 1000 } : {},
      })),
    }));
    const started = performance.now();
    validateDefinition({ sections });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('assigns ids to new items only', () => {
    const raw = {
      sections: [
        {
          key: 'a',
          label: 'A',
          fields: [
            { key: 'b', label: 'B', type: 'text' },
            { id: 'f_keep', key: 'c', label: 'C', type: 'text' },
          ],
        },
      ],
    };
    assignMissingIds(raw);
    expect(raw.sections[0]).toMatchObject({ id: expect.stringMatching(/^s_[0-9a-f]{12}$/) });
    expect(raw.sections[0]!.fields[0]).toMatchObject({ id: expect.stringMatching(/^f_[0-9a-f]{12}$/) });
    expect(raw.sections[0]!.fields[1]!.id).toBe('f_keep');
  });
});

describe('JSON Schema compilation and the rules of a version', () => {
  const def = validateDefinition(base());
  const meta = { templateId: '1', version: 1, title: 'Survey' };
  const rules = compileRules(def);
  const full = (answer: unknown) => rules.check(answer).length === 0;
  const draft = (answer: unknown) => rules.check(answer, { draft: true }).length === 0;
  const good = {
    household: { village: 'Kibera', size: 4, water: 'tap', members: [{ name: 'Ann', born: '1990-02-01' }] },
  };

  it('is draft 2020-12 and carries labels; conditions are described, not half-stated', () => {
    const schema = compileJsonSchema(localize(def), meta) as any;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.properties.household.properties.village.title).toBe('Village');
    expect(schema.required).toEqual(['household']);
    expect(schema.properties.household.allOf).toBeUndefined();
    expect(schema.properties.household.properties.well_distance.$comment).toBe(
      'Shown, and then required, only when "water" is shown and is "well"; when hidden, its value is not stored.',
    );
  });

  it('accepts a valid payload and reports every problem per field path, with its label', () => {
    expect(full(good)).toBe(true);
    const bad = { household: { village: '', size: 99, water: 'river', extra: 1, members: [{ born: 'yesterday' }] } };
    try {
      assertAnswer(rules, bad);
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).details).toEqual([
        {
          path: 'household.extra',
          label: 'extra',
          message: 'This section has no question with this key',
          code: 'unknown',
        },
        { path: 'household.village', label: 'Village', message: 'This answer is required', code: 'required' },
        { path: 'household.size', label: 'Size', message: 'Enter a whole number from 1 to 50', code: 'range' },
        { path: 'household.water', label: 'Water source', message: 'Choose one of: Well, Tap', code: 'option' },
        { path: 'household.members[0].name', label: 'Name', message: 'This answer is required', code: 'required' },
        { path: 'household.members[0].born', label: 'Born', message: 'Enter a date like 2024-03-31', code: 'format' },
      ]);
      expect((error as ValidationError).message).toBe(
        'extra: This section has no question with this key (and 5 more problems)',
      );
    }
  });

  it('requires a conditional field only when shown', () => {
    expect(full({ household: { ...good.household, water: 'well' } })).toBe(false);
    expect(full({ household: { ...good.household, water: 'well', well_distance: 120.5 } })).toBe(true);
    expect(full({ household: { ...good.household, water: 'tap' } })).toBe(true);
  });

  it('lets drafts be incomplete but still typed', () => {
    expect(draft({ household: { size: 3 } })).toBe(true);
    expect(draft({})).toBe(true);
    expect(draft({ household: { size: 'three' } })).toBe(false);
    expect(full({ household: { size: 3 } })).toBe(false);
  });
});

describe('pattern rules', () => {
  const withPattern = (pattern: string) => ({
    sections: [
      {
        id: 's_a',
        key: 'a',
        label: 'A',
        fields: [{ id: 'f_a', key: 'code', label: 'Code', type: 'text', rules: { pattern } }],
      },
    ],
  });

  it("refuses, on the rule's path, a pattern RE2 cannot run or that is not a regular expression", () => {
    for (const p of ['(a)\\1', '(?<x>a)\\k<x>', '^(?!0000)', '(?=a)b', '(?<=a)b']) {
      expect(problems(withPattern(p)), p).toEqual([
        expect.stringMatching(
          /^sections\[0\]\.fields\[0\]\.rules\.pattern: uses a construct that cannot be checked in linear time/,
        ),
      ]);
    }
    expect(problems(withPattern('('))).toEqual([
      'sections[0].fields[0].rules.pattern: is not a valid regular expression',
    ]);
  });

  it('accepts nested repetitions, which RE2 runs in linear time: ^(a+)+$ on a long near-miss answers in milliseconds', () => {
    const rules = compileRules(validateDefinition(withPattern('^(a+)+$')));
    expect(rules.check({ a: { code: 'aaaa' } })).toEqual([]);
    const started = performance.now();
    const verdict = rules.check({ a: { code: `${'a'.repeat(5000)}!` } });
    expect(performance.now() - started).toBeLessThan(200);
    expect(verdict.map((p) => p.message)).toEqual(['Enter the answer in the format this question asks for']);
  });

  it('says what the builder wrote when an answer does not match, and wants a pattern for a pattern message', () => {
    const def = withPattern('^WP-\\d{6}$') as any;
    def.sections[0].fields[0].rules.patternMessage = 'Use the format WP-123456';
    expect(
      compileRules(validateDefinition(def))
        .check({ a: { code: 'WP-12' } })
        .map((p) => p.message),
    ).toEqual(['Use the format WP-123456']);
    delete def.sections[0].fields[0].rules.pattern;
    expect(problems(def)).toEqual([
      'sections[0].fields[0].rules.patternMessage: is shown when an answer does not match the pattern: give a pattern too',
    ]);
  });
});

describe('field keys', () => {
  it('refuses "__proto__" and works with keys named like Object.prototype members', () => {
    const field = (key: string) => ({
      sections: [{ id: 's_a', key: 'a', label: 'A', fields: [{ id: 'f_a', key, label: 'K', type: 'integer' }] }],
    });
    expect(() => validateDefinition(field('__proto__'))).toThrow(/"__proto__" is reserved/);
    const rules = compileRules(validateDefinition(field('constructor')));
    expect(() => assertAnswer(rules, { a: {} })).not.toThrow();
    expect(() => assertAnswer(rules, { a: { constructor: 3 } })).not.toThrow();
    expect(() => assertAnswer(rules, { a: { constructor: 'x' } })).toThrow(/K: Enter a whole number/);
  });
});
