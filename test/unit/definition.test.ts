import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/app-error.js';
import { assignMissingIds, hasNestedQuantifier, validateDefinition } from '../../src/templates/definition.validate.js';
import { assertValidPayload, compileJsonSchema, compileValidators } from '../../src/templates/json-schema.js';

function problems(raw: unknown): string[] {
  try {
    validateDefinition(raw);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.details.map((d) => `${d.path}: ${d.message}`);
  }
}

const base = () => ({
  sections: [
    {
      id: 's_household',
      key: 'household',
      label: 'Household',
      fields: [
        { id: 'f_village', key: 'village', label: 'Village', type: 'text', rules: { required: true, unique: true, maxLength: 80 } },
        { id: 'f_size', key: 'size', label: 'Size', type: 'integer', rules: { min: 1, max: 50 } },
        { id: 'f_water', key: 'water', label: 'Water source', type: 'single_choice', options: [{ value: 'well', label: 'Well' }, { value: 'tap', label: 'Tap' }] },
        { id: 'f_wdist', key: 'well_distance', label: 'Distance to well (m)', type: 'decimal', rules: { required: true }, showIf: { field: 'f_water', equals: 'well' } },
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
    def.sections[0]!.fields.push({ id: 'f_if', key: 'cond', label: 'c', type: 'text', showIf: { field: 'f_nowhere', equals: 1 } } as never);
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
    expect(() => validateDefinition(base(), new Set(['f_size']))).toThrow('"f_size" belonged to a removed item; ids are never reused');
  });

  it('refuses a section too wide for one PostgreSQL table, with a clear message', () => {
    const fields = Array.from({ length: 1700 }, (_, i) => ({ id: `f_${i}x`, key: `q${i}`, label: `Q${i}`, type: 'integer' }));
    const found = problems({ sections: [{ id: 's_wide', key: 'wide', label: 'Wide', fields: fields.slice(0, 1700) }] });
    expect(found.join('\n')).toMatch(/sections\[0\]\.fields: .*at most 1000.*split it into several sections|maxItems/);
    const tooWide = Array.from({ length: 900 }, (_, i) => ({ id: `f_${i}y`, key: `t${i}`, label: `T${i}`, type: 'text' }));
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
    const raw = { sections: [{ key: 'a', label: 'A', fields: [{ key: 'b', label: 'B', type: 'text' }, { id: 'f_keep', key: 'c', label: 'C', type: 'text' }] }] };
    assignMissingIds(raw);
    expect(raw.sections[0]).toMatchObject({ id: expect.stringMatching(/^s_[0-9a-f]{12}$/) });
    expect(raw.sections[0]!.fields[0]).toMatchObject({ id: expect.stringMatching(/^f_[0-9a-f]{12}$/) });
    expect(raw.sections[0]!.fields[1]!.id).toBe('f_keep');
  });
});

describe('JSON Schema compilation', () => {
  const def = validateDefinition(base());
  const meta = { templateId: '1', version: 1, title: 'Survey' };
  const { full, draft } = compileValidators(def, meta);
  const good = {
    household: { village: 'Kibera', size: 4, water: 'tap', members: [{ name: 'Ann', born: '1990-02-01' }] },
  };

  it('is draft 2020-12 and carries labels', () => {
    const schema = compileJsonSchema(def, meta) as any;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.properties.household.properties.village.title).toBe('Village');
    expect(schema.required).toEqual(['household']);
  });

  it('accepts a valid payload and reports problems per field path', () => {
    expect(full(good)).toBe(true);
    const bad = { household: { village: '', size: 99, water: 'river', extra: 1, members: [{ born: 'yesterday' }] } };
    try {
      assertValidPayload(full, bad);
      expect.unreachable();
    } catch (error) {
      const paths = (error as ValidationError).details.map((d) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['household.size', 'household.water', 'household.extra', 'household.members[0].name', 'household.members[0].born']));
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

describe('pattern rules that could backtrack exponentially', () => {
  it('finds repetitions of repetitions, and leaves bounded or flat patterns alone', () => {
    for (const p of ['^(a+)+$', '(\\w*)*', '^(?:[a-z]+\\s?)+$', '((ab)*c)+', '(a{2,})*', '^(x+x+)+y$']) expect(hasNestedQuantifier(p), p).toBe(true);
    for (const p of ['^[a-z]+$', '^(\\d{1,3}\\.){3}\\d{1,3}$', '(ab)+', '^(a+)?$', '[(a+)+]', '\\(a+\\)+', '^\\d{4}-\\d{2}$']) expect(hasNestedQuantifier(p), p).toBe(false);
  });

  it('refuses them in a definition, on the rule\'s path', () => {
    const def = { sections: [{ id: 's_a', key: 'a', label: 'A', fields: [{ id: 'f_a', key: 'code', label: 'Code', type: 'text', rules: { pattern: '^(a+)+$' } }] }] };
    expect(() => validateDefinition(def)).toThrow(/sections\[0\]\.fields\[0\]\.rules\.pattern: repeats a group that itself repeats/);
  });

  it('checks the payload against the other shapes within a time budget, and refuses it past the budget', () => {
    const def = validateDefinition({ sections: [{ id: 's_a', key: 'a', label: 'A', fields: [{ id: 'f_a', key: 'code', label: 'Code', type: 'text', rules: { pattern: '^(a|aa)+$' } }] }] });
    const { full } = compileValidators(def, { templateId: '1', version: 1, title: 'T' });
    expect(() => assertValidPayload(full, { a: { code: 'aaaa' } })).not.toThrow();
    const started = Date.now();
    expect(() => assertValidPayload(full, { a: { code: `${'a'.repeat(40)}!` } })).toThrow(/took longer than 100 ms to check against the pattern rules/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('field keys', () => {
  it('refuses "__proto__" and works with keys named like Object.prototype members', () => {
    const field = (key: string) => ({ sections: [{ id: 's_a', key: 'a', label: 'A', fields: [{ id: 'f_a', key, label: 'K', type: 'integer' }] }] });
    expect(() => validateDefinition(field('__proto__'))).toThrow(/"__proto__" is reserved/);
    const def = validateDefinition(field('constructor'));
    const { full } = compileValidators(def, { templateId: '1', version: 1, title: 'T' });
    expect(() => assertValidPayload(full, { a: {} })).not.toThrow();
    expect(() => assertValidPayload(full, { a: { constructor: 3 } })).not.toThrow();
    expect(() => assertValidPayload(full, { a: { constructor: 'x' } })).toThrow(/a\.constructor/);
  });
});
