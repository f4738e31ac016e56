import { Type, type Static } from '@sinclair/typebox';
import { LANGUAGE_PATTERN, type Localized } from '../rules/language.js';

/**
 * The definition format of a form template (JSON): sections; each section has fields and repeating
 * tables (rows of typed columns). Every field, table and section has a stable `id`, generated once
 * and never reused, so a rename keeps its column. This schema checks the shape; the rules that
 * span the document (unique keys, valid references, rules that fit the type) are checked by
 * definition.validate.ts, with errors per path.
 */

export const FIELD_TYPES = [
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
  'file',
  /** Computed by the server from the answer (`expression`, typed by `resultType`); a value sent for it is ignored. */
  'calculated',
  /** A point on Earth: `{latitude, longitude, altitude?, accuracy?}`, stored in one column per part. */
  'geopoint',
  /** Drawn in the fill page and uploaded as a PNG through the files pipeline: the answer holds its file id, as a file field does. */
  'signature',
  /** Display-only text (its label): no column, no answer; a value sent for it is ignored. */
  'note',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const STABLE_ID = '^[a-z][a-z0-9_]{2,39}$';
/** Keys are what submissions use as JSON property names: letters (any script), digits, underscores. */
export const KEY_PATTERN = '^[\\p{L}_][\\p{L}\\p{N}_]*$';
export const MAX_KEY_LENGTH = 100;

const Id = Type.String({ pattern: STABLE_ID, description: 'stable id: generated once, never reused' });
const Key = Type.String({ minLength: 1, maxLength: MAX_KEY_LENGTH });
const Language = Type.String({
  pattern: LANGUAGE_PATTERN,
  maxLength: 35,
  description: 'a language code: en, sw, pt-BR',
});
/** A text people read: a string, or a map by language (`{ "en": "Village", "sw": "Kijiji" }`, src/rules/language.ts). */
const LocalText = (limits: { minLength?: number; maxLength: number }) =>
  Type.Union([
    Type.String(limits),
    Type.Record(Type.String({ pattern: LANGUAGE_PATTERN }), Type.String(limits), { minProperties: 1 }),
  ]);
export const LABEL_MAX = 300;
/** A note's text is its label, and may be long. */
export const NOTE_LABEL_MAX = 5000;
const Label = LocalText({ minLength: 1, maxLength: LABEL_MAX });
const Help = LocalText({ maxLength: 2000 });
/** A form expression (docs/expressions.md), checked by src/rules/expressions at save and at publish. */
const Expression = Type.String({
  minLength: 1,
  maxLength: 10_000,
  description: 'a form expression: ${key} references, operators, functions (docs/expressions.md)',
});

/** Result types of a calculated field (each stored in the column type of that field type). */
export const RESULT_TYPES = ['decimal', 'integer', 'text', 'boolean', 'date'] as const;
export type ResultType = (typeof RESULT_TYPES)[number];

/** An answer for which the expression is false is refused with the message, at the path of its field, column or section. */
export const ConstraintSchema = Type.Object(
  {
    expression: Expression,
    message: LocalText({ minLength: 1, maxLength: 300 }),
  },
  { additionalProperties: false },
);
export type Constraint = Static<typeof ConstraintSchema>;
const Constraints = Type.Optional(Type.Array(ConstraintSchema, { maxItems: 50 }));

export const OptionSchema = Type.Object({
  value: Type.String({ minLength: 1, maxLength: 200 }),
  label: Label,
});

export const RulesSchema = Type.Object(
  {
    /** `true`, or an expression: required when it holds (and the field is shown). */
    required: Type.Optional(Type.Union([Type.Boolean(), Expression])),
    min: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 40 })])),
    max: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 40 })])),
    minLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    /** A regular expression (JavaScript syntax, run by RE2 in linear time: no backreferences or lookarounds). */
    pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** What an answer that does not match the pattern is told, e.g. "Use the format WP-123456". */
    patternMessage: Type.Optional(LocalText({ minLength: 1, maxLength: 300 })),
    unique: Type.Optional(Type.Boolean()),
    minItems: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** Accepted MIME types of a file field (`image/*` allowed). */
    accept: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 100 }), { maxItems: 50 })),
    /** Maximum size of one file, in bytes. */
    maxSize: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Digits after the decimal point of a decimal field. */
    scale: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
  },
  { additionalProperties: false },
);
export type Rules = Static<typeof RulesSchema>;

