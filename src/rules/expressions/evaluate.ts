import { codePoints } from '../values.js';
import { compilePattern } from '../pattern.js';
import type { ExprType } from './catalog.js';
import type { CheckedExpression, Typed } from './check.js';
import { dayOf, dayOfInstant, instantOfDay, readerOf, roundHalfAway, writerOf, type Value } from './values.js';

/**
 * The evaluator: a checked expression compiled once into a tree of closures (no eval, no
 * Function, no code generation), each node run at most once per evaluation, so an evaluation is
 * linear in the size of the expression and of the values it reads (a table column read over all
 * rows is one pass over the rows; patterns run on RE2).
 *
 * Semantics, one rule each:
 * - Reading answers follows the relevance rule of showIf (src/rules/relevance.ts): a number field
 *   reads numbers and texts that spell a number (`"3"` is 3); a text reads `3` as `"3"`; an empty
 *   text is no answer (null); an untouched checkbox (absent or null) reads as false, `"true"` as
 *   true; a date reads `YYYY-MM-DD` (anything else is null); a multiple choice, a file field and
 *   a column over all rows read as lists (no answer: an empty list). A value that does not fit its
 *   field's type reads as null. The engine decides what hidden fields hold by the answer it passes.
 * - Null propagates through arithmetic: `null + 1`, `'a' + null`, `-null` are null; so is a
 *   division by zero and any result that is not a finite number.
 * - Comparisons with null are false, `=` and `!=` alike, except with the literal null:
 *   `${x} = null` holds when x has no answer, `${x} != null` when it has one.
 * - `and`, `or`, `not` read null as false (two-valued logic): `not (${x} > 3)` holds when x is
 *   empty; write `${x} <= 3` to require an answer. `and`/`or` stop at the first deciding side.
 *   showIf, required and constraints hold only when the result is exactly true (`holds`).
 * - Numbers compare numerically, texts by character codes (case-sensitive), yes/no values only
 *   with = and !=, dates as dates, dates and times as instants. A date and a date-time do not
 *   compare. A literal beside a value of another type is read as that type when it spells one
 *   (checked once, at compile time): `${n} = '3'` is `${n} = 3`, `${d} >= '2024-01-01'` compares
 *   dates, `${text} = 3` is `${text} = '3'`; otherwise the expression is refused.
 * - `+` adds numbers, joins two texts, or adds days to a date (`${d} + 7`; fractions of a day are
 *   dropped) or to a date and time; `-` subtracts days the same way.
 * - today() and now() read the clock passed in (so the preview, the API and tests agree).
 * - if(c, a, b): a when c is true, else b (null is false); only the chosen branch runs.
 * - coalesce(a, b, ...): the first value that is not null (nor an empty list).
 * - selected(list, 'v'): whether the list (or a single choice) holds 'v'; false on no answer.
 * - count(list): how many values are not null; sum(list): their total (0 for none);
 *   min/max(list) or min/max(a, b, ...): the least/greatest value that is not null (null for none).
 * - length(text): in Unicode code points (`😀` is 1); null for no answer.
 * - matches(text, 'pattern'): RE2, compiled once here; unanchored like a field's pattern; false
 *   for no answer.
 * - days_between(d1, d2): whole days from d1 to d2 (negative when d2 is earlier), truncated
 *   towards zero for dates and times.
 * - round(x, n): n decimals (0 when omitted, -15..15), halves away from zero; null otherwise.
 * - A result converts back to what an answer holds: dates `YYYY-MM-DD`, dates and times ISO 8601
 *   in UTC, an `integer` calculation rounded half away from zero.
 */

export interface ExpressionClock {
  /** Now, in epoch milliseconds. */
  now(): number;
  /** Today's date, `YYYY-MM-DD`, in the form's time zone. */
  today(): string;
}

/** The system clock; today() in the time zone `offsetMinutes` east of UTC (0: UTC). */
export function systemClock(offsetMinutes = 0): ExpressionClock {
  return {
    now: () => Date.now(),
    today: () => new Date(Date.now() + offsetMinutes * 60_000).toISOString().slice(0, 10),
  };
}

/** A clock stopped at an instant (tests, and a preview that must agree with them). */
export function fixedClock(instant: string, offsetMinutes = 0): ExpressionClock {
  const ms = Date.parse(instant);
  if (!Number.isFinite(ms)) throw new Error(`not an instant: ${instant}`);
  return { now: () => ms, today: () => new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 10) };
}

