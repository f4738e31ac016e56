/**
 * The parser of form expressions: a tokenizer and a Pratt (precedence-climbing) parser of our own,
 * producing a small AST whose every node carries its source span, so each problem can name the
 * character it is at. The language (nothing else parses):
 *
 *   expression := or
 *   or         := and ('or' and)*
 *   and        := not ('and' not)*
 *   not        := 'not' not | comparison
 *   comparison := sum (('=' | '!=' | '<' | '<=' | '>' | '>=') sum)?      (not chained: a < b < c is refused)
 *   sum        := product (('+' | '-') product)*
 *   product    := unary (('*' | '/') unary)*
 *   unary      := '-' unary | primary
 *   primary    := number | 'text' | "text" | true | false | null | ${key} | ${a.b} | ${a.b.c}
 *               | name '(' (expression (',' expression)*)? ')' | '(' expression ')'
 *
 * Strings: `\\`, `\'`, `\"`, `\n`, `\t` are escapes; any other backslash is kept as written, so a
 * pattern reads `'^\d+$'`. `${` inside a string is text. Limits keep every later pass (checker,
 * compiler, evaluator) within the stack: at most MAX_LENGTH characters, MAX_NESTING levels of
 * parentheses, `not`, `-` and calls, and MAX_DEPTH levels of syntax tree in all.
 */

export const MAX_LENGTH = 10_000;
export const MAX_NESTING = 64;
export const MAX_DEPTH = 1000;

export type BinaryOp = 'or' | 'and' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/';

interface Span {
  /** Offset of the first character (0-based) and one past the last. */
  start: number;
  end: number;
}

export type Node =
  | (Span & { kind: 'literal'; value: number | string | boolean | null })
  | (Span & { kind: 'ref'; parts: string[] })
  | (Span & { kind: 'unary'; op: 'not' | '-'; arg: Node })
  | (Span & { kind: 'binary'; op: BinaryOp; left: Node; right: Node; opAt: number })
  | (Span & { kind: 'call'; name: string; args: Node[] });

/** A refusal at a character of the expression (0-based offset; messages count from 1). */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

type Token =
  | (Span & { type: 'number'; value: number })
  | (Span & { type: 'string'; value: string })
  | (Span & { type: 'ref'; parts: string[] })
  | (Span & { type: 'word'; value: string })
  | (Span & { type: 'op'; value: string })
  | (Span & { type: 'eof' });

export const at = (position: number) => `at character ${position + 1}`;

const KEY = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const WORD_START = /[\p{L}_]/u;
const WORD_PART = /[\p{L}\p{N}_]/u;
const DIGIT = /[0-9]/;
const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?/y;
const SPACE = /\s/;
const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t' };

/** Operators that other languages spell differently: refused with the spelling of this one. */
const FOREIGN: Record<string, string> = {
  '==': "compare with a single '='",
  '===': "compare with a single '='",
  '!==': "use '!=' for 'is not'",
  '<>': "use '!=' for 'is not'",
  '&&': "use 'and'",
  '||': "use 'or'",
  '!': "use 'not'",
  '&': "use 'and'",
  '|': "use 'or'",
  '?': 'use if(condition, then, else)',
  ':': 'use if(condition, then, else)',
  '.': 'member access is not part of expressions: write a reference as ${section.key}',
  '[': 'lists are not part of expressions: reference a multiple choice or a table column instead',
  ']': 'lists are not part of expressions',
  '{': 'objects are not part of expressions',
  '}': 'objects are not part of expressions',
  '%': 'the remainder operator is not part of expressions',
  '^': 'there is no power operator: multiply instead',
  ';': 'an expression is a single expression, without ;',
};

function tokenRef(source: string, start: number): Token {
  const close = source.indexOf('}', start + 2);
  if (close < 0) throw new ExpressionSyntaxError(`unclosed reference ${at(start)}: end it with }`, start);
  const inner = source.slice(start + 2, close).trim();
  if (!inner) throw new ExpressionSyntaxError(`empty reference ${at(start)}: name a question, like \${age}`, start);
  const parts = inner.split('.').map((p) => p.trim());
  if (parts.length > 3)
    throw new ExpressionSyntaxError(
      `reference \${${inner}} ${at(start)} has too many parts: use \${key}, \${section.key} or \${table.column}`,
      start,
    );
  for (const part of parts) {
    if (!KEY.test(part)) {
      throw new ExpressionSyntaxError(
        `reference \${${inner}} ${at(start)} is not a key: keys are letters, digits and _, parts joined by a dot`,
        start,
      );
    }
  }
  return { type: 'ref', parts, start, end: close + 1 };
}

