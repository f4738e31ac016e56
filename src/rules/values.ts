import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { LocalizedField as Field } from '../templates/definition.schema.js';
import {
  asResultType,
  DECIMAL_ABS_MAX,
  GEOPOINT_PARTS,
  SAFE_INTEGER_MAX,
  SAFE_INTEGER_MIN,
  TIME_PATTERN,
} from '../templates/field-types.js';
import { MESSAGES, type Messages } from './messages.js';
import { compilePattern } from './pattern.js';

/**
 * The check of one present (not null) value of a field, built once per field: its type and every
 * rule of the definition that bears on a value (lengths, bounds, pattern, formats, options,
 * counts). Returns the problem as `[code, message]`, or null when the value is fine; a problem of
 * one part of a value (a geopoint's latitude) names the part third, and is reported at its path.
 *
 * The formats are ajv-formats' own functions and the bounds the same as the published JSON Schema
 * (src/templates/json-schema.ts), so every answer these checks accept validates against it
 * (test/unit/rules.test.ts holds both to that).
 */
export type ValueCheck = (value: unknown) => [code: string, message: string, part?: string] | null;

/** Length in code points, as JSON Schema counts it ("😀" is one character). */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

type FormatDef = { validate: (s: string) => boolean; compare: (a: string, b: string) => number | undefined };
const formats = fullFormats as unknown as Record<string, FormatDef | RegExp | ((s: string) => boolean)>;
const asTest = (f: FormatDef | RegExp | ((s: string) => boolean)): ((s: string) => boolean) =>
  f instanceof RegExp ? (s) => f.test(s) : typeof f === 'function' ? f : (s) => f.validate(s);
const isEmail = asTest(formats.email!);
const isUri = asTest(formats.uri!);
const dateFormat = formats.date as FormatDef;
const dateTimeFormat = formats['date-time'] as FormatDef;
const TIME = new RegExp(TIME_PATTERN, 'u');
/** PostgreSQL has no year 0 and keeps UTC offsets within ±15:59 (see STORABLE_* in field-types.ts). */
const STORABLE_OFFSET = /(?:[zZ]|[+-](?:0\d|1[0-5])(?::?[0-5]\d)?)$/;
const HTTP = /^https?:\/\//u;
const FILE_ID = /^[0-9]{1,18}$/;

/** The length rule of a text: null when the length is fine, else the message. */
function lengthCheck(field: Field, defaultMax: number, m: Messages): (s: string) => string | null {
  const min = field.rules?.minLength;
  const max = field.rules?.maxLength ?? defaultMax;
  const both = min !== undefined && field.rules?.maxLength !== undefined;
  return (s) => {
    // A string has at most as many code points as UTF-16 units, and at least half as many.
    if ((min === undefined || s.length >= min * 2) && s.length <= max) return null;
    const n = codePoints(s);
    if (min !== undefined && n < min) return both ? m.length(min, max) : m.length(min, undefined);
    if (n > max) return both ? m.length(min, max) : m.length(undefined, max);
    return null;
  };
}

function patternCheck(field: Field): ((s: string) => boolean) | null {
  const pattern = field.rules?.pattern;
  if (pattern === undefined) return null;
  try {
    const compiled = compilePattern(pattern);
    return (s) => compiled.test(s);
  } catch {
    // Saving and publishing refuse a pattern RE2 cannot run. A version published before they did
    // may hold a lookaround or a backreference: it keeps JavaScript's engine (such versions were
    // already refused nested repetitions). In the builder, a pattern being typed may be no
    // regular expression at all: its preview shows every answer as not matching.
    try {
      const legacy = new RegExp(pattern, 'u');
      return (s) => legacy.test(s);
    } catch {
      return () => false;
    }
  }
}

function numberCheck(field: Field, integer: boolean, m: Messages): ValueCheck {
  const min = Math.max(
    typeof field.rules?.min === 'number' ? field.rules.min : -Infinity,
    integer ? SAFE_INTEGER_MIN : -DECIMAL_ABS_MAX,
  );
  const max = Math.min(
    typeof field.rules?.max === 'number' ? field.rules.max : Infinity,
    integer ? SAFE_INTEGER_MAX : DECIMAL_ABS_MAX,
  );
  // Messages are written only when a problem is found: compiling a 1,000-field version stays cheap.
  const message = () => (integer ? m.integer(field) : m.decimal(field));
  const code = integer ? 'integer' : 'number';
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) return [code, message()];
    return v < min || v > max ? ['range', message()] : null;
  };
}

function textCheck(field: Field, defaultMax: number, m: Messages): ValueCheck {
  const length = lengthCheck(field, defaultMax, m);
  const pattern = patternCheck(field);
  return (v) => {
    if (typeof v !== 'string') return ['type', m.text()];
    const tooShortOrLong = length(v);
    if (tooShortOrLong) return ['length', tooShortOrLong];
    if (pattern && !pattern(v)) return ['pattern', m.pattern(field)];
    return null;
  };
}