export interface EvaluateOptions {
  /** The row, for a rule of a table's column: `${column}` reads it. */
  row?: unknown;
  clock?: ExpressionClock;
}

export interface CompiledExpression {
  readonly source: string;
  readonly type: ExprType;
  /** Ids of the fields and columns it reads. */
  readonly dependencies: readonly string[];
  /** Its value for an answer (`{section: {field: value, table: [{column: value}]}}`), as an answer holds values. */
  evaluate(answer: unknown, options?: EvaluateOptions): unknown;
  /** Whether it is exactly true (showIf, required, constraints). */
  holds(answer: unknown, options?: EvaluateOptions): boolean;
}

interface Scope {
  answer: unknown;
  row: unknown;
  clock: ExpressionClock;
}

type Eval = (s: Scope) => Value;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (v: unknown, key: string): unknown => (isObject(v) && Object.hasOwn(v, key) ? v[key] : undefined);
const finite = (n: number): number | null => (Number.isFinite(n) ? n + 0 : null);
const DAY_MS = 86_400_000;
const DEFAULT_CLOCK = systemClock();

function compileNode(t: Typed): Eval {
  switch (t.k) {
    case 'const': {
      const value = t.value;
      return () => value;
    }
    case 'field': {
      const { section, key } = t.field;
      const read = readerOf(t.type);
      return (s) => read(own(own(s.answer, section), key));
    }
    case 'row': {
      const { key } = t.field;
      const read = readerOf(t.type);
      return (s) => read(own(s.row, key));
    }
    case 'column': {
      const { section, table, key } = t.field;
      const read = readerOf({ scalar: t.type.scalar, list: false });
      return (s) => {
        const rows = own(own(s.answer, section), table!);
        return Array.isArray(rows) ? rows.map((row) => read(own(row, key))) : [];
      };
    }
    case 'not': {
      const arg = compileNode(t.arg);
      return (s) => arg(s) !== true;
    }
    case 'neg': {
      const arg = compileNode(t.arg);
      return (s) => {
        const v = arg(s);
        return typeof v === 'number' ? finite(-v) : null;
      };
    }
    case 'logic': {
      const left = compileNode(t.left);
      const right = compileNode(t.right);
      return t.op === 'and'
        ? (s) => left(s) === true && right(s) === true
        : (s) => left(s) === true || right(s) === true;
    }
    case 'compare':
      return compileCompare(t);
    case 'arith':
      return compileArith(t);
    case 'call':
      return compileCall(t);
  }
}

function compileCompare(t: Typed & { k: 'compare' }): Eval {
  const left = compileNode(t.left);
  const right = compileNode(t.right);
  if (t.left.type.scalar === 'null' || t.right.type.scalar === 'null') {
    return t.op === '='
      ? (s) => left(s) === null && right(s) === null
      : (s) => !(left(s) === null && right(s) === null);
  }
  const test: Record<typeof t.op, (a: Value, b: Value) => boolean> = {
    '=': (a, b) => a === b,
    '!=': (a, b) => a !== b,
    '<': (a, b) => a! < b!,
    '<=': (a, b) => a! <= b!,
    '>': (a, b) => a! > b!,
    '>=': (a, b) => a! >= b!,
  };
  const op = test[t.op];
  return (s) => {
    const a = left(s);
    if (a === null) return false;
    const b = right(s);
    return b !== null && op(a, b);
  };
}

function compileArith(t: Typed & { k: 'arith' }): Eval {
  const left = compileNode(t.left);
  const right = compileNode(t.right);
  const both =
    (f: (a: number, b: number) => number | null): Eval =>
    (s) => {
      const a = left(s);
      if (typeof a !== 'number') return null;
      const b = right(s);
      return typeof b === 'number' ? f(a, b) : null;
    };
  if (t.mode === 'concat') {
    return (s) => {
      const a = left(s);
      if (typeof a !== 'string') return null;
      const b = right(s);
      return typeof b === 'string' ? a + b : null;
    };
  }
  if (t.mode === 'days') {
    const sign = t.op === '-' ? -1 : 1;
    return t.type.scalar === 'date'
      ? both((day, n) => finite(day + sign * Math.trunc(n)))
      : both((ms, n) => finite(ms + sign * n * DAY_MS));
  }
  switch (t.op) {
    case '+':
      return both((a, b) => finite(a + b));
    case '-':
      return both((a, b) => finite(a - b));
    case '*':
      return both((a, b) => finite(a * b));
    case '/':
      return both((a, b) => (b === 0 ? null : finite(a / b)));
  }
}

