/**
 * The table of form-expression cases: each an expression in a context, an answer, and the value
 * it must give or (a part of) the message it must be refused with. Pure data and no Node API, so
 * the same table can run in Chromium against the bundled module.
 */
import type { DefinitionDescription, ExpressionItem } from '../../src/rules/expressions/index.js';

export const DEFINITION: DefinitionDescription = {
  sections: [
    {
      id: 's_household',
      key: 'h',
      fields: [
        { id: 'f_adults', key: 'adults', type: 'integer' },
        { id: 'f_children', key: 'children', type: 'integer' },
        { id: 'f_name', key: 'name', type: 'text' },
        { id: 'f_note', key: 'note', type: 'long_text' },
        { id: 'f_email', key: 'email', type: 'email' },
        { id: 'f_start', key: 'start', type: 'date' },
        { id: 'f_end', key: 'end', type: 'date' },
        { id: 'f_at', key: 'at', type: 'datetime' },
        { id: 'f_later', key: 'later', type: 'datetime' },
        { id: 'f_consent', key: 'consent', type: 'boolean' },
        { id: 'f_tags', key: 'tags', type: 'multiple_choice' },
        { id: 'f_color', key: 'color', type: 'single_choice' },
        { id: 'f_size', key: 'size', type: 'decimal' },
        { id: 'f_code', key: 'code', type: 'text' },
        { id: 'f_photos', key: 'photos', type: 'file' },
        { id: 'f_time', key: 'time', type: 'time' },
        { id: 'f_total', key: 'total', type: 'calculated', resultType: 'integer' },
        { id: 'f_subtotal', key: 'subtotal', type: 'calculated', resultType: 'decimal' },
        { id: 'f_label', key: 'label', type: 'calculated', resultType: 'text' },
        { id: 'f_flag', key: 'flag', type: 'calculated', resultType: 'boolean' },
        { id: 'f_due', key: 'due', type: 'calculated', resultType: 'date' },
        { id: 'f_ctor', key: 'constructor', type: 'text' },
        { id: 'f_proto', key: '__proto__', type: 'integer' },
        { id: 'f_groesse', key: 'größe', type: 'decimal' },
      ],
      tables: [
        {
          id: 't_items',
          key: 'items',
          columns: [
            { id: 'c_price', key: 'price', type: 'decimal' },
            { id: 'c_qty', key: 'qty', type: 'integer' },
            { id: 'c_name', key: 'name', type: 'text' },
            { id: 'c_when', key: 'when', type: 'date' },
            { id: 'c_kinds', key: 'kinds', type: 'multiple_choice' },
            { id: 'c_ok', key: 'ok', type: 'boolean' },
            { id: 'c_line', key: 'line', type: 'calculated', resultType: 'decimal' },
          ],
        },
      ],
    },
    {
      id: 's_person',
      key: 'p',
      fields: [
        { id: 'f_age', key: 'age', type: 'integer' },
        { id: 'f_pname', key: 'name', type: 'text' },
        { id: 'f_padults', key: 'adults', type: 'integer' },
        { id: 'f_px', key: 'x', type: 'calculated', resultType: 'integer' },
      ],
      tables: [
        {
          id: 't_visits',
          key: 'visits',
          columns: [
            { id: 'c_vdate', key: 'date', type: 'date' },
            { id: 'c_vcost', key: 'cost', type: 'decimal' },
          ],
        },
      ],
    },
    // A section whose key is also the key of a table of section h: inside h, the table is nearer.
    { id: 's_items', key: 'items', fields: [{ id: 'f_iprice', key: 'price', type: 'decimal' }] },
  ],
};

/** The instant the clock of every case is stopped at (today() is 2024-03-31 in UTC). */
export const NOW = '2024-03-31T22:30:00Z';

