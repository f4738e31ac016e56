import type { Field, FieldType, Rules } from './definition.schema.js';

/**
 * What each field type is: its PostgreSQL column type, the rules it accepts, and its JSON Schema.
 * One table, used by validation, compilation, planning and projection alike.
 */

type RuleName = keyof Rules;

interface TypeSpec {
  pgType: string;
  rules: RuleName[];
  /** JSON Schema of one non-null value. */
  valueSchema(field: Field): Record<string, unknown>;
}

const LENGTH_RULES: RuleName[] = ['required', 'minLength', 'maxLength', 'pattern', 'patternMessage', 'unique'];
const RANGE_RULES: RuleName[] = ['required', 'min', 'max', 'unique'];

/** bigint's range, clipped to what a JSON number holds exactly. */
export const SAFE_INTEGER_MIN = Number.MIN_SAFE_INTEGER;
export const SAFE_INTEGER_MAX = Number.MAX_SAFE_INTEGER;
/** numeric accepts anything finite; we bound decimals to keep them exact through JSON. */
export const DECIMAL_ABS_MAX = 1e15;
export const TIME_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?$';

const stringSchema = (field: Field, extra: Record<string, unknown> = {}) => {
  const r = field.rules ?? {};
  return {
    type: 'string',
    ...extra,
    ...(r.minLength !== undefined ? { minLength: r.minLength } : {}),
    ...(r.maxLength !== undefined ? { maxLength: r.maxLength } : {}),
    ...(r.pattern !== undefined ? { pattern: r.pattern } : {}),
  };
};

const bounds = (field: Field, min: number, max: number) => {
  const r = field.rules ?? {};
  return {
    minimum: typeof r.min === 'number' ? Math.max(r.min, min) : min,
    maximum: typeof r.max === 'number' ? Math.min(r.max, max) : max,
  };
};

const formatBounds = (field: Field) => {
  const r = field.rules ?? {};
  return {
    ...(typeof r.min === 'string' ? { formatMinimum: r.min } : {}),
    ...(typeof r.max === 'string' ? { formatMaximum: r.max } : {}),
  };
};

/**
 * What PostgreSQL can store on top of the JSON Schema formats: no year 0000 (the formats allow
 * it, PostgreSQL has no year 0), and UTC offsets within ±15:59 (the formats allow up to ±23:59).
 * Checked at the API, so such an answer is refused with 422 rather than accepted and then failed.
 */
export const STORABLE_DATE = '^(?!0000-)';
export const STORABLE_DATETIME = '^(?!0000-).*(?:[zZ]|[+-](?:0\\d|1[0-5])(?::?[0-5]\\d)?)$';

const optionValues = (field: Field) => (field.options ?? []).map((o) => o.value);

/**
 * A calculated field as its result type: its column type, JSON Schema and value checks are that
 * type's (`{type: 'calculated', resultType: 'integer'}` is stored as bigint). A definition still
 * being edited may lack a resultType: it reads as text.
 */
export function asResultType<F extends Pick<Field, 'type' | 'resultType'>>(field: F): F {
  return field.type === 'calculated' ? { ...field, type: field.resultType ?? 'text' } : field;
}

