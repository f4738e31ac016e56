import type { Definition, Field, FieldType } from '../../src/templates/definition.schema.js';

/**
 * A realistic wide template: mixed field types with rules, sections of at most 200 fields, and two
 * repeating tables of 5 columns. `fields` counts section fields (table columns come on top).
 */
export function wideDefinition(fields: number, options: { tables?: boolean } = {}): Definition {
  const mix: FieldType[] = [
    'text',
    'integer',
    'decimal',
    'boolean',
    'date',
    'single_choice',
    'text',
    'datetime',
    'email',
    'multiple_choice',
    'long_text',
    'time',
  ];
  const sections: Definition['sections'] = [];
  const perSection = 200;
  for (let s = 0; s * perSection < fields; s++) {
    const count = Math.min(perSection, fields - s * perSection);
    sections.push({
      id: `s_bench${s}`,
      key: `part_${s + 1}`,
      label: `Part ${s + 1}`,
      fields: Array.from({ length: count }, (_, i) =>
        benchField(`f_b${s}_${i}`, `q${s * perSection + i + 1}`, mix[i % mix.length]!, i),
      ),
      tables: [],
    });
  }
  if (options.tables !== false) {
    sections[0]!.tables = ['members', 'visits'].map((key, t) => ({
      id: `t_bench${t}`,
      key,
      label: key === 'members' ? 'Household members' : 'Visits',
      maxRows: 50,
      columns: Array.from({ length: 5 }, (_, c) =>
        benchField(`f_t${t}_${c}`, `c${c + 1}`, (['text', 'integer', 'date', 'boolean', 'decimal'] as const)[c]!, c),
      ),
    }));
  }
  return { sections };
}

function benchField(id: string, key: string, type: FieldType, i: number): Field {
  const field: Field = { id, key, label: `Question ${key}`, type };
  if (type === 'single_choice' || type === 'multiple_choice') {
    field.options = ['a', 'b', 'c', 'd'].map((v) => ({ value: v, label: v.toUpperCase() }));
  }
  if (type === 'text') field.rules = { maxLength: 200, ...(i % 3 === 0 ? { required: true } : {}) };
  if (type === 'integer') field.rules = { min: 0, max: 100000 };
  if (type === 'decimal') field.rules = { min: -1000, max: 1000000 };
  return field;
}

/** A payload that satisfies wideDefinition(fields): every field answered, 5 rows per table. */
export function widePayload(definition: Definition, seed = 1): Record<string, Record<string, unknown>> {
  const payload: Record<string, Record<string, unknown>> = {};
  for (const section of definition.sections) {
    const values: Record<string, unknown> = {};
    for (const field of section.fields) values[field.key] = sampleValue(field, seed);
    for (const table of section.tables ?? []) {
      values[table.key] = Array.from({ length: 5 }, (_, r) =>
        Object.fromEntries(table.columns.map((c) => [c.key, sampleValue(c, seed + r)])),
      );
    }
    payload[section.key] = values;
  }
  return payload;
}

function sampleValue(field: Field, seed: number): unknown {
  switch (field.type) {
    case 'text':
      return `answer ${seed} for ${field.key}`;
    case 'long_text':
      return `A longer answer number ${seed}, with a sentence or two of free text.`;
    case 'integer':
      return (seed * 7919) % 100000;
    case 'decimal':
      return ((seed * 131) % 100000) / 100;
    case 'boolean':
      return seed % 2 === 0;
    case 'date':
      return `2026-${String((seed % 12) + 1).padStart(2, '0')}-${String((seed % 28) + 1).padStart(2, '0')}`;
    case 'datetime':
      return `2026-05-${String((seed % 28) + 1).padStart(2, '0')}T10:${String(seed % 60).padStart(2, '0')}:00Z`;
    case 'time':
      return `${String(seed % 24).padStart(2, '0')}:30`;
    case 'email':
      return `person${seed}@example.org`;
    case 'url':
      return `https://example.org/${seed}`;
    case 'single_choice':
      return ['a', 'b', 'c', 'd'][seed % 4];
    case 'multiple_choice':
      return ['a', 'c'];
    case 'file':
      return [];
  }
}