const household: Record<string, unknown> = {
  adults: 2,
  children: 3,
  name: 'Ada',
  note: '',
  email: 'ada@example.org',
  start: '2024-01-10',
  end: '2024-02-09',
  at: '2024-03-31T10:00:00Z',
  later: '2024-04-02T09:00:00Z',
  consent: true,
  tags: ['red', 'blue'],
  color: 'green',
  size: 2.5,
  code: 'AB-123',
  photos: ['11', '12'],
  time: '14:30',
  total: 5,
  constructor: 'ctor',
  größe: 1.75,
  items: [
    { price: 2.5, qty: 2, name: 'a', when: '2024-01-01', ok: true },
    { price: null, qty: 1, name: 'b' },
    { price: 4, qty: '3', name: 'c', when: '2023-12-31', ok: false },
  ],
};
// A property named __proto__, as JSON.parse makes it (an object literal would set the prototype).
Object.defineProperty(household, '__proto__', { value: 7, enumerable: true, writable: true, configurable: true });

/** The answer every case reads unless it brings its own. */
export const ANSWER = {
  h: household,
  p: {
    age: 40,
    name: 'Bo',
    adults: 1,
    visits: [
      { date: '2024-01-05', cost: 10 },
      { date: '2024-02-01', cost: 20.5 },
    ],
  },
  items: { price: 99 },
};

export interface ExpressionCase {
  expression: string;
  /** The section (default `h`), the table for a column rule, and the type the place expects. */
  section?: string;
  table?: string;
  expect?: string;
  /** Replaces fields of section h of ANSWER (absent: as ANSWER), or the whole answer. */
  h?: Record<string, unknown>;
  answer?: unknown;
  row?: unknown;
  /** The value it gives... */
  value?: unknown;
  /** ...or a part of the message it is refused with. */
  error?: string;
}

/** Section h of ANSWER with some fields replaced (undefined: removed). */
export function householdWith(changes: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(household))
    Object.defineProperty(copy, key, { value: household[key], enumerable: true, writable: true, configurable: true });
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  }
  return copy;
}

const v = (expression: string, value: unknown, more: Partial<ExpressionCase> = {}): ExpressionCase => ({
  expression,
  value,
  ...more,
});
const e = (expression: string, error: string, more: Partial<ExpressionCase> = {}): ExpressionCase => ({
  expression,
  error,
  ...more,
});
const row = { table: 'items', row: { price: 2.5, qty: 2, name: 'a', when: '2024-01-01', ok: true } };