export const FIELD_TYPE_SPECS: Record<FieldType, TypeSpec> = {
  text: {
    pgType: 'text',
    rules: LENGTH_RULES,
    valueSchema: (f) => stringSchema(f, { maxLength: f.rules?.maxLength ?? 10_000 }),
  },
  long_text: {
    pgType: 'text',
    rules: LENGTH_RULES,
    valueSchema: (f) => stringSchema(f, { maxLength: f.rules?.maxLength ?? 1_000_000 }),
  },
  integer: {
    pgType: 'bigint',
    rules: RANGE_RULES,
    valueSchema: (f) => ({ type: 'integer', ...bounds(f, SAFE_INTEGER_MIN, SAFE_INTEGER_MAX) }),
  },
  decimal: {
    pgType: 'numeric',
    rules: RANGE_RULES,
    valueSchema: (f) => ({ type: 'number', ...bounds(f, -DECIMAL_ABS_MAX, DECIMAL_ABS_MAX) }),
  },
  boolean: { pgType: 'boolean', rules: ['required'], valueSchema: () => ({ type: 'boolean' }) },
  date: {
    pgType: 'date',
    rules: RANGE_RULES,
    valueSchema: (f) => ({ type: 'string', format: 'date', pattern: STORABLE_DATE, ...formatBounds(f) }),
  },
  datetime: {
    pgType: 'timestamptz',
    rules: RANGE_RULES,
    valueSchema: (f) => ({ type: 'string', format: 'date-time', pattern: STORABLE_DATETIME, ...formatBounds(f) }),
  },
  time: {
    pgType: 'time',
    rules: ['required'],
    valueSchema: () => ({ type: 'string', pattern: TIME_PATTERN }),
  },
  email: {
    pgType: 'text',
    rules: ['required', 'maxLength', 'pattern', 'patternMessage', 'unique'],
    valueSchema: (f) => stringSchema(f, { format: 'email', maxLength: f.rules?.maxLength ?? 254 }),
  },
  url: {
    pgType: 'text',
    rules: ['required', 'maxLength', 'pattern', 'patternMessage', 'unique'],
    valueSchema: (f) => ({
      ...stringSchema(f, { format: 'uri', maxLength: f.rules?.maxLength ?? 2048 }),
      allOf: [{ pattern: '^https?://' }],
    }),
  },
  single_choice: {
    pgType: 'text',
    rules: ['required', 'unique'],
    valueSchema: (f) => ({ type: 'string', enum: optionValues(f) }),
  },
  multiple_choice: {
    pgType: 'text[]',
    rules: ['required', 'minItems', 'maxItems'],
    valueSchema: (f) => ({
      type: 'array',
      items: { type: 'string', enum: optionValues(f) },
      uniqueItems: true,
      ...(f.rules?.minItems !== undefined ? { minItems: f.rules.minItems } : {}),
      ...(f.rules?.maxItems !== undefined ? { maxItems: f.rules.maxItems } : {}),
    }),
  },
  file: {
    pgType: 'bigint[]',
    rules: ['required', 'accept', 'maxSize', 'minItems', 'maxItems'],
    valueSchema: (f) => ({
      type: 'array',
      items: { type: 'string', pattern: '^[0-9]{1,18}$' },
      uniqueItems: true,
      maxItems: f.multiple ? (f.rules?.maxItems ?? 100) : 1,
      ...(f.rules?.minItems !== undefined ? { minItems: f.rules.minItems } : {}),
    }),
  },
  // No rules of its own (constraints and showIf apply); any value sent is ignored, so any validates.
  calculated: {
    pgType: 'text',
    rules: [],
    valueSchema: () => ({}),
  },
  // Stored in one column per part (fieldColumns below); pgType is that of each part.
  geopoint: {
    pgType: 'double precision',
    rules: ['required'],
    valueSchema: () => ({
      type: 'object',
      additionalProperties: false,
      required: ['latitude', 'longitude'],
      properties: Object.fromEntries(
        GEOPOINT_PARTS.map((p) => [
          p.key,
          { type: p.required ? 'number' : ['number', 'null'], minimum: p.min, maximum: p.max },
        ]),
      ),
    }),
  },
  // One PNG, uploaded through the files pipeline: the value is a file field's (a list of one id).
  signature: {
    pgType: 'bigint[]',
    rules: ['required'],
    valueSchema: () => ({
      type: 'array',
      items: { type: 'string', pattern: '^[0-9]{1,18}$' },
      uniqueItems: true,
      maxItems: 1,
    }),
  },
  // Display-only: no column, no value (one sent is ignored, as for a calculated field).
  note: {
    pgType: 'text',
    rules: [],
    valueSchema: () => ({}),
  },
};

/**
 * The parts of a geopoint answer, each in its own double precision column (`<column>_lat`, ...),
 * with the range a value must be in. Altitude is in metres above sea level; accuracy in metres.
 */
