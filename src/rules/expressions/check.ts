import { patternProblem } from '../pattern.js';
import {
  listOf,
  scalar,
  typeName,
  typeOfField,
  type Catalog,
  type CatalogField,
  type ExprType,
  type Scalar,
} from './catalog.js';
import { at, ExpressionSyntaxError, parseExpression, type BinaryOp, type Node } from './parse.js';
import { resolveReference } from './references.js';
import { dayOf, instantOf, type Value } from './values.js';

/**
 * The static checker: parses an expression, resolves its references in its context, infers the
 * type of every part and refuses what cannot be evaluated (unknown keys, type mismatches, unknown
 * functions, patterns RE2 cannot run), naming the character and the part at fault. What it
 * returns is the typed tree the evaluator compiles, its type and the ids of the fields it reads.
 */

export interface ExpressionContext {
  /** Where the definition validator reports: `sections[0].fields[3].showIf`. Every problem carries it. */
  path: string;
  /** The key of the section the expression belongs to. */
  section: string;
  /** For a rule of a repeating table's column: the table's key (`${column}` is then the same row's column). */
  table?: string;
  /**
   * The type the result must have, spelled as a field type: `boolean` for showIf, required and
   * constraints; a calculation's resultType (`integer` results are rounded half away from zero);
   * the field's own type for a default. Omitted: any type.
   */
  expect?: string;
}

export type ProblemCode = 'syntax' | 'unknown-key' | 'type' | 'function' | 'pattern' | 'cycle';

export interface ExpressionProblem {
  /** The path of the expression in the definition, as the context gave it. */
  path: string;
  code: ProblemCode;
  message: string;
  /** 0-based offset in the expression of the part at fault, when there is one. */
  position?: number;
}

type Compare = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** The checked tree: each node typed, references resolved, literals in evaluation form. */
export type Typed =
  | { k: 'const'; value: Value; type: ExprType }
  /** A field of a section (in the answer's section object). */
  | { k: 'field'; field: CatalogField; type: ExprType }
  /** A column of the same row (column rules only). */
  | { k: 'row'; field: CatalogField; type: ExprType }
  /** A column over all rows of its table: a list. */
  | { k: 'column'; field: CatalogField; type: ExprType }
  | { k: 'not' | 'neg'; arg: Typed; type: ExprType }
  | { k: 'logic'; op: 'and' | 'or'; left: Typed; right: Typed; type: ExprType }
  | { k: 'compare'; op: Compare; left: Typed; right: Typed; type: ExprType }
  /** `days`: a date (or date and time) plus or minus a number of days. */
  | {
      k: 'arith';
      op: '+' | '-' | '*' | '/';
      mode: 'number' | 'concat' | 'days';
      left: Typed;
      right: Typed;
      type: ExprType;
    }
  | { k: 'call'; name: string; args: Typed[]; type: ExprType };

export interface CheckedExpression {
  source: string;
  context: ExpressionContext;
  tree: Typed;
  type: ExprType;
  /** Rounded to a whole number when it is produced (a calculation of resultType `integer`). */
  integer: boolean;
  /** Ids of the fields and columns it reads, each once, in the order they first appear. */
  dependencies: string[];
}

export interface CheckResult {
  /** Null when there are problems. */
  expression: CheckedExpression | null;
  problems: ExpressionProblem[];
}

export const FUNCTIONS = [
  'today',
  'now',
  'if',
  'coalesce',
  'selected',
  'count',
  'sum',
  'min',
  'max',
  'length',
  'matches',
  'days_between',
  'round',
] as const;

/** At most this many problems are reported for one expression. */
export const MAX_PROBLEMS = 20;

const BOOLEAN = scalar('boolean');
const NUMBER = scalar('number');
const NULL = scalar('null');
const same = (a: ExprType, b: ExprType) => a.scalar === b.scalar && a.list === b.list;
const isNull = (t: ExprType) => t.scalar === 'null' && !t.list;