export const CASES: ExpressionCase[] = [
  // Literals
  v('1', 1),
  v('1.5', 1.5),
  v('.5', 0.5),
  v('1e3', 1000),
  v("'text'", 'text'),
  v('"double quotes"', 'double quotes'),
  v('true', true),
  v('false', false),
  v('null', null),
  v(String.raw`'it\'s'`, "it's"),
  v(String.raw`"say \"hi\""`, 'say "hi"'),
  v('\'a "quoted" ${adults} text\'', 'a "quoted" ${adults} text'),
  v(String.raw`'back\\slash'`, 'back\\slash'),
  v(String.raw`'^\d+$'`, '^\\d+$'),
  v(String.raw`'line\nbreak'`, 'line\nbreak'),
  v("'${adults}' = '${adults}'", true),
  v("''", ''),

  // References
  v('${adults}', 2),
  v('${ adults }', 2),
  v('${h.adults}', 2),
  v('${p.adults}', 1),
  v('${p.age}', 40),
  v('${children}', 3, { h: { children: '3' } }),
  v('${children}', 4, { h: { children: ' 4.0 ' } }),
  v('${children}', null, { h: { children: 'three' } }),
  v('${children}', null, { h: { children: undefined } }),
  v('${name}', 'Ada'),
  v('${name}', '3', { h: { name: 3 } }),
  v('${note}', null),
  v('${consent}', true),
  v('${consent}', false, { h: { consent: undefined } }),
  v('${consent}', true, { h: { consent: 'true' } }),
  v('${consent}', null, { h: { consent: 'yes' } }),
  v('${start}', '2024-01-10'),
  v('${start}', null, { h: { start: '2024-02-30' } }),
  v('${start}', null, { h: { start: 20240110 } }),
  v('${at}', '2024-03-31T10:00:00.000Z'),
  v('${at}', '2024-03-31T08:00:00.000Z', { h: { at: '2024-03-31T10:00:00+02:00' } }),
  v('${time}', '14:30'),
  v('${tags}', ['red', 'blue']),
  v('${tags}', [], { h: { tags: undefined } }),
  v('${photos}', ['11', '12']),
  v('${items.price}', [2.5, null, 4]),
  v('${items.qty}', [2, 1, 3]),
  v('${h.items.name}', ['a', 'b', 'c']),
  v('${p.visits.cost}', [10, 20.5]),
  v('${items.price}', 99, { section: 'p' }),
  v('${items.price}', [], { h: { items: 'not a list' } }),
  v('${constructor}', 'ctor'),
  v('${h.constructor}', 'ctor'),
  v('${__proto__}', 7),
  v('${größe}', 1.75),
  v('${adults}', null, { answer: {} }),
  v('${adults}', null, { answer: null }),
  v('${adults}', null, { answer: { h: [1, 2] } }),
  v('${adults}', null, { answer: { h: JSON.parse('{"__proto__": {"adults": 9}}') } }),
  v('${adults}', null, { answer: { h: Object.create({ adults: 9 }) } }),

  // References in a column rule: the same row, the table's list, and outside the table
  v('${price}', 2.5, row),
  v('${price} * ${qty}', 5, row),
  v('${price} * ${qty}', 7.5, { table: 'items', row: { price: 2.5, qty: '3' } }),
  v('${h.adults} * ${price}', 5, row),
  v('${price} / sum(${items.price})', 2.5 / 6.5, row),
  v('${price}', null, { table: 'items', row: null }),
  v('${ok}', false, { table: 'items', row: {} }),
  e('${adults}', 'table items has no column adults; the question of section h is ${h.adults}', row),
  e('${cost}', 'table items has no column cost', row),

  // Unknown keys, with the nearest keys suggested
  e('${adultz}', 'section h has no question adultz; did you mean ${adults}', {}),
  e('${age}', 'section h has no question age; did you mean ${p.age}?'),
  e('${x.y}', 'there is no section or table x'),
  e('${p.agee}', 'section p has no question agee; did you mean ${p.age}?'),
  e('${items}', 'items is a table: name one of its columns, like ${items.price}'),
  e('${items.cost}', 'table items has no column cost'),
  e('${items.kinds}', 'column kinds holds lists (multiple_choice) and cannot be read over all rows'),
  e('${p.visits}', 'visits is a table of section p: name one of its columns, like ${p.visits.date}'),
  e('${h.x.y}', 'section h has no table x'),
  e('${q.visits.cost}', 'there is no section q'),
  e('${constructor.name}', 'there is no section or table constructor'),
  e('${__proto__.x}', 'there is no section or table __proto__'),
  e('${toString}', 'section h has no question toString'),
  e('${hasOwnProperty}', 'section h has no question hasOwnProperty'),
  e('${prototype}', 'section h has no question prototype'),
  e('${adults} + ${nope} + ${zilch}', '${nope} at character 13: section h has no question nope'),
  e('${a.b.c.d}', 'has too many parts'),
  e('${}', 'empty reference at character 1'),
  e('${adults', 'unclosed reference at character 1'),
  e('${1abc}', 'is not a key'),
  e('${a-b}', 'is not a key'),
  e('${adults}}', "'}' at character 10 is not allowed"),
  e('$adults', 'unexpected character "$" at character 1'),

  // Arithmetic
  v('1 + 2', 3),
  v('5 - 7', -2),
  v('3 * 4', 12),
  v('7 / 2', 3.5),
  v('1 + 2 * 3', 7),
  v('(1 + 2) * 3', 9),
  v('10 - 2 - 3', 5),
  v('16 / 4 / 2', 2),
  v('-3 + 5', 2),
  v('- -3', 3),
  v('-${adults}', -2),
  v('${adults} + ${children}', 5),
  v('${size} * 2', 5),
  v('1 / 0', null),
  v('0 / 0', null),
  v('${adults} / (${children} - 3)', null),
  v('1e308 * 10', null),
  v('null + 1', null),
  v('-null', null),
  v('${children} + 1', null, { h: { children: undefined } }),
  v("'a' + 'b'", 'ab'),
  v("${name} + ' ' + ${p.name}", 'Ada Bo'),
  v("'x' + ${note}", null),
  v('${start} + 7', '2024-01-17'),
  v('7 + ${start}', '2024-01-17'),
  v('${start} - 10', '2023-12-31'),
  v('${start} + 1.9', '2024-01-11'),
  v('${start} + ${children}', null, { h: { children: undefined } }),
  v('${at} + 1', '2024-04-01T10:00:00.000Z'),
  v('${at} - 0.5', '2024-03-30T22:00:00.000Z'),

  // Comparisons
  v('1 = 1', true),
  v('1 != 1', false),
  v('1 < 2', true),
  v('2 <= 2', true),
  v('3 > 4', false),
  v('4 >= 5', false),
  v("'a' < 'b'", true),
  v("'B' < 'a'", true),
  v("'A' = 'a'", false),
  v('true = true', true),
  v('true != false', true),
  v('${children} = 3', true, { h: { children: '3' } }),
  v('${children} = 3', true, { h: { children: 3.0 } }),
  v('${end} >= ${start}', true),
  v('${start} > ${end}', false),
  v("${start} = '2024-01-10'", true),
  v("'2024-01-10' <= ${start}", true),
  v('${at} < ${later}', true),
  v("${at} > '2024-03-31T09:59:59Z'", true),
  v("${time} < '15:00'", true),
  v('${adults} = null', false),
  v('${children} = null', true, { h: { children: undefined } }),
  v('${children} != null', false, { h: { children: undefined } }),
  v('${children} != null', true),
  v('null = null', true),
  v('null != null', false),
  v('${children} = ${children}', false, { h: { children: undefined } }),
  v('${children} != 1', false, { h: { children: undefined } }),
  v('${children} < 1', false, { h: { children: undefined } }),
  v('${consent} = false', true, { h: { consent: undefined } }),
  v('${consent} = null', false, { h: { consent: undefined } }),
  v("${color} = 'green'", true),
  v("${email} != 'x'", true),
  // A literal beside a value of another type reads as that type, as showIf's equals does
  v("${children} = '3'", true),
  v("'3' = ${children}", true),
  v("${children} = ' 3.0 '", true),
  v('${name} = 3', true, { h: { name: '3' } }),
  v('${name} = 3', false),
  v("${consent} = 'true'", true),
  v("'3' = 3", true),
  v("coalesce(${children}, '0')", 0, { h: { children: undefined } }),
  v("'12'", 12, { expect: 'integer' }),
  v('12', '12', { expect: 'text' }),

  // Logic: null reads as false
  v('true and true', true),
  v('true and false', false),
  v('false or true', true),
  v('false or false', false),
  v('not true', false),
  v('not false', true),
  v('not null', true),
  v('null and true', false),
  v('null or true', true),
  v('true or false and false', true),
  v('not true or true', true),
  v('not (1 > 2) and 2 > 1', true),
  v('${children} > 3 or ${adults} = 2', true, { h: { children: undefined } }),
  v('not (${children} > 3)', true, { h: { children: undefined } }),
  v('${consent} and ${adults} > 1', true),
  v('${flag} or false', false, { h: { flag: 'no' } }),

  // Functions
  v('today()', '2024-03-31'),
  v('now()', '2024-03-31T22:30:00.000Z'),
  v('today() > ${start}', true),
  v('days_between(${start}, today())', 81),
  v("if(${adults} > 1, 'many', 'one')", 'many'),
  v('if(null, 1, 2)', 2),
  v('if(${children} > 1, 1, 2)', 2, { h: { children: undefined } }),
  v("if(true, ${start}, '2024-01-01')", '2024-01-10'),
  v("if(false, ${start}, '2024-01-01')", '2024-01-01'),
  v('if(true, 1, 1 / 0)', 1),
  v('if(true, null, 3)', null),
  v('coalesce(${children}, 0)', 0, { h: { children: undefined } }),
  v('coalesce(${children}, ${adults}, 9)', 2, { h: { children: undefined } }),
  v('coalesce(null, null)', null),
  v("coalesce(${note}, 'none')", 'none'),
  v("coalesce(${start}, '2024-01-01')", '2024-01-10'),
  v('coalesce(${tags}, ${photos})', ['red', 'blue']),
  v("selected(${tags}, 'red')", true),
  v("selected(${tags}, 'green')", false),
  v("selected(${tags}, 'red')", false, { h: { tags: undefined } }),
  v("selected(${color}, 'green')", true),
  v('selected(${tags}, null)', false),
  v("selected(${items.name}, 'b')", true),
  v('count(${tags})', 2),
  v('count(${tags})', 0, { h: { tags: undefined } }),
  v('count(${items.price})', 2),
  v('count(${items.name})', 3),
  v('count(${photos})', 2),
  v('sum(${items.price})', 6.5),
  v('sum(${items.qty})', 6),
  v('sum(${p.visits.cost})', 30.5),
  v('sum(${items.price})', 0, { h: { items: [] } }),
  v('min(${items.price})', 2.5),
  v('max(${items.price})', 4),
  v('min(${items.price})', null, { h: { items: [] } }),
  v('min(${items.when})', '2023-12-31'),
  v('max(${items.name})', 'c'),
  v('max(${tags})', 'red'),
  v('min(${adults}, ${p.adults})', 1),
  v('max(${adults}, ${children}, 10)', 10, { h: { children: undefined } }),
  v("max(${start}, '2024-06-01')", '2024-06-01'),
  v('min(null, null)', null),
  v('length(${name})', 3),
  v("length('😀é')", 2),
  v("length('')", 0),
  v('length(${note})', null),
  v("matches(${code}, '^[A-Z]{2}-\\d+$')", true),
  v("matches(${name}, 'x')", false),
  v("matches(${name}, 'd')", true),
  v("matches(${note}, '.*')", false),
  v("matches(${note}, '^(a+)+$')", false, { h: { note: `${'a'.repeat(20_000)}!` } }),
  v('days_between(${start}, ${end})', 30),
  v('days_between(${end}, ${start})', -30),
  v('days_between(${at}, ${later})', 1),
  v('days_between(${start}, ${at})', 81),
  v("days_between('2024-01-01', '2025-01-01')", 366),
  v('days_between(${start}, ${end})', null, { h: { end: undefined } }),
  v('round(2.5)', 3),
  v('round(-2.5)', -3),
  v('round(2.4)', 2),
  v('round(1.005, 2)', 1.01),
  v('round(1.25, 1)', 1.3),
  v('round(-1.25, 1)', -1.3),
  v('round(1234.5678, -2)', 1200),
  v('round(${size} * 3, 1)', 7.5),
  v('round(null)', null),
  v('round(2.5, 0.5)', null),
  v('round(-0.4)', 0),

  // Function refusals
  e('if(true, 1)', 'if() at character 1 takes 3 arguments, not 2'),
  e('if(1, 2, 3)', 'if() needs a yes/no condition here, not a number'),
  e("if(true, 1, 'a')", 'if() needs values of one type: this is a text, another is a number'),
  e('coalesce()', 'coalesce() at character 1 takes at least 1 argument, not 0'),
  e('coalesce(${tags}, 1)', 'coalesce() needs values of one type'),
  e("selected(${adults}, 'x')", 'selected() needs a multiple choice (or a text) here, not a number'),
  e('selected(${tags}, 1)', 'selected() needs the value of an option'),
  e('count(${adults})', 'count() needs a list'),
  e('sum(${items.name})', 'sum() needs a list of numbers here, not a list of texts'),
  e('sum(${adults})', 'sum() needs a list of numbers here, not a number'),
  e("min(1, 'a')", 'min() needs values of one type'),
  e('max(${consent}, true)', 'max() of several values needs numbers, dates or texts'),
  e('min(${adults})', 'min() needs a list of numbers, dates or texts'),
  e('length(${tags})', 'count(list) counts a list'),
  e('length(${adults})', 'length() needs a text'),
  e('matches(${code}, ${name})', 'the pattern of matches() must be written in quotes'),
  e("matches(${code}, '(a)\\1')", 'cannot be checked in linear time'),
  e("matches(${code}, '(?=a)')", 'cannot be checked in linear time'),
  e("matches(${code}, '[')", 'is not a valid regular expression'),
  e("matches(${adults}, 'x')", 'matches() needs a text here, not a number'),
  e('days_between(${start}, ${children})', 'days_between() needs a date here, not a number'),
  e("days_between(${start}, '2024-13-01')", "'2024-13-01' is not a date"),
  e("round('a')", 'round() needs a number here, not a text'),
  e('round(1, 2, 3)', 'round() at character 1 takes 1 or 2 arguments, not 3'),
  e('today(1)', 'today() at character 1 takes 0 arguments, not 1'),
  e('foo()', 'unknown function foo() at character 1'),
  e("eval('1')", 'unknown function eval()'),
  e("Function('return 1')", 'unknown function Function()'),
  e('constructor()', 'unknown function constructor()'),
  e('__proto__()', 'unknown function __proto__()'),
  e('toString()', 'unknown function toString()'),

  // Type mismatches
  e("'a' + 1", "'a' + 1 at character 1: cannot add a text and a number"),
  e("${start} + 'x'", 'cannot add a date and a text'),
  e('${start} - ${end}', 'use days_between(start, end)'),
  e('${start} > 3', 'cannot compare a date with a number'),
  e('${start} < ${at}', 'cannot compare a date with a date and time'),
  e("${start} < '2024-1-10'", "'2024-1-10' is not a date"),
  e('${consent} + 1', 'cannot add a yes/no value and a number'),
  e('true < false', 'yes/no values have no order'),
  e("${tags} = 'red'", "use selected(list, 'value')"),
  e('${tags} + 1', "'+' cannot take a list of texts"),
  e('not ${adults}', "'not' needs a yes/no value, not a number"),
  e("-'a'", "'-' needs a number, not a text"),
  e('${adults} and true', "'and' joins yes/no values; this is a number"),
  e("'a' * 2", 'cannot multiply a text and a number'),
  e('${children} < null', 'null can only be compared with = or !='),
  e("${children} = 'three'", 'cannot compare a number with a text'),
  e("${consent} = 'yes'", 'cannot compare a yes/no value with a text'),
  e('${start} = 20240110', 'cannot compare a date with a number'),
  e('${items.price} > 1', 'cannot compare a list of numbers'),

  // The type the place expects
  v('${adults} > 1', true, { expect: 'boolean' }),
  e('${adults} + 1', 'the expression gives a number, but a yes/no value is needed here', { expect: 'boolean' }),
  v('null', null, { expect: 'boolean' }),
  v("'2024-02-01'", '2024-02-01', { expect: 'date' }),
  e("'2024-02-30'", "'2024-02-30' is not a date", { expect: 'date' }),
  v('7 / 2', 4, { expect: 'integer' }),
  v('-7 / 2', -4, { expect: 'integer' }),
  v('7 / 2', 3.5, { expect: 'decimal' }),
  e('${adults}', 'the expression gives a number, but a text is needed here', { expect: 'text' }),
  v("'a'", 'a', { expect: 'single_choice' }),
  v('${tags}', ['red', 'blue'], { expect: 'multiple_choice' }),
  v('now()', '2024-03-31T22:30:00.000Z', { expect: 'datetime' }),
  v('${start} + 30', '2024-02-09', { expect: 'date' }),
  v("if(${adults} > 1, '2024-01-01', coalesce(null, '2024-02-01'))", '2024-01-01', { expect: 'date' }),
  v("if(${adults} > 5, '2024-01-01', null)", null, { expect: 'date' }),
  e("if(${adults} > 1, '2024-01-01', '2024-02-31')", "'2024-02-31' is not a date", { expect: 'date' }),
  e("if(${adults} > 1, '2024-01-01', ${name})", 'the expression gives a text, but a date is needed here', {
    expect: 'date',
  }),

  // Syntax and hostile input
  e('', 'the expression is empty'),
  e('   ', 'the expression is empty'),
  e('1 +', 'the expression ends too early at character 4'),
  e('(1 + 2', "expected ')' to close the '(' at character 1"),
  e('1 + 2)', "found ')' at character 6 where an operator or the end was expected"),
  e('1 2', 'found a number at character 3 where an operator or the end was expected'),
  e('a = 1', "unknown word 'a' at character 1: write a reference to a question as ${a}"),
  e('this', "unknown word 'this'"),
  e('constructor', "unknown word 'constructor'"),
  e('__proto__', "unknown word '__proto__'"),
  e('x.y', "'.' at character 2 is not allowed: member access"),
  e('${adults}.constructor', "'.' at character 10 is not allowed"),
  e('[1, 2]', "'[' at character 1 is not allowed: lists are not part of expressions"),
  e('1 ? 2 : 3', 'use if(condition, then, else)'),
  e('true && false', "'&&' at character 6 is not an operator here: use 'and'"),
  e('true || false', "use 'or'"),
  e('!true', "use 'not'"),
  e('1 == 1', "compare with a single '='"),
  e('1 === 1', "compare with a single '='"),
  e('1 <> 2', "use '!=' for 'is not'"),
  e('1 < 2 < 3', "comparisons cannot be chained at character 7: join them with 'and'"),
  e("'unclosed", 'unclosed text at character 1'),
  e('${adults}; 1', 'without ;'),
  e('1 % 2', 'the remainder operator is not part of expressions'),
  e('2 ^ 3', 'there is no power operator'),
  e('@', 'unexpected character "@" at character 1'),
  e('12abc', 'malformed number at character 1'),
  e("'it''s'", 'found a text at character 5 where an operator or the end was expected'),
  e('1 = = 1', "found '=' at character 5 where a value was expected"),
  e('and', "found 'and' at character 1 where a value was expected"),
  e('sum(${items.price},)', "found ')' at character 20 where a value was expected"),
  e('count(${tags}', "expected ',' or ')' in the call of count()"),
  e(`${'('.repeat(3000)}1${')'.repeat(3000)}`, 'nested too deeply at character 65 (more than 64 levels'),
  e(`${'('.repeat(10_000)}1${')'.repeat(10_000)}`, 'expression is too long (20,001 characters, at most 10,000)'),
  e(`${'not '.repeat(100)}true`, 'nested too deeply'),
  e(`${'-'.repeat(100)}1`, 'nested too deeply'),
  e(`${'abs('.repeat(100)}1${')'.repeat(100)}`, 'nested too deeply'),
  e(`${'1 + '.repeat(2000)}1`, 'too deeply built'),
  v(`${'1 + '.repeat(900)}1`, 901),
  v(`${'('.repeat(60)}${'${adults}'}${')'.repeat(60)}`, 2),
  v(`length('${'x'.repeat(9000)}')`, 9000),
  v("'${' + 'adults}'", '${adults}'),
  v("'}' + '${'", '}${'),
  v("'--\u0000--'", '--\u0000--'),
  v("'</script>'", '</script>'),
];