function tokenString(source: string, start: number): Token {
  const quote = source[start]!;
  let value = '';
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i]!;
    if (c === quote) return { type: 'string', value, start, end: i + 1 };
    if (c === '\\' && i + 1 < source.length) {
      const next = source[i + 1]!;
      value += ESCAPES[next] ?? `\\${next}`;
      i++;
    } else value += c;
  }
  throw new ExpressionSyntaxError(`unclosed text ${at(start)}: end it with ${quote}`, start);
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '$' && source[i + 1] === '{') {
      tokens.push(tokenRef(source, start));
    } else if (c === "'" || c === '"') {
      tokens.push(tokenString(source, start));
    } else if (DIGIT.test(c) || (c === '.' && DIGIT.test(source[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(source)!;
      const end = i + m[0].length;
      if (WORD_PART.test(source[end] ?? '')) throw new ExpressionSyntaxError(`malformed number ${at(start)}`, start);
      tokens.push({ type: 'number', value: Number(m[0]), start, end });
    } else if (WORD_START.test(c)) {
      let end = i + 1;
      while (end < source.length && WORD_PART.test(source[end]!)) end++;
      tokens.push({ type: 'word', value: source.slice(i, end), start, end });
    } else {
      const three = source.slice(i, i + 3);
      const two = source.slice(i, i + 2);
      if (three.length === 3 && FOREIGN[three])
        throw new ExpressionSyntaxError(`'${three}' ${at(start)} is not an operator here: ${FOREIGN[three]}`, start);
      if (two === '!=' || two === '<=' || two === '>=') tokens.push({ type: 'op', value: two, start, end: i + 2 });
      else if (two.length === 2 && FOREIGN[two])
        throw new ExpressionSyntaxError(`'${two}' ${at(start)} is not an operator here: ${FOREIGN[two]}`, start);
      else if ('()+-*/,=<>'.includes(c)) tokens.push({ type: 'op', value: c, start, end: i + 1 });
      else if (FOREIGN[c]) throw new ExpressionSyntaxError(`'${c}' ${at(start)} is not allowed: ${FOREIGN[c]}`, start);
      else throw new ExpressionSyntaxError(`unexpected character ${JSON.stringify(c)} ${at(start)}`, start);
    }
    i = tokens[tokens.length - 1]!.end;
  }
  tokens.push({ type: 'eof', start: source.length, end: source.length });
  return tokens;
}

const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);
const WORDS = new Set(['and', 'or', 'not', 'true', 'false', 'null']);

const describe = (t: Token) =>
  t.type === 'eof'
    ? 'the end'
    : t.type === 'op' || t.type === 'word'
      ? `'${t.value}'`
      : t.type === 'ref'
        ? 'a reference'
        : t.type === 'string'
          ? 'a text'
          : 'a number';

class Parser {
  private i = 0;
  private nesting = 0;
  private readonly depths = new WeakMap<Node, number>();

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private isOp(value: string): boolean {
    const t = this.peek();
    return (t.type === 'op' || t.type === 'word') && t.value === value;
  }

  private expect(value: string, what: string): Token {
    const t = this.peek();
    if (!this.isOp(value))
      throw new ExpressionSyntaxError(`expected ${what}, found ${describe(t)} ${at(t.start)}`, t.start);
    this.i++;
    return t;
  }

  /** A node, with its depth checked: no later recursive pass can overflow the stack. */
  private node<N extends Node>(n: N, ...children: Node[]): N {
    let depth = 0;
    for (const c of children) depth = Math.max(depth, this.depths.get(c) ?? 1);
    if (depth + 1 > MAX_DEPTH) {
      throw new ExpressionSyntaxError(
        `expression is too deeply built ${at(n.start)} (more than ${MAX_DEPTH} levels): split it into calculated fields`,
        n.start,
      );
    }
    this.depths.set(n, depth + 1);
    return n;
  }

  private enter(position: number): void {
    if (++this.nesting > MAX_NESTING) {
      throw new ExpressionSyntaxError(
        `expression is nested too deeply ${at(position)} (more than ${MAX_NESTING} levels of parentheses, not, - or calls)`,
        position,
      );
    }
  }

  parse(): Node {
    const node = this.or();
    const t = this.peek();
    if (t.type !== 'eof')
      throw new ExpressionSyntaxError(
        `found ${describe(t)} ${at(t.start)} where an operator or the end was expected`,
        t.start,
      );
    return node;
  }

  private binaryLoop(ops: string[], next: () => Node): Node {
    let left = next();
    for (;;) {
      const t = this.peek();
      if ((t.type !== 'op' && t.type !== 'word') || !ops.includes(t.value)) return left;
      this.i++;
      const right = next();
      left = this.node(
        { kind: 'binary', op: t.value as BinaryOp, left, right, opAt: t.start, start: left.start, end: right.end },
        left,
        right,
      );
    }
  }