class Checker {
  readonly problems: ExpressionProblem[] = [];
  readonly dependencies = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly context: ExpressionContext,
    private readonly catalog: Catalog,
  ) {}

  fail(code: ProblemCode, message: string, position?: number): null {
    // A hostile expression can hold thousands of mistakes: the first few are what a builder reads.
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ path: this.context.path, code, message, position });
    return null;
  }

  /** The part of the expression at fault, quoted, with its position. */
  private part(node: Node): string {
    const text = this.source.slice(node.start, node.end);
    const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    return `${shown} ${at(node.start)}`;
  }

  private typeError(node: Node, message: string): null {
    return this.fail('type', `${this.part(node)}: ${message}`, node.start);
  }

  /**
   * A literal beside a value of another type is read as that type when it spells one, as the
   * relevance rule reads `equals` (src/rules/relevance.ts): `'3'` beside a number is 3, `'true'`
   * beside a yes/no value is true, `3` beside a text is `'3'`, `'2024-03-31'` beside a date is
   * that date. A text that is no date beside a date is refused here; other mismatches are left
   * for the caller to name.
   */
  coerce(t: Typed, node: Node, target: ExprType): Typed | null {
    if (t.k !== 'const' || t.value === null || target.list || t.type.scalar === target.scalar) return t;
    const value = t.value;
    if (typeof value === 'string') {
      if (target.scalar === 'date') {
        const day = dayOf(value);
        return day === null
          ? this.typeError(node, `'${value}' is not a date: write a date like '2024-03-31'`)
          : { k: 'const', value: day, type: scalar('date') };
      }
      if (target.scalar === 'datetime') {
        const ms = instantOf(value);
        return ms === null
          ? this.typeError(node, `'${value}' is not a date and time: write one like '2024-03-31T14:30:00Z'`)
          : { k: 'const', value: ms, type: scalar('datetime') };
      }
      const n = value.trim() === '' ? Number.NaN : Number(value);
      if (target.scalar === 'number' && Number.isFinite(n)) return { k: 'const', value: n, type: NUMBER };
      if (target.scalar === 'boolean' && (value === 'true' || value === 'false'))
        return { k: 'const', value: value === 'true', type: BOOLEAN };
      return t;
    }
    if (target.scalar === 'text' && (typeof value === 'number' || typeof value === 'boolean'))
      return { k: 'const', value: String(value), type: scalar('text') };
    return t;
  }

  check(node: Node): Typed | null {
    switch (node.kind) {
      case 'literal':
        return {
          k: 'const',
          value: node.value,
          type:
            node.value === null
              ? NULL
              : scalar(typeof node.value === 'number' ? 'number' : typeof node.value === 'string' ? 'text' : 'boolean'),
        };
      case 'ref':
        return this.reference(node);
      case 'unary':
        return this.unary(node);
      case 'binary':
        return this.binary(node);
      case 'call':
        return this.call(node);
    }
  }

  private reference(node: Node & { kind: 'ref' }): Typed | null {
    const found = resolveReference(this.catalog, this.context, node.parts, this.problems.length < MAX_PROBLEMS);
    if ('problem' in found) return this.fail('unknown-key', `${this.part(node)}: ${found.problem}`, node.start);
    if (found.field.unreadable) return this.typeError(node, found.field.unreadable);
    this.dependencies.add(found.field.id);
    return {
      k: found.mode,
      field: found.field,
      type: found.mode === 'column' ? listOf(found.field.type.scalar) : found.field.type,
    };
  }

  private unary(node: Node & { kind: 'unary' }): Typed | null {
    const arg = this.check(node.arg);
    if (!arg) return null;
    if (node.op === 'not') {
      if (!same(arg.type, BOOLEAN) && !isNull(arg.type))
        return this.typeError(node, `'not' needs a yes/no value, not ${typeName(arg.type)}`);
      return { k: 'not', arg, type: BOOLEAN };
    }
    if (!same(arg.type, NUMBER) && !isNull(arg.type))
      return this.typeError(node, `'-' needs a number, not ${typeName(arg.type)}`);
    return { k: 'neg', arg, type: NUMBER };
  }

  private binary(node: Node & { kind: 'binary' }): Typed | null {
    const l = this.check(node.left);
    const r = this.check(node.right);
    if (!l || !r) return null;
    const op: BinaryOp = node.op;
    if (op === 'and' || op === 'or') {
      for (const [side, t] of [
        [node.left, l],
        [node.right, r],
      ] as const) {
        if (!same(t.type, BOOLEAN) && !isNull(t.type))
          return this.typeError(side, `'${op}' joins yes/no values; this is ${typeName(t.type)}`);
      }
      return { k: 'logic', op, left: l, right: r, type: BOOLEAN };
    }
    if (op === '=' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=')
      return this.compare(node, op, l, r);
    return this.arithmetic(node, op, l, r);
  }

  private compare(node: Node & { kind: 'binary' }, op: Compare, l: Typed, r: Typed): Typed | null {
    const ordered = op !== '=' && op !== '!=';
    if (l.type.list || r.type.list) {
      const list = l.type.list ? l : r;
      return this.typeError(
        node,
        `cannot compare ${typeName(list.type)} with '${op}': use selected(list, 'value'), count(list), sum(list), min(list) or max(list)`,
      );
    }
    if (isNull(l.type) || isNull(r.type)) {
      if (ordered)
        return this.typeError(
          node,
          `null can only be compared with = or != (no answer is neither smaller nor greater)`,
        );
      return { k: 'compare', op, left: l, right: r, type: BOOLEAN };
    }
    // A literal compared with a value of another type is read as that type (coerce).
    const left = this.coerce(l, node.left, r.type);
    const right = left && this.coerce(r, node.right, left.type);
    if (!left || !right) return null;
    if (left.type.scalar !== right.type.scalar) {
      return this.typeError(node, `cannot compare ${typeName(left.type)} with ${typeName(right.type)}`);
    }
    if (ordered && left.type.scalar === 'boolean')
      return this.typeError(node, `yes/no values have no order: compare them with = or !=`);
    return { k: 'compare', op, left, right, type: BOOLEAN };
  }

  private arithmetic(node: Node & { kind: 'binary' }, op: '+' | '-' | '*' | '/', l: Typed, r: Typed): Typed | null {
    const a = l.type;
    const b = r.type;
    if (a.list || b.list)
      return this.typeError(
        node,
        `'${op}' cannot take ${typeName(a.list ? a : b)}: use sum(list), count(list), min(list) or max(list)`,
      );
    const number = (t: ExprType) => t.scalar === 'number' || t.scalar === 'null';
    if (number(a) && number(b)) return { k: 'arith', op, mode: 'number', left: l, right: r, type: NUMBER };
    if (op === '+' && (a.scalar === 'text' || isNull(a)) && (b.scalar === 'text' || isNull(b)))
      return { k: 'arith', op, mode: 'concat', left: l, right: r, type: scalar('text') };
    if ((op === '+' || op === '-') && (a.scalar === 'date' || a.scalar === 'datetime') && number(b))
      return { k: 'arith', op, mode: 'days', left: l, right: r, type: a };
    if (op === '+' && number(a) && (b.scalar === 'date' || b.scalar === 'datetime'))
      return { k: 'arith', op, mode: 'days', left: r, right: l, type: b };
    const words = { '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'divide' }[op];
    const hint =
      op === '-' && (a.scalar === 'date' || a.scalar === 'datetime') && (b.scalar === 'date' || b.scalar === 'datetime')
        ? ': use days_between(start, end) for the days between two dates'
        : op === '+'
          ? ': + adds numbers, joins two texts, or adds days to a date'
          : `: '${op}' works on numbers`;
    return this.typeError(node, `cannot ${words} ${typeName(a)} and ${typeName(b)}${hint}`);
  }

  /** One type for values of which any may be chosen (if, coalesce, min, max): null fits any. */
  private unify(name: string, nodes: Node[], typed: Typed[]): { args: Typed[]; type: ExprType } | null {
    const known =
      typed.find((t) => !isNull(t.type) && !(t.k === 'const' && t.type.scalar === 'text')) ??
      typed.find((t) => !isNull(t.type));
    const target = known?.type ?? NULL;
    const args: Typed[] = [];
    for (let i = 0; i < typed.length; i++) {
      const t = this.coerce(typed[i]!, nodes[i]!, target);
      if (!t) return null;
      if (!isNull(t.type) && !same(t.type, target))
        return this.typeError(
          nodes[i]!,
          `${name}() needs values of one type: this is ${typeName(t.type)}, another is ${typeName(target)}`,
        );
      args.push(t);
    }
    return { args, type: target };
  }

  private call(node: Node & { kind: 'call' }): Typed | null {
    const name = node.name;
    if (!(FUNCTIONS as readonly string[]).includes(name)) {
      return this.fail(
        'function',
        `unknown function ${name}() ${at(node.start)}: the functions are ${FUNCTIONS.map((f) => `${f}()`).join(', ')}`,
        node.start,
      );
    }
    const arity: Record<string, [number, number]> = {
      today: [0, 0],
      now: [0, 0],
      if: [3, 3],
      coalesce: [1, 100],
      selected: [2, 2],
      count: [1, 1],
      sum: [1, 1],
      min: [1, 100],
      max: [1, 100],
      length: [1, 1],
      matches: [2, 2],
      days_between: [2, 2],
      round: [1, 2],
    };
    const [lo, hi] = arity[name]!;
    if (node.args.length < lo || node.args.length > hi) {
      const wanted =
        lo === hi
          ? `${lo} argument${lo === 1 ? '' : 's'}`
          : hi === 100
            ? `at least ${lo} argument${lo === 1 ? '' : 's'}`
            : `${lo} or ${hi} arguments`;
      return this.fail('function', `${name}() ${at(node.start)} takes ${wanted}, not ${node.args.length}`, node.start);
    }
    const typed: Typed[] = [];
    for (const a of node.args) {
      const t = this.check(a);
      if (t) typed.push(t);
    }
    if (typed.length !== node.args.length) return null;
    const args = node.args;
    const arg = (i: number, ok: (t: ExprType) => boolean, wanted: string): boolean => {
      const t = typed[i]!.type;
      if (ok(t) || isNull(t)) return true;
      this.typeError(args[i]!, `${name}() needs ${wanted} here, not ${typeName(t)}`);
      return false;
    };
    const result = (type: ExprType, list = typed): Typed => ({ k: 'call', name, args: list, type });
    switch (name) {
      case 'today':
        return result(scalar('date'));
      case 'now':
        return result(scalar('datetime'));
      case 'if': {
        if (!arg(0, (t) => same(t, BOOLEAN), 'a yes/no condition')) return null;
        const chosen = this.unify(name, args.slice(1), typed.slice(1));
        return chosen && result(chosen.type, [typed[0]!, ...chosen.args]);
      }
      case 'coalesce': {
        const chosen = this.unify(name, args, typed);
        return chosen && result(chosen.type, chosen.args);
      }
      case 'selected':
        if (
          !arg(0, (t) => t.scalar === 'text', 'a multiple choice (or a text)') ||
          !arg(1, (t) => same(t, scalar('text')), "the value of an option, like 'yes'")
        )
          return null;
        return result(BOOLEAN);
      case 'count':
        return arg(0, (t) => t.list, 'a list (a multiple choice, or a table column like ${table.column})')
          ? result(NUMBER)
          : null;
      case 'sum':
        return arg(0, (t) => t.list && t.scalar === 'number', 'a list of numbers') ? result(NUMBER) : null;
      case 'min':
      case 'max':
        return this.extreme(node, typed);
      case 'length':
        return arg(0, (t) => same(t, scalar('text')), 'a text (count(list) counts a list)') ? result(NUMBER) : null;
      case 'matches':
        return this.matches(node, typed);
      case 'days_between': {
        const temporal = (t: ExprType) => !t.list && (t.scalar === 'date' || t.scalar === 'datetime');
        const coerced = typed.map((t, i) => this.coerce(t, args[i]!, scalar('date')));
        if (coerced.some((t) => !t)) return null;
        typed.splice(0, 2, ...(coerced as Typed[]));
        return arg(0, temporal, 'a date') && arg(1, temporal, 'a date') ? result(NUMBER) : null;
      }
      case 'round':
        return arg(0, (t) => same(t, NUMBER), 'a number') &&
          (typed.length < 2 || arg(1, (t) => same(t, NUMBER), 'a whole number of decimals'))
          ? result(NUMBER)
          : null;
    }
    return null;
  }

  /** min(list) or max(list), or min(a, b, ...) of single values: numbers, dates, dates and times or texts. */
  private extreme(node: Node & { kind: 'call' }, typed: Typed[]): Typed | null {
    const orderable = (s: Scalar) => s === 'number' || s === 'date' || s === 'datetime' || s === 'text';
    if (typed.length === 1) {
      const t = typed[0]!.type;
      if (isNull(t)) return { k: 'call', name: node.name, args: typed, type: NULL };
      if (!t.list || !orderable(t.scalar))
        return this.typeError(
          node.args[0]!,
          `${node.name}() needs a list of numbers, dates or texts (or two values or more), not ${typeName(t)}`,
        );
      return { k: 'call', name: node.name, args: typed, type: scalar(t.scalar) };
    }
    const chosen = this.unify(node.name, node.args, typed);
    if (!chosen) return null;
    if (chosen.type.list || (!orderable(chosen.type.scalar) && !isNull(chosen.type))) {
      return this.typeError(
        node,
        `${node.name}() of several values needs numbers, dates or texts, not ${typeName(chosen.type)}`,
      );
    }
    return { k: 'call', name: node.name, args: chosen.args, type: chosen.type };
  }

  private matches(node: Node & { kind: 'call' }, typed: Typed[]): Typed | null {
    const [text, pattern] = typed as [Typed, Typed];
    const patternNode = node.args[1]!;
    if (!same(text.type, scalar('text')) && !isNull(text.type))
      return this.typeError(node.args[0]!, `matches() needs a text here, not ${typeName(text.type)}`);
    if (pattern.k !== 'const' || typeof pattern.value !== 'string') {
      return this.fail(
        'pattern',
        `${this.part(patternNode)}: the pattern of matches() must be written in quotes, like matches(\${code}, '^[A-Z]{2}[0-9]+$')`,
        patternNode.start,
      );
    }
    const problem = patternProblem(pattern.value);
    if (problem) return this.fail('pattern', `${this.part(patternNode)}: the pattern ${problem}`, patternNode.start);
    return { k: 'call', name: 'matches', args: typed, type: BOOLEAN };
  }

  /** coerce(), through the branches of if() and coalesce() whose values are all literals: `if(c, '2024-01-01', null)` for a date. */
  private coerceChoice(t: Typed, node: Node, target: ExprType): Typed | null {
    if (
      t.k !== 'call' ||
      (t.name !== 'if' && t.name !== 'coalesce') ||
      node.kind !== 'call' ||
      t.type.list ||
      t.type.scalar === target.scalar
    )
      return this.coerce(t, node, target);
    const args = [...t.args];
    for (let i = t.name === 'if' ? 1 : 0; i < args.length; i++) {
      const c = this.coerceChoice(args[i]!, node.args[i]!, target);
      if (!c) return null;
      if (!isNull(c.type) && !same(c.type, target)) return t;
      args[i] = c;
    }
    return { ...t, args, type: target };
  }

  /** The whole expression against the type its place needs. */
  expectation(tree: Typed, node: Node): Typed | null {
    const wanted = this.context.expect;
    const target = wanted === undefined ? undefined : typeOfField(wanted);
    if (!target) return tree;
    const t = this.coerceChoice(tree, node, target);
    if (!t) return null;
    if (isNull(t.type) || same(t.type, target)) return t;
    return this.fail(
      'type',
      `the expression gives ${typeName(t.type)}, but ${typeName(target)} is needed here`,
      node.start,
    );
  }
}

/**
 * Checks one expression in its context. Never throws for any input: every refusal is a problem
 * carrying the context's path, a message for the builder and, where there is one, the position.
 */
export function checkExpression(source: string, context: ExpressionContext, catalog: Catalog): CheckResult {
  let node: Node;
  try {
    node = parseExpression(source);
  } catch (e) {
    if (e instanceof ExpressionSyntaxError)
      return {
        expression: null,
        problems: [{ path: context.path, code: 'syntax', message: e.message, position: e.position }],
      };
    throw e;
  }
  const checker = new Checker(source, context, catalog);
  const typed = checker.check(node);
  const tree = typed && checker.expectation(typed, node);
  if (!tree || checker.problems.length) return { expression: null, problems: checker.problems };
  return {
    expression: {
      source,
      context,
      tree,
      type: tree.type,
      integer: context.expect === 'integer',
      dependencies: [...checker.dependencies],
    },
    problems: [],
  };
}