/** Groups of expressions checked together: the cycles they must be refused for, or none. */
export interface CycleCase {
  name: string;
  items: ExpressionItem[];
  /** Exactly these messages of code `cycle`, each at its path. */
  cycles: { path: string; message: string }[];
  /** When acyclic: the order calculations and defaults are computed in (as keys), where it is decided. */
  order?: string[];
}

const calc = (owner: string, source: string, path: string, section = 'h', table?: string): ExpressionItem => ({
  role: 'calculated',
  owner,
  source,
  path,
  section,
  table,
});
const CYCLE = 'these expressions depend on each other in a cycle, so none can be evaluated: ';

export const CYCLE_CASES: CycleCase[] = [
  {
    name: 'total -> subtotal -> total',
    items: [
      calc('f_total', '${subtotal} + 1', 'sections[0].fields[16].expression'),
      calc('f_subtotal', '${total} * 2', 'sections[0].fields[17].expression'),
    ],
    cycles: [{ path: 'sections[0].fields[16].expression', message: `${CYCLE}total -> subtotal -> total` }],
  },
  {
    name: 'a calculation reading itself',
    items: [calc('f_total', '${total} + 1', 'sections[0].fields[16].expression')],
    cycles: [{ path: 'sections[0].fields[16].expression', message: `${CYCLE}total -> total` }],
  },
  {
    name: 'three calculations in a ring',
    items: [
      calc('f_total', '${subtotal}', 'a'),
      calc('f_subtotal', 'if(${flag}, 1, 2)', 'b'),
      { role: 'calculated', owner: 'f_flag', source: '${total} > 3', path: 'c', section: 'h' },
    ],
    cycles: [{ path: 'a', message: `${CYCLE}total -> subtotal -> flag -> total` }],
  },
  {
    name: 'showIf of two fields reading each other',
    items: [
      {
        role: 'showIf',
        owner: 'f_name',
        source: '${code} != null',
        path: 'sections[0].fields[2].showIf',
        section: 'h',
      },
      {
        role: 'showIf',
        owner: 'f_code',
        source: '${name} != null',
        path: 'sections[0].fields[13].showIf',
        section: 'h',
      },
    ],
    cycles: [{ path: 'sections[0].fields[2].showIf', message: `${CYCLE}name -> code -> name` }],
  },
  {
    name: 'a default reading a calculation reading the default',
    items: [
      { role: 'default', owner: 'f_children', source: '${total} - ${adults}', path: 'd', section: 'h' },
      calc('f_total', '${adults} + ${children}', 'e'),
    ],
    cycles: [{ path: 'd', message: `${CYCLE}children -> total -> children` }],
  },
  {
    name: 'a cycle across sections names the sections',
    items: [calc('f_total', '${p.x}', 'f'), calc('f_px', '${h.total} + 1', 'g', 'p')],
    cycles: [{ path: 'f', message: `${CYCLE}h.total -> p.x -> h.total` }],
  },
  {
    name: 'two separate cycles, each reported',
    items: [calc('f_total', '${subtotal}', 'a'), calc('f_subtotal', '${total}', 'b'), calc('f_px', '${p.x}', 'c', 'p')],
    cycles: [
      { path: 'a', message: `${CYCLE}total -> subtotal -> total` },
      { path: 'c', message: `${CYCLE}x -> x` },
    ],
  },
  {
    name: 'a column calculation and a column default of the same row',
    items: [
      calc('c_line', '${price} * ${qty}', 'sections[0].tables[0].columns[6].expression', 'h', 'items'),
      {
        role: 'default',
        owner: 'c_price',
        source: '${line} / 2',
        path: 'sections[0].tables[0].columns[0].default',
        section: 'h',
        table: 'items',
      },
    ],
    cycles: [{ path: 'sections[0].tables[0].columns[6].expression', message: `${CYCLE}line -> price -> line` }],
  },
  {
    name: 'required and constraints may read their own field: no cycle',
    items: [
      { role: 'required', owner: 'f_name', source: '${name} = null and ${code} != null', path: 'r', section: 'h' },
      { role: 'constraint', owner: 'f_total', source: '${total} >= ${subtotal}', path: 's', section: 'h' },
      calc('f_total', '${adults} + ${children}', 't'),
    ],
    cycles: [],
    order: ['total'],
  },
  {
    name: 'a chain is computed from what it reads',
    items: [
      calc('f_total', 'round(${subtotal})', 'a'),
      calc('f_label', "if(${due} > today(), 'later', 'done')", 'b'),
      calc('f_subtotal', 'sum(${items.line}) * ${adults}', 'c'),
      calc('c_line', '${price} * ${qty}', 'd', 'h', 'items'),
      { role: 'calculated', owner: 'f_due', source: '${start} + ${total}', path: 'e', section: 'h' },
    ],
    cycles: [],
    order: ['line', 'subtotal', 'total', 'due', 'label'],
  },
];