const present = (list: Value): Value[] => (Array.isArray(list) ? list.filter((v) => v !== null) : []);

function compileCall(t: Typed & { k: 'call' }): Eval {
  const args = t.args.map(compileNode);
  const [a, b, c] = args as [Eval, Eval, Eval];
  switch (t.name) {
    case 'today':
      return (s) => dayOf(s.clock.today());
    case 'now':
      return (s) => finite(s.clock.now());
    case 'if':
      return (s) => (a(s) === true ? b(s) : c(s));
    case 'coalesce':
      return (s) => {
        for (const arg of args) {
          const v = arg(s);
          if (v !== null && !(Array.isArray(v) && v.length === 0)) return v;
        }
        return t.type.list ? [] : null;
      };
    case 'selected':
      return (s) => {
        const value = b(s);
        if (value === null) return false;
        const list = a(s);
        return Array.isArray(list) ? list.includes(value) : list === value;
      };
    case 'count':
      return (s) => present(a(s)).length;
    case 'sum':
      return (s) => {
        let total = 0;
        for (const v of present(a(s))) total += v as number;
        return finite(total);
      };
    case 'min':
    case 'max': {
      const better = t.name === 'min' ? (x: Value, y: Value) => x! < y! : (x: Value, y: Value) => x! > y!;
      const pick = (values: Value[]) => {
        let best: Value = null;
        for (const v of values) if (v !== null && (best === null || better(v, best))) best = v;
        return best;
      };
      return args.length === 1 ? (s) => pick(present(a(s))) : (s) => pick(args.map((arg) => arg(s)));
    }
    case 'length':
      return (s) => {
        const v = a(s);
        return typeof v === 'string' ? codePoints(v) : null;
      };
    case 'matches': {
      const pattern = compilePattern(String((t.args[1] as Typed & { k: 'const' }).value));
      return (s) => {
        const v = a(s);
        return typeof v === 'string' && pattern.test(v);
      };
    }
    case 'days_between': {
      // Both as epoch milliseconds: a date is its midnight UTC.
      const asMs = (arg: Typed) =>
        arg.type.scalar === 'date'
          ? (v: Value) => (typeof v === 'number' ? instantOfDay(v) : null)
          : (v: Value) => (typeof v === 'number' ? v : null);
      const [from, to] = [asMs(t.args[0]!), asMs(t.args[1]!)];
      const dates = t.args[0]!.type.scalar === 'date' && t.args[1]!.type.scalar === 'date';
      return (s) => {
        const x = from(a(s));
        const y = to(b(s));
        if (x === null || y === null) return null;
        return dates ? dayOfInstant(y) - dayOfInstant(x) : Math.trunc((y - x) / DAY_MS) + 0;
      };
    }
    case 'round':
      return args.length === 1
        ? (s) => {
            const x = a(s);
            return typeof x === 'number' ? roundHalfAway(x, 0) : null;
          }
        : (s) => {
            const x = a(s);
            const n = b(s);
            return typeof x === 'number' && typeof n === 'number' ? roundHalfAway(x, n) : null;
          };
  }
  throw new Error(`no evaluator for ${t.name}()`);
}

/** Compiles a checked expression once; the result is evaluated per answer. */
export function compileExpression(checked: CheckedExpression): CompiledExpression {
  const run = compileNode(checked.tree);
  const write = writerOf(checked.type, checked.integer);
  // One scope per compiled expression, filled for each evaluation: an evaluation is synchronous and
  // never evaluates the same expression again, so no allocation per evaluation is needed. Emptied
  // afterwards, so it holds on to no answer.
  const scope: Scope = { answer: undefined, row: undefined, clock: DEFAULT_CLOCK };
  const runOn = (answer: unknown, options: EvaluateOptions | undefined): Value => {
    scope.answer = answer;
    scope.row = options?.row;
    scope.clock = options?.clock ?? DEFAULT_CLOCK;
    try {
      return run(scope);
    } finally {
      scope.answer = undefined;
      scope.row = undefined;
    }
  };
  return {
    source: checked.source,
    type: checked.type,
    dependencies: checked.dependencies,
    evaluate: (answer, options) => write(runOn(answer, options)),
    holds: (answer, options) => runOn(answer, options) === true,
  };
}