/** For date and datetime: the format, what PostgreSQL stores, and the bounds (compared as ajv-formats compares). */
function temporalCheck(
  field: Field,
  format: FormatDef,
  storable: (s: string) => boolean,
  message: () => string,
): ValueCheck {
  const min = typeof field.rules?.min === 'string' ? field.rules.min : undefined;
  const max = typeof field.rules?.max === 'string' ? field.rules.max : undefined;
  return (v) => {
    if (typeof v !== 'string' || !format.validate(v) || !storable(v)) return ['format', message()];
    if (min !== undefined && !((format.compare(v, min) ?? -1) >= 0)) return ['range', message()];
    if (max !== undefined && !((format.compare(v, max) ?? 1) <= 0)) return ['range', message()];
    return null;
  };
}

export function valueCheck(field: Field, m: Messages = MESSAGES): ValueCheck {
  switch (field.type) {
    // The server computes it (engine.ts): its value is checked as its result type.
    case 'calculated':
      return valueCheck(asResultType(field), m);
    case 'text':
      return textCheck(field, 10_000, m);
    case 'long_text':
      return textCheck(field, 1_000_000, m);
    case 'integer':
      return numberCheck(field, true, m);
    case 'decimal':
      return numberCheck(field, false, m);
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? null : ['type', m.boolean()]);
    case 'date':
      return temporalCheck(
        field,
        dateFormat,
        (s) => !s.startsWith('0000-'),
        () => m.date(field),
      );
    case 'datetime':
      return temporalCheck(
        field,
        dateTimeFormat,
        (s) => !s.startsWith('0000-') && STORABLE_OFFSET.test(s),
        () => m.datetime(field),
      );
    case 'time':
      return (v) => (typeof v === 'string' && TIME.test(v) ? null : ['format', m.time()]);
    case 'email':
    case 'url': {
      const email = field.type === 'email';
      const length = lengthCheck(field, email ? 254 : 2048, m);
      const pattern = patternCheck(field);
      const format = email ? m.email : m.url;
      return (v) => {
        if (typeof v !== 'string') return ['type', format()];
        const tooLong = length(v);
        if (tooLong) return ['length', tooLong];
        if (email ? !isEmail(v) : !isUri(v) || !HTTP.test(v)) return ['format', format()];
        if (pattern && !pattern(v)) return ['pattern', m.pattern(field)];
        return null;
      };
    }
    case 'single_choice': {
      const allowed = new Set((field.options ?? []).map((o) => o.value));
      return (v) => (typeof v === 'string' && allowed.has(v) ? null : ['option', m.singleChoice(field)]);
    }
    case 'multiple_choice': {
      const allowed = new Set((field.options ?? []).map((o) => o.value));
      const { minItems = 0, maxItems = Infinity } = field.rules ?? {};
      return (v) => {
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && allowed.has(x)))
          return ['option', m.multipleChoice(field)];
        if (new Set(v).size !== v.length) return ['unique', m.choiceTwice()];
        return v.length < minItems || v.length > maxItems ? ['count', m.choiceCount(field)] : null;
      };
    }
    case 'geopoint':
      return geopointCheck(m);
    // One drawing, uploaded as a PNG: a file field's value of one id.
    case 'signature':
      return (v) => {
        if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && FILE_ID.test(x)))
          return ['type', m.signature()];
        return v.length > 1 ? ['count', m.signature()] : null;
      };
    // Display-only: a value sent for a note is ignored (prepare.ts drops it), so none is judged.
    case 'note':
      return () => null;
    case 'file': {
      const max = field.multiple ? (field.rules?.maxItems ?? 100) : 1;
      const min = field.rules?.minItems ?? 0;
      return (v) => {
        if (
          !Array.isArray(v) ||
          !v.every((x) => typeof x === 'string' && FILE_ID.test(x)) ||
          new Set(v).size !== v.length
        )
          return ['type', m.files()];
        return v.length < min || v.length > max ? ['count', m.fileCount(field, max)] : null;
      };
    }
  }
}

const PART_KEYS = new Set<string>(GEOPOINT_PARTS.map((p) => p.key));

/** A location: latitude and longitude (decimal degrees) required, altitude and accuracy (metres) optional, each in its range. */
const geopointCheck =
  (m: Messages): ValueCheck =>
  (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return ['type', m.geopoint()];
    const point = v as Record<string, unknown>;
    for (const key of Object.keys(point)) if (!PART_KEYS.has(key)) return ['unknown', m.geopointPart(), key];
    for (const part of GEOPOINT_PARTS) {
      const x = Object.hasOwn(point, part.key) ? point[part.key] : undefined;
      // An optional part may be null (a browser reports an unknown altitude so).
      if ((x === undefined || x === null) && !part.required) continue;
      if (typeof x !== 'number' || !Number.isFinite(x) || x < part.min || x > part.max)
        return [x === undefined ? 'type' : 'range', m.geopointRange(part), part.key];
    }
    return null;
  };

/** Whether a value counts as no answer for `required`: absent, null, blank text, an empty list. */
export function isBlank(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}