  private or(): Node {
    return this.binaryLoop(['or'], () => this.and());
  }

  private and(): Node {
    return this.binaryLoop(['and'], () => this.not());
  }

  private not(): Node {
    return this.prefixed(
      'word',
      'not',
      () => this.not(),
      () => this.comparison(),
    );
  }

  /**
   * A prefix operator (`not`, unary `-`): the operator followed by what `self` parses (so it may
   * repeat, each one a level of nesting), or, without it, what `next` parses.
   */
  private prefixed(type: 'word' | 'op', op: 'not' | '-', self: () => Node, next: () => Node): Node {
    const t = this.peek();
    if (t.type !== type || !('value' in t) || t.value !== op) return next();
    this.i++;
    this.enter(t.start);
    const arg = self();
    this.nesting--;
    return this.node({ kind: 'unary', op, arg, start: t.start, end: arg.end }, arg);
  }

  private comparison(): Node {
    const left = this.sum();
    const t = this.peek();
    if (t.type !== 'op' || !COMPARISONS.has(t.value)) return left;
    this.i++;
    const right = this.sum();
    const after = this.peek();
    if (after.type === 'op' && COMPARISONS.has(after.value)) {
      throw new ExpressionSyntaxError(
        `comparisons cannot be chained ${at(after.start)}: join them with 'and'`,
        after.start,
      );
    }
    return this.node(
      { kind: 'binary', op: t.value as BinaryOp, left, right, opAt: t.start, start: left.start, end: right.end },
      left,
      right,
    );
  }

  private sum(): Node {
    return this.binaryLoop(['+', '-'], () => this.product());
  }

  private product(): Node {
    return this.binaryLoop(['*', '/'], () => this.unary());
  }

  private unary(): Node {
    return this.prefixed(
      'op',
      '-',
      () => this.unary(),
      () => this.primary(),
    );
  }

  private primary(): Node {
    const t = this.peek();
    this.i++;
    switch (t.type) {
      case 'number':
        return this.node({ kind: 'literal', value: t.value, start: t.start, end: t.end });
      case 'string':
        return this.node({ kind: 'literal', value: t.value, start: t.start, end: t.end });
      case 'ref':
        return this.node({ kind: 'ref', parts: t.parts, start: t.start, end: t.end });
      case 'word':
        return this.word(t);
      case 'op':
        if (t.value === '(') {
          this.enter(t.start);
          const inner = this.or();
          this.nesting--;
          this.expect(')', `')' to close the '(' ${at(t.start)}`);
          return inner;
        }
        throw new ExpressionSyntaxError(`found ${describe(t)} ${at(t.start)} where a value was expected`, t.start);
      case 'eof':
        throw new ExpressionSyntaxError(`the expression ends too early ${at(t.start)}: a value was expected`, t.start);
    }
  }

  private word(t: Token & { type: 'word' }): Node {
    const word = t.value;
    if (word === 'true' || word === 'false')
      return this.node({ kind: 'literal', value: word === 'true', start: t.start, end: t.end });
    if (word === 'null') return this.node({ kind: 'literal', value: null, start: t.start, end: t.end });
    if (WORDS.has(word))
      throw new ExpressionSyntaxError(`found '${word}' ${at(t.start)} where a value was expected`, t.start);
    if (!this.isOp('(')) {
      throw new ExpressionSyntaxError(
        `unknown word '${word}' ${at(t.start)}: write a reference to a question as \${${word}}, or text in quotes`,
        t.start,
      );
    }
    this.i++;
    this.enter(t.start);
    const args: Node[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        args.push(this.or());
        if (!this.isOp(',')) break;
        this.i++;
      }
    }
    const close = this.expect(')', `',' or ')' in the call of ${word}()`);
    this.nesting--;
    return this.node({ kind: 'call', name: word, args, start: t.start, end: close.end }, ...args);
  }
}

/** The syntax tree of an expression. Throws ExpressionSyntaxError naming the position. */
export function parseExpression(source: string): Node {
  if (typeof source !== 'string') throw new ExpressionSyntaxError('an expression is a text', 0);
  if (source.length > MAX_LENGTH) {
    throw new ExpressionSyntaxError(
      `expression is too long (${source.length.toLocaleString('en-US')} characters, at most ${MAX_LENGTH.toLocaleString('en-US')})`,
      MAX_LENGTH,
    );
  }
  const tokens = tokenize(source);
  if (tokens.length === 1) throw new ExpressionSyntaxError('the expression is empty', 0);
  return new Parser(tokens).parse();
}
