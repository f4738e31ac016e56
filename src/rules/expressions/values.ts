import type { ExprType } from './catalog.js';

/**
 * Values inside an evaluation: numbers, texts, booleans and null as themselves; a date as its day
 * number (days since 1970-01-01), a date and time as its epoch milliseconds, so both compare and
 * subtract as numbers; a list as an array. The checker keeps these apart from plain numbers by
 * type; reading an answer converts into this form and results convert back (`toAnswer`).
 */
export type Value = number | string | boolean | null | Value[];

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** RFC 3339 as ajv-formats' `date-time` accepts it (what a datetime answer holds). */
const DATETIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[zZ]|[+-]\d{2}:?\d{2})$/;

/** The day number of a `YYYY-MM-DD` date, or null when it is not a real date (2023-02-29). */
export function dayOf(text: string): number | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  back.setUTCFullYear(y);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return Math.round(back.getTime() / DAY_MS);
}

/** Epoch milliseconds of an RFC 3339 date and time, or null. */
export function instantOf(text: string): number | null {
  if (!DATETIME.test(text) || dayOf(text.slice(0, 10)) === null) return null;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function dateText(day: number): string | null {
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  if (!Number.isFinite(day) || y < 1 || y > 9999) return null;
  return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

export function instantText(ms: number): string | null {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  return Number.isFinite(ms) && y >= 1 && y <= 9999 ? d.toISOString() : null;
}

export const dayOfInstant = (ms: number) => Math.floor(ms / DAY_MS);
export const instantOfDay = (day: number) => day * DAY_MS;

/**
 * A number as the relevance rule reads one (src/rules/relevance.ts, rule 3): numbers, and texts
 * that spell a number (`"3"`, `" 3.0 "`), are that number; anything else is no answer.
 */
function readNumber(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

/** Texts as themselves (an empty text is no answer), numbers and booleans as text (`3` reads `"3"`). */
function readText(v: unknown): string | null {
  if (typeof v === 'string') return v === '' ? null : v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}

/** Relevance rules 2 and 3: an untouched checkbox is not ticked; `"true"` and `true` are equal. */
function readBoolean(v: unknown): boolean | null {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false' || v === undefined || v === null) return false;
  return null;
}

/** The reader of a scalar answer of a type (an answer that does not fit the type reads as null). */
export function readerOf(type: ExprType): (v: unknown) => Value {
  const one = scalarReader(type);
  if (!type.list) return one;
  // A list reads as its values (no answer: an empty list); functions over lists skip nulls.
  return (v) => (Array.isArray(v) ? v.map(one) : []);
}

function scalarReader(type: ExprType): (v: unknown) => Value {
  switch (type.scalar) {
    case 'number':
      return readNumber;
    case 'boolean':
      return readBoolean;
    case 'date':
      return (v) => (typeof v === 'string' ? dayOf(v) : null);
    case 'datetime':
      return (v) => (typeof v === 'string' ? instantOf(v) : null);
    case 'text':
      return readText;
    case 'null':
      return () => null;
  }
}

/** A value back in the form an answer holds: dates as `YYYY-MM-DD`, dates and times in ISO 8601 UTC. */
export function writerOf(type: ExprType, integer: boolean): (v: Value) => unknown {
  const one = (v: Value): unknown => {
    if (v === null) return null;
    switch (type.scalar) {
      case 'date':
        return typeof v === 'number' ? dateText(v) : null;
      case 'datetime':
        return typeof v === 'number' ? instantText(v) : null;
      case 'number':
        return typeof v === 'number' && Number.isFinite(v) ? (integer ? roundHalfAway(v, 0) : v) : null;
      default:
        return v;
    }
  };
  return type.list ? (v) => (Array.isArray(v) ? v.map(one) : []) : one;
}

/** Rounds to `digits` decimals (-15..15), halves away from zero: round(2.5) = 3, round(-2.5) = -3, round(1.005, 2) = 1.01. */
export function roundHalfAway(x: number, digits: number): number | null {
  if (!Number.isFinite(x) || !Number.isInteger(digits) || digits < -15 || digits > 15) return null;
  const sign = x < 0 ? -1 : 1;
  const scale = 10 ** Math.abs(digits);
  const abs = Math.abs(x);
  // The scaled value, nudged by a few ulps: 1.005 is stored as 1.00499999999999989..., and people mean 1.005.
  const scaled = digits >= 0 ? abs * scale : abs / scale;
  const rounded = Math.floor(scaled + 0.5 + scaled * 4 * Number.EPSILON);
  const result = digits >= 0 ? rounded / scale : rounded * scale;
  return sign * result + 0; // + 0 turns -0 into 0
}