export const GEOPOINT_PARTS = [
  { key: 'latitude', suffix: 'lat', min: -90, max: 90, required: true },
  { key: 'longitude', suffix: 'lon', min: -180, max: 180, required: true },
  { key: 'altitude', suffix: 'alt', min: -100_000, max: 100_000, required: false },
  { key: 'accuracy', suffix: 'acc', min: 0, max: 100_000_000, required: false },
] as const;
export type GeopointPart = (typeof GEOPOINT_PARTS)[number];

/** One column a field is stored in: `id` keys it in the naming (the field's id, or `<id>.<suffix>` for a part). */
export interface FieldColumn {
  id: string;
  pgType: string;
  /** For a part of a geopoint: which one (its key in the answer and its name suffix). */
  part?: GeopointPart;
}

/**
 * The columns a field is stored in: one for most types, one per part for a geopoint, none for a
 * note. The one answer to "which columns does this field have", for naming, planning, projection,
 * exports and the current views.
 */
export function fieldColumns(field: Pick<Field, 'id' | 'type' | 'resultType'>): FieldColumn[] {
  if (field.type === 'note') return [];
  if (field.type === 'geopoint')
    return GEOPOINT_PARTS.map((part) => ({
      id: `${field.id}.${part.suffix}`,
      pgType: FIELD_TYPE_SPECS.geopoint.pgType,
      part,
    }));
  return [{ id: field.id, pgType: pgTypeOf(field) }];
}

/** The field (and part) a column id of the naming belongs to: `f_ab12` or `f_ab12.lat`. */
export function columnOwner(columnId: string): { fieldId: string; part?: GeopointPart } {
  const [fieldId, suffix] = columnId.split('.') as [string, string | undefined];
  return { fieldId, part: suffix === undefined ? undefined : GEOPOINT_PARTS.find((p) => p.suffix === suffix) };
}

/** A column's label for people: the field's label, with the part of a geopoint (`Location (latitude)`). */
export const columnLabel = (label: string, part: GeopointPart | undefined) => (part ? `${label} (${part.key})` : label);

/** The value a column takes from a field's answer (a geopoint's part, or the value itself). */
export function columnValue(column: FieldColumn, value: unknown): unknown {
  if (!column.part) return value;
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, column.part.key)
    ? (value as Record<string, unknown>)[column.part.key]
    : null;
}

export function pgTypeOf(field: Pick<Field, 'type' | 'resultType'>): string {
  return FIELD_TYPE_SPECS[asResultType(field).type].pgType;
}

/** Fields whose answer is file ids uploaded to the submission (the files pipeline's fields). */
export const holdsFiles = (type: FieldType) => type === 'file' || type === 'signature';
/** What a field's files may be, by content: a signature is always a PNG. */
export const acceptedTypes = (field: Pick<Field, 'type' | 'rules'>): string[] | undefined =>
  field.type === 'signature' ? ['image/png'] : field.rules?.accept;
/** Fields the answer leaves out: computed (calculated) or display-only (note). */
export const takesNoAnswer = (type: FieldType) => type === 'calculated' || type === 'note';

/** The field types whose answers a list search can find (`searchable: true`, docs/search.md): text people type. */
export const isSearchable = (type: FieldType) =>
  type === 'text' || type === 'long_text' || type === 'email' || type === 'url';
export const isChoice = (type: FieldType) => type === 'single_choice' || type === 'multiple_choice';
export const isDateLike = (type: FieldType) => type === 'date' || type === 'datetime' || type === 'time';
export const isNumeric = (type: FieldType) => type === 'integer' || type === 'decimal';

/** Bytes a value of this column can take inside a row (varlena types counted as a TOAST pointer). */
export function rowBytes(pgType: string): number {
  switch (pgType) {
    case 'boolean':
      return 1;
    case 'date':
      return 4;
    case 'bigint':
    case 'double precision':
    case 'timestamptz':
    case 'time':
      return 8;
    default:
      // text, numeric, arrays: varlena, moved out of line (an 18-byte pointer) when the row is large.
      return 18;
  }
}
