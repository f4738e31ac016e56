/**
 * Generators of template definitions and submission payloads, valid and hostile, from a seed: the
 * property tests get their seeds from fast-check, so a failure names a seed that reproduces it.
 */
import { seededRandom } from './lib.js';

export class Rng {
  readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = seededRandom(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  pickSome<T>(items: readonly T[], min: number, max: number): T[] {
    const copy = [...items];
    const n = Math.min(copy.length, this.int(min, max));
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(copy.splice(this.int(0, copy.length - 1), 1)[0]!);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Definitions

type Json = any;

/** Keys that stress naming: unicode, reserved column names, prototype names, SQL words, long keys. */
export const KEY_POOL = [
  'name',
  'village',
  'size',
  'firstName',
  'first_name',
  'FirstName',
  'Straße',
  'strasse',
  '名前',
  'имя',
  'Ünïcödé',
  'émoji',
  'xmin',
  'ctid',
  'oid',
  'tableoid',
  'id',
  'submission_id',
  'row_index',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '_',
  '_1',
  'select',
  'from',
  'DROP',
  'where',
  'a'.repeat(100),
  `${'b'.repeat(99)}c`,
  `${'b'.repeat(99)}d`,
] as const;

export const GEN_TYPES = [
  'text',
  'long_text',
  'integer',
  'decimal',
  'boolean',
  'date',
  'datetime',
  'time',
  'email',
  'url',
  'single_choice',
  'multiple_choice',
] as const;
const SAFE_PATTERNS = ['^[A-Za-z ]*$', '^[0-9]*$', '^.*$'];

function randomKey(r: Rng, taken: Set<string>): string {
  for (;;) {
    const key = r.bool(0.6)
      ? r.pick(KEY_POOL)
      : `${r.pick(['k', 'K', '_', 'ф', 'é'])}${Array.from({ length: r.int(0, 12) }, () => r.pick(['a', 'z', '0', '9', '_', 'É', 'ß'])).join('')}`;
    if (!taken.has(key)) {
      taken.add(key);
      return key;
    }
  }
}

// Date.UTC(1, ...) maps years 0-99 to 1900-1999: use setUTCFullYear.
function utc(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime();
}
const FIRST_DAY = utc(1, 0, 1);
const LAST_DAY = utc(9999, 11, 31);
function dateOf(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

function fieldRules(r: Rng, type: string): Json {
  const rules: Json = {};
  if (r.bool(0.35)) rules.required = true;
  switch (type) {
    case 'text':
    case 'long_text':
      if (r.bool(0.4)) rules.maxLength = r.pick([1, 5, 80, 10_000]);
      if (r.bool(0.3)) rules.minLength = Math.min(r.pick([0, 1, 3]), rules.maxLength ?? 3);
      if (r.bool(0.25)) rules.pattern = r.pick(SAFE_PATTERNS);
      break;
    case 'integer':
    case 'decimal': {
      if (r.bool(0.4)) rules.min = r.pick([-1e15, -10, 0, 1]);
      if (r.bool(0.4)) rules.max = Math.max(rules.min ?? -Infinity, r.pick([1, 50, 1e6, 1e15]));
      break;
    }
    case 'date':
      if (r.bool(0.3)) rules.min = r.pick(['0001-01-01', '1900-01-01', '2000-02-29']);
      if (r.bool(0.3)) rules.max = r.pick(['2099-12-31', '9999-12-31']);
      break;
    case 'email':
    case 'url':
      if (r.bool(0.3)) rules.maxLength = r.pick([40, 254, 2048]);
      break;
    case 'multiple_choice':
      if (r.bool(0.3)) rules.minItems = r.int(0, 1);
      if (r.bool(0.3)) rules.maxItems = r.int(Math.max(1, rules.minItems ?? 1), 3);
      break;
  }
  return Object.keys(rules).length ? rules : undefined;
}

function options(r: Rng): Json[] {
  const values = r.pickSome(
    ['a', 'b', 'well', 'tap', 'NULL', 'b,c', '{"x"}', "o'hara", '名', '😀', ' ', 'x'.repeat(200)],
    1,
    5,
  );
  return values.map((value, i) => ({ value, label: `Option ${i}` }));
}

export interface GeneratedTemplate {
  definition: Json;
}

/** A valid definition: 1-2 sections, 1-6 fields of every type, rules that apply, showIf, a table. */
export function validDefinition(r: Rng): Json {
  const sectionKeys = new Set<string>();
  const sections = Array.from({ length: r.int(1, 2) }, (_, si) => {
    const keys = new Set<string>();
    const fields: Json[] = [];
    const count = r.int(1, 6);
    for (let fi = 0; fi < count; fi++) {
      const type = r.pick(GEN_TYPES);
      const field: Json = {
        id: `f_${si}_${fi}_${r.int(100, 999)}`,
        key: randomKey(r, keys),
        label: `Field ${si}.${fi} ${r.pick(['', 'é', '😀', '<b>x</b>'])}`.trim(),
        type,
      };
      const rules = fieldRules(r, type);
      if (rules) field.rules = rules;
      if (type === 'single_choice' || type === 'multiple_choice') field.options = options(r);
      // Shown only when an earlier choice or boolean field has some value.
      const dependency = fields.find((f) => f.type === 'single_choice' || f.type === 'boolean');
      if (dependency && r.bool(0.3)) {
        field.showIf = {
          field: dependency.id,
          equals: dependency.type === 'boolean' ? true : dependency.options[0].value,
        };
      }
      fields.push(field);
    }
    const section: Json = {
      id: `s_${si}_${r.int(100, 999)}`,
      key: randomKey(r, sectionKeys),
      label: `Section ${si}`,
      fields,
    };
    if (r.bool(0.5)) {
      const colKeys = new Set<string>();
      const minRows = r.int(0, 2);
      section.tables = [
        {
          id: `t_${si}_${r.int(100, 999)}`,
          key: randomKey(r, keys),
          label: 'Rows',
          minRows,
          maxRows: r.int(Math.max(1, minRows), 5),
          columns: Array.from({ length: r.int(1, 3) }, (_, ci) => {
            const type = r.pick(['text', 'integer', 'date', 'boolean', 'decimal'] as const);
            const column: Json = {
              id: `f_${si}_c${ci}_${r.int(100, 999)}`,
              key: randomKey(r, colKeys),
              label: `Column ${ci}`,
              type,
            };
            if (r.bool(0.3)) column.rules = { required: true };
            return column;
          }),
        },
      ];
    }
    return section;
  });
  return { sections };
}

/** Mutations that each make a valid definition invalid (the API must refuse it with 4xx). */
export const DEFINITION_MUTATIONS: { name: string; knownBug?: string; apply: (def: Json, r: Rng) => Json }[] = [
  { name: 'no sections', apply: (d) => ({ ...d, sections: [] }) },
  { name: 'sections not an array', apply: (d, r) => ({ ...d, sections: r.pick([{}, 'x', 1, null, true]) }) },
  { name: 'unknown top-level property', apply: (d) => ({ ...d, owner: 'admin' }) },
  {
    name: 'duplicate section key',
    apply: (d) => ({ ...d, sections: [...d.sections, { ...d.sections[0], id: 's_dup_999' }] }),
  },
  {
    name: 'duplicate field key',
    apply: (d) => {
      const s = d.sections[0];
      return {
        ...d,
        sections: [
          { ...s, fields: [...s.fields, { ...s.fields[0], id: 'f_dup_key_1', showIf: undefined }] },
          ...d.sections.slice(1),
        ],
      };
    },
  },
  {
    name: 'duplicate field id',
    apply: (d) => {
      const s = d.sections[0];
      return {
        ...d,
        sections: [
          { ...s, fields: [...s.fields, { ...s.fields[0], key: 'another_key_zz', showIf: undefined }] },
          ...d.sections.slice(1),
        ],
      };
    },
  },
  {
    name: 'invalid field key',
    apply: (d, r) =>
      withField(d, (f) => ({
        ...f,
        key: r.pick([
          '',
          '1abc',
          'a-b',
          'a b',
          'a"; DROP TABLE users;--',
          'x'.repeat(101),
          '$x',
          'a.b',
          '\u0000',
          'a\u200b',
          'ключ-1',
        ]),
      })),
  },
  {
    name: 'invalid field id',
    apply: (d, r) => withField(d, (f) => ({ ...f, id: r.pick(['F_UPPER', 'x', 'a'.repeat(41), 's_$', '', 1, null]) })),
  },
  {
    name: 'unknown field type',
    apply: (d, r) => withField(d, (f) => ({ ...f, type: r.pick(['bigint', 'json', '', 'TEXT', 'serial', null, 3]) })),
  },
  {
    name: 'label empty or too long',
    apply: (d, r) => withField(d, (f) => ({ ...f, label: r.pick(['', 'x'.repeat(301), 5, null]) })),
  },
  { name: 'help too long', apply: (d) => withField(d, (f) => ({ ...f, help: 'h'.repeat(2001) })) },
  { name: 'unknown field property', apply: (d) => withField(d, (f) => ({ ...f, sql: 'DROP TABLE users' })) },
  { name: 'unknown rule', apply: (d) => withField(d, (f) => ({ ...f, rules: { ...f.rules, check: 'true' } })) },
  {
    name: 'rule that does not apply to the type',
    apply: (d) =>
      withField(d, (f) => {
        const wrong: Record<string, Json> = {
          text: { min: 1 },
          long_text: { minItems: 1 },
          integer: { pattern: '^1$' },
          decimal: { maxLength: 3 },
          boolean: { max: 1 },
          date: { pattern: 'x' },
          datetime: { maxLength: 3 },
          time: { min: 1 },
          email: { min: 1 },
          url: { minItems: 1 },
          single_choice: { maxLength: 3 },
          multiple_choice: { pattern: 'x' },
        };
        return { ...f, rules: { ...f.rules, ...wrong[f.type] } };
      }),
  },
  {
    name: 'rule of the wrong type',
    apply: (d, r) => withField(d, (f) => ({ ...f, rules: { ...f.rules, required: r.pick(['yes', 1, null, {}]) } })),
  },
  {
    name: 'invalid regular expression',
    apply: (d, r) =>
      withTextField(d, (f) => ({
        ...f,
        rules: { ...f.rules, pattern: r.pick(['(', '[', '*', '(?<', 'a{2,1}', '\\']) },
      })),
  },
  {
    name: 'minLength greater than maxLength',
    apply: (d) => withTextField(d, (f) => ({ ...f, rules: { ...f.rules, minLength: 10, maxLength: 2 } })),
  },
  {
    name: 'negative or fractional maxLength',
    apply: (d, r) => withTextField(d, (f) => ({ ...f, rules: { ...f.rules, maxLength: r.pick([-1, 0, 1.5, 1e9]) } })),
  },
  {
    name: 'choice without options',
    apply: (d) => withField(d, (f) => ({ ...f, type: 'single_choice', rules: undefined, options: [] })),
  },
  {
    name: 'duplicate option values',
    apply: (d) =>
      withField(d, (f) => ({
        ...f,
        type: 'single_choice',
        rules: undefined,
        options: [
          { value: 'a', label: 'A' },
          { value: 'a', label: 'B' },
        ],
      })),
  },
  {
    name: 'options on a text field',
    apply: (d) =>
      withField(d, (f) => ({ ...f, type: 'text', rules: undefined, options: [{ value: 'a', label: 'A' }] })),
  },
  {
    name: 'showIf naming an unknown field',
    apply: (d) => withField(d, (f) => ({ ...f, showIf: { field: 'f_nowhere_000', equals: 'x' } })),
  },
  {
    name: 'showIf naming the field itself',
    apply: (d) => withField(d, (f) => ({ ...f, showIf: { field: f.id, equals: 'x' } })),
  },
  {
    name: 'multiple on a non-file field',
    apply: (d) => withField(d, (f) => ({ ...f, type: 'text', rules: undefined, multiple: true })),
  },
  {
    name: 'table without columns',
    apply: (d) => ({
      ...d,
      sections: [
        { ...d.sections[0], tables: [{ id: 't_empty_123', key: 'empty_table', label: 'Empty', columns: [] }] },
        ...d.sections.slice(1),
      ],
    }),
  },
  {
    name: 'minRows greater than maxRows',
    apply: (d) => ({
      ...d,
      sections: [
        {
          ...d.sections[0],
          tables: [
            {
              id: 't_rows_123',
              key: 'rows_table',
              label: 'R',
              minRows: 5,
              maxRows: 2,
              columns: [{ id: 'f_rows_c1', key: 'c', label: 'C', type: 'text' }],
            },
          ],
        },
        ...d.sections.slice(1),
      ],
    }),
  },
  {
    name: 'table key equal to a field key',
    apply: (d) => {
      const s = d.sections[0];
      return {
        ...d,
        sections: [
          {
            ...s,
            tables: [
              {
                id: 't_same_123',
                key: s.fields[0].key,
                label: 'T',
                columns: [{ id: 'f_same_c1', key: 'c', label: 'C', type: 'text' }],
              },
            ],
          },
          ...d.sections.slice(1),
        ],
      };
    },
  },
  {
    name: 'more than 1,000 fields in a section',
    apply: (d) => ({
      ...d,
      sections: [
        {
          ...d.sections[0],
          tables: [],
          fields: Array.from({ length: 1001 }, (_, i) => ({
            id: `f_many_${i}`,
            key: `k${i}`,
            label: 'L',
            type: 'integer',
          })),
        },
      ],
    }),
  },
  {
    name: 'a row wider than a page',
    apply: (d) => ({
      ...d,
      sections: [
        {
          ...d.sections[0],
          tables: [],
          fields: Array.from({ length: 600 }, (_, i) => ({
            id: `f_wide_${i}`,
            key: `w${i}`,
            label: 'L',
            type: 'text',
          })),
        },
      ],
    }),
  },
  {
    name: 'null section',
    knownBug: '500: assignMissingIds reads null.fields',
    apply: (d) => ({ ...d, sections: [null, ...d.sections] }),
  },
  {
    name: 'null table',
    knownBug: '500: assignMissingIds reads null.columns',
    apply: (d) => ({ ...d, sections: [{ ...d.sections[0], tables: [null] }, ...d.sections.slice(1)] }),
  },
  { name: 'null field', apply: (d) => withField(d, () => null) },
  { name: 'array where an object belongs', apply: (d) => withField(d, () => [1, 2, 3]) },
  { name: 'number where a string belongs', apply: (d) => withField(d, (f) => ({ ...f, key: 42 })) },
];

function withField(def: Json, change: (f: Json) => Json): Json {
  const s = def.sections[0];
  return {
    ...def,
    sections: [{ ...s, fields: [change(s.fields[0]), ...s.fields.slice(1)] }, ...def.sections.slice(1)],
  };
}

function withTextField(def: Json, change: (f: Json) => Json): Json {
  return withField(def, (f) => change({ ...f, type: 'text', options: undefined, rules: undefined, showIf: undefined }));
}

// ---------------------------------------------------------------------------------------------
// Values

const TEXT_PIECES = [
  'a',
  'Z',
  ' ',
  'é',
  'ß',
  '名',
  '😀',
  '\u202e',
  '\u200b',
  '\u0301',
  '"',
  "'",
  '\\',
  '<script>',
  '&',
  ';',
  '%',
  '\n',
  '\t',
  '--',
  '/*',
  '$1',
  '\ufeff',
  '𝕏',
];
const codePoints = (s: string) => [...s].length;

function text(r: Rng, min: number, max: number, pattern?: string): string {
  const target = r.int(min, Math.min(max, min + 40));
  if (pattern === '^[A-Za-z ]*$') return Array.from({ length: target }, () => r.pick(['a', 'Z', ' '])).join('');
  if (pattern === '^[0-9]*$') return Array.from({ length: target }, () => String(r.int(0, 9))).join('');
  // `.` does not match line terminators: a field whose pattern is ^.*$ takes none.
  const pieces = pattern === '^.*$' ? TEXT_PIECES.filter((p) => !/[\n\r\u2028\u2029]/.test(p)) : TEXT_PIECES;
  const parts: string[] = [];
  let length = 0;
  while (length < target) {
    const piece = r.pick(pieces);
    const size = codePoints(piece);
    if (length + size > max) {
      parts.push('x');
      length++;
      continue;
    }
    parts.push(piece);
    length += size;
  }
  return parts.join('');
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** A value the field accepts, edges included (bounds of numbers, first and last days, offsets). */
export function validValue(r: Rng, field: Json): Json {
  const rules = field.rules ?? {};
  switch (field.type) {
    case 'text':
    case 'long_text': {
      const max = rules.maxLength ?? (field.type === 'text' ? 10_000 : 1_000_000);
      const min = rules.minLength ?? 0;
      // At the limit now and then (long texts capped to keep requests small: 20,000 code points).
      if (r.bool(0.1) && !rules.pattern && max <= 20_000) return text(r, max, max);
      return text(r, min, max, rules.pattern);
    }
    case 'integer': {
      const min = Math.max(
        typeof rules.min === 'number' ? Math.ceil(rules.min) : Number.MIN_SAFE_INTEGER,
        Number.MIN_SAFE_INTEGER,
      );
      const max = Math.min(
        typeof rules.max === 'number' ? Math.floor(rules.max) : Number.MAX_SAFE_INTEGER,
        Number.MAX_SAFE_INTEGER,
      );
      return r.pick([min, max, 0 >= min && 0 <= max ? 0 : min, min + Math.floor(r.next() * Math.min(1e9, max - min))]);
    }
    case 'decimal': {
      const min = typeof rules.min === 'number' ? rules.min : -1e15;
      const max = typeof rules.max === 'number' ? rules.max : 1e15;
      const inside = (v: number) => (v >= min && v <= max ? v : min);
      return r.pick([
        min,
        max,
        inside(5e-324),
        inside(0.1),
        inside(-0.000001),
        inside(123456789.123456),
        min + r.next() * (max - min),
      ]);
    }
    case 'boolean':
      return r.bool();
    case 'date': {
      const lo = Math.max(FIRST_DAY, rules.min ? Date.parse(`${rules.min}T00:00:00Z`) : FIRST_DAY);
      const hi = Math.min(LAST_DAY, rules.max ? Date.parse(`${rules.max}T00:00:00Z`) : LAST_DAY);
      const leap = Date.parse('2024-02-29T00:00:00Z');
      return dateOf(
        r.pick([
          lo,
          hi,
          leap >= lo && leap <= hi ? leap : lo,
          lo + Math.floor(r.next() * ((hi - lo) / 86_400_000)) * 86_400_000,
        ]),
      );
    }
    case 'datetime': {
      const year = r.pick([1, 1970, 2024, 9999]);
      const offset = r.pick(['Z', '+00:00', '+14:00', '-12:00', '+05:30', 'z']);
      const frac = r.pick(['', '.1', '.123456', '.123456789']);
      return `${pad(year, 4)}-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}T${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}${frac}${offset}`;
    }
    case 'time':
      return r.pick(['00:00', '23:59', '23:59:59', '23:59:59.999999', `${pad(r.int(0, 23))}:${pad(r.int(0, 59))}`]);
    case 'email':
      return r.pick(['a@b.co', 'first.last+tag@example.org', `x${r.int(0, 999)}@sub.example.com`]);
    case 'url':
      return r.pick(['https://example.com', 'http://example.com/a?b=c#d', `https://example.org/${r.int(0, 99)}`]);
    case 'single_choice':
      return r.pick<Json>(field.options).value;
    case 'multiple_choice': {
      // Choosing nothing does not answer a required question (src/rules: an empty list is blank).
      const min = Math.max(rules.minItems ?? 0, rules.required ? 1 : 0);
      const max = Math.min(rules.maxItems ?? field.options.length, field.options.length);
      return r.pickSome(
        field.options.map((o: Json) => o.value),
        min,
        Math.max(min, max),
      );
    }
  }
  throw new Error(`no value for ${field.type}`);
}

/** Blank text does not answer a required question (src/rules): one letter or digit the pattern allows instead of the last character. */
function nonBlank(field: Json, value: Json): Json {
  if (!field.rules?.required || typeof value !== 'string' || value.trim() !== '') return value;
  const c = field.rules.pattern === '^[0-9]*$' ? '1' : 'a';
  return value.length ? `${value.slice(0, -1)}${c}` : c;
}

function isShown(section: Json, field: Json, values: Json): boolean {
  if (!field.showIf) return true;
  const dep = section.fields.find((f: Json) => f.id === field.showIf.field);
  if (!dep || !isShown(section, dep, values)) return false;
  return values[dep.key] === field.showIf.equals;
}

/** A payload the version accepts. */
export function validPayload(r: Rng, definition: Json): Json {
  const data: Json = {};
  for (const section of definition.sections) {
    const values: Json = {};
    for (const field of section.fields) {
      const required = field.rules?.required === true;
      if (!required && r.bool(0.25)) {
        if (r.bool(0.5)) values[field.key] = null;
        continue;
      }
      values[field.key] = nonBlank(field, validValue(r, field));
    }
    // A required field hidden by its condition may stay out; keep it (it is still valid).
    for (const field of section.fields)
      if (!isShown(section, field, values) && field.rules?.required && values[field.key] === undefined)
        delete values[field.key];
    for (const table of section.tables ?? []) {
      const rows = r.int(table.minRows ?? 0, Math.min(table.maxRows ?? 5, (table.minRows ?? 0) + 3));
      if (rows === 0 && !table.minRows && r.bool(0.5)) continue;
      values[table.key] = Array.from({ length: rows }, () =>
        Object.fromEntries(table.columns.map((c: Json) => [c.key, validValue(r, c)])),
      );
    }
    data[section.key] = values;
  }
  return data;
}

export interface Invalidity {
  name: string;
  /** Known to be mishandled today (see the report): accepted or answered 500 instead of 4xx. */
  knownBug?: string;
  apply: (payload: Json, definition: Json, r: Rng) => Json | null;
}

/** A payload given as JSON text (numbers and keys that a JavaScript object cannot carry). */
export interface RawPayload {
  raw: string;
}
const raw = (text: string): RawPayload => ({ raw: text });
export const isRaw = (p: unknown): p is RawPayload => typeof (p as RawPayload)?.raw === 'string';

function firstOfType(definition: Json, types: string[]): { section: Json; field: Json } | null {
  for (const section of definition.sections)
    for (const field of section.fields) if (types.includes(field.type) && !field.showIf) return { section, field };
  return null;
}

function setValue(payload: Json, section: Json, field: Json, value: Json): Json {
  return { ...payload, [section.key]: { ...(payload[section.key] ?? {}), [field.key]: value } };
}

/** Changes that make a valid payload invalid (null when the definition has nothing to break). */
export const PAYLOAD_INVALIDITIES: Invalidity[] = [
  { name: 'unknown section', apply: (p) => ({ ...p, not_a_section: {} }) },
  {
    name: '__proto__ section',
    apply: (p) => raw(`{"__proto__": {"x": 1}, ${JSON.stringify(p).slice(1)}`.replace(/, }$/, '}')),
  },
  {
    name: 'unknown field',
    apply: (p, d) => ({ ...p, [d.sections[0].key]: { ...(p[d.sections[0].key] ?? {}), not_a_field_zz: 1 } }),
  },
  {
    name: '__proto__ and constructor fields',
    apply: (p, d) => {
      const key = d.sections[0].key;
      if (d.sections[0].fields.some((f: Json) => f.key === 'constructor')) return null;
      const inner = JSON.stringify(p[key] ?? {});
      const withKeys = `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}${inner === '{}' ? '' : `, ${inner.slice(1, -1)}`}}`;
      const rest = Object.keys(p)
        .filter((k) => k !== key)
        .map((k) => `, ${JSON.stringify(k)}: ${JSON.stringify(p[k])}`)
        .join('');
      return raw(`{${JSON.stringify(key)}: ${withKeys}${rest}}`);
    },
  },
  { name: 'section is not an object', apply: (p, d, r) => ({ ...p, [d.sections[0].key]: r.pick([[], 'x', 1, true]) }) },
  {
    name: 'wrong type',
    apply: (p, d, r) => {
      const f = firstOfType(d, [...GEN_TYPES]);
      if (!f) return null;
      const wrong: Record<string, Json[]> = {
        text: [1, {}, [], true],
        long_text: [1, {}],
        integer: ['1', 1.5, {}, true, [1]],
        decimal: ['1.0', {}, true],
        boolean: ['true', 0, 'yes'],
        date: [20240101, '2024/01/01', {}],
        datetime: [0, '2024-01-01', {}],
        time: [1200, '12h00'],
        email: ['not an email', 1],
        url: ['javascript:alert(1)', 'ftp://x', 1],
        single_choice: ['not an option', 1],
        multiple_choice: ['a', [1], {}],
      };
      return setValue(p, f.section, f.field, r.pick(wrong[f.field.type]!));
    },
  },
  {
    name: 'integer beyond the safe range',
    apply: (p, d, r) => {
      const f = firstOfType(d, ['integer']);
      if (!f) return null;
      const number = r.pick([
        '9007199254740993',
        '9223372036854775807',
        '9223372036854775808',
        '-9223372036854775809',
        '1e308',
        '1e999',
        '-1e999',
      ]);
      return raw(JSON.stringify(setValue(p, f.section, f.field, '__NUMBER__')).replace('"__NUMBER__"', number));
    },
  },
  {
    name: 'decimal beyond 1e15',
    apply: (p, d, r) => {
      const f = firstOfType(d, ['decimal']);
      return f ? setValue(p, f.section, f.field, r.pick([1e16, -1e16, 1.7976931348623157e308])) : null;
    },
  },
  {
    name: 'impossible date',
    apply: (p, d, r) => {
      const f = firstOfType(d, ['date']);
      return f
        ? setValue(
            p,
            f.section,
            f.field,
            r.pick([
              '2023-02-29',
              '2024-13-01',
              '2024-00-10',
              '275760-09-13',
              '+275760-09-13',
              '-000001-01-01',
              '10000-01-01',
            ]),
          )
        : null;
    },
  },
  {
    name: 'year 0000 date (PostgreSQL has no year 0)',
    knownBug: 'accepted with 202, then processing fails: date/time field value out of range',
    apply: (p, d) => {
      const f = firstOfType(d, ['date']);
      return f ? setValue(p, f.section, f.field, '0000-01-01') : null;
    },
  },
  {
    name: 'impossible datetime',
    apply: (p, d, r) => {
      const f = firstOfType(d, ['datetime']);
      return f
        ? setValue(
            p,
            f.section,
            f.field,
            r.pick(['275760-09-13T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00', '2024-02-30T00:00:00Z']),
          )
        : null;
    },
  },
  {
    name: 'datetime PostgreSQL refuses (year 0000, offset beyond ±15:59)',
    knownBug: 'accepted with 202, then processing fails: out of range',
    apply: (p, d, r) => {
      const f = firstOfType(d, ['datetime']);
      return f
        ? setValue(
            p,
            f.section,
            f.field,
            r.pick(['0000-01-01T00:00:00Z', '2024-01-01T00:00:00+23:59', '2024-01-01T00:00:00-16:00']),
          )
        : null;
    },
  },
  {
    name: 'impossible time',
    apply: (p, d, r) => {
      const f = firstOfType(d, ['time']);
      return f ? setValue(p, f.section, f.field, r.pick(['24:00', '23:60', '7:00', '12:00:00+01', '12:00:60'])) : null;
    },
  },
  {
    name: 'text over its maxLength',
    apply: (p, d) => {
      const f = firstOfType(d, ['text', 'long_text', 'email', 'url']);
      if (!f) return null;
      const max =
        f.field.rules?.maxLength ??
        (f.field.type === 'long_text'
          ? 1_000_000
          : f.field.type === 'email'
            ? 254
            : f.field.type === 'url'
              ? 2048
              : 10_000);
      return setValue(
        p,
        f.section,
        f.field,
        f.field.type === 'url'
          ? `https://x.org/${'a'.repeat(max)}`
          : f.field.type === 'email'
            ? `${'a'.repeat(max)}@x.org`
            : '😀'.repeat(max + 1),
      );
    },
  },
  {
    name: 'NUL character in a string',
    knownBug: '500: PostgreSQL cannot store \\u0000 in jsonb (22P05)',
    apply: (p, d) => {
      const f = firstOfType(d, ['text', 'long_text']);
      return f && !f.field.rules?.pattern ? setValue(p, f.section, f.field, 'a\u0000b') : null;
    },
  },
  {
    name: 'lone surrogate in a string',
    knownBug: '500: PostgreSQL refuses the escaped lone surrogate in jsonb (22P02)',
    apply: (p, d) => {
      const f = firstOfType(d, ['text', 'long_text']);
      return f && !f.field.rules?.pattern ? setValue(p, f.section, f.field, 'a\ud800b') : null;
    },
  },
  {
    name: 'value not among the options',
    apply: (p, d) => {
      const f = firstOfType(d, ['single_choice']);
      return f ? setValue(p, f.section, f.field, 'NOT-AN-OPTION') : null;
    },
  },
  {
    name: 'duplicate items in a multiple choice',
    apply: (p, d) => {
      const f = firstOfType(d, ['multiple_choice']);
      return f ? setValue(p, f.section, f.field, [f.field.options[0].value, f.field.options[0].value]) : null;
    },
  },
  {
    name: 'a required field missing or null',
    apply: (p, d, r) => {
      for (const section of d.sections) {
        for (const field of section.fields) {
          if (field.rules?.required && !field.showIf) {
            const values = { ...(p[section.key] ?? {}) };
            if (r.bool()) delete values[field.key];
            else values[field.key] = null;
            return { ...p, [section.key]: values };
          }
        }
      }
      return null;
    },
  },
  {
    name: 'too many table rows',
    apply: (p, d) => {
      for (const section of d.sections) {
        for (const table of section.tables ?? []) {
          const row = Object.fromEntries(
            table.columns.map((c: Json) => [
              c.key,
              c.type === 'text' ? 'x' : c.type === 'boolean' ? true : c.type === 'date' ? '2024-01-01' : 1,
            ]),
          );
          return {
            ...p,
            [section.key]: {
              ...(p[section.key] ?? {}),
              [table.key]: Array.from({ length: (table.maxRows ?? 5) + 1 }, () => row),
            },
          };
        }
      }
      return null;
    },
  },
];