/** Show the field only when another field of the same section (by id) has one of these values. */
export const ShowIfSchema = Type.Object(
  {
    field: Id,
    equals: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    in: Type.Optional(
      Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { minItems: 1, maxItems: 100 }),
    ),
  },
  { additionalProperties: false },
);
export type ShowIf = Static<typeof ShowIfSchema>;

export const FieldSchema = Type.Object(
  {
    id: Id,
    key: Key,
    /** Up to 300 characters; a note's (its text) up to 5,000, checked by definition.validate.ts. */
    label: LocalText({ minLength: 1, maxLength: NOTE_LABEL_MAX }),
    type: Type.Union(FIELD_TYPES.map((t) => Type.Literal(t))),
    help: Type.Optional(Help),
    rules: Type.Optional(RulesSchema),
    options: Type.Optional(Type.Array(OptionSchema, { maxItems: 1000 })),
    /** A file field taking several files. */
    multiple: Type.Optional(Type.Boolean()),
    /** A text answer the admin panel's list search finds (field-types.ts `isSearchable`, section fields only; docs/search.md). */
    searchable: Type.Optional(Type.Boolean()),
    /** The object form (one field of the section equals a value), or an expression that must hold. */
    showIf: Type.Optional(Type.Union([ShowIfSchema, Expression])),
    /** A calculated field's result type and expression. */
    resultType: Type.Optional(Type.Union(RESULT_TYPES.map((t) => Type.Literal(t)))),
    expression: Type.Optional(Expression),
    /** An expression whose value fills the field when the answer leaves it out. */
    default: Type.Optional(Expression),
    constraints: Constraints,
  },
  { additionalProperties: false },
);
export type Field = Static<typeof FieldSchema>;

export const TableSchema = Type.Object(
  {
    id: Id,
    key: Key,
    label: Label,
    help: Type.Optional(Help),
    minRows: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    maxRows: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    columns: Type.Array(FieldSchema, { minItems: 1, maxItems: 500 }),
    constraints: Constraints,
  },
  { additionalProperties: false },
);
export type RepeatingTable = Static<typeof TableSchema>;

export const SectionSchema = Type.Object(
  {
    id: Id,
    key: Key,
    label: Label,
    help: Type.Optional(Help),
    fields: Type.Array(FieldSchema, { maxItems: 2000 }),
    tables: Type.Optional(Type.Array(TableSchema, { maxItems: 50 })),
    constraints: Constraints,
  },
  { additionalProperties: false },
);
export type Section = Static<typeof SectionSchema>;

export const DefinitionSchema = Type.Object(
  {
    /** The languages its texts are written in (`["en", "sw"]`); texts by language need them declared. */
    languages: Type.Optional(Type.Array(Language, { minItems: 1, maxItems: 30 })),
    /** The language a missing translation falls back to; the first of `languages` when absent. */
    defaultLanguage: Type.Optional(Language),
    /** The form's title as submitters read it, by language; the template's title when absent. */
    title: Type.Optional(LocalText({ minLength: 1, maxLength: 200 })),
    sections: Type.Array(SectionSchema, { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);
export type Definition = Static<typeof DefinitionSchema>;

/** A definition with every text in one language (src/rules/language.ts `localize`): what the engine, the schema and the pages read. */
export type LocalizedDefinition = Localized<Definition>;
export type LocalizedSection = Localized<Section>;
export type LocalizedTable = Localized<RepeatingTable>;
export type LocalizedField = Localized<Field>;
