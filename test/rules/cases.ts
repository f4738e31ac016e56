import type { FormName } from './forms.js';

/**
 * The table of the rules engine: a form, an answer, and the verdict expected, as
 * `path (label): message` for each problem in order (an empty list: accepted). The unit tests
 * run it in Node against the engine, the published JSON Schema and the worker's projection; the
 * browser test runs it in Chromium against the bundled engine. Every channel, one verdict.
 */
export interface RuleCase {
  form: FormName;
  answer: unknown;
  draft?: boolean;
  expect: string[];
  /** Values of the judged answer (defaults filled, calculations computed), by path: `h.total`, `h.items[0].line`. */
  computed?: Record<string, unknown>;
  /** The language the form is judged in (the form's default when absent or not one of its languages). */
  lang?: string;
}

/** The clock every case is judged with: today() is 2024-06-15 (UTC). */
export const CLOCK = '2024-06-15T12:00:00Z';

export const CASES: RuleCase[] = [];
const ok = (form: FormName, answer: unknown, draft = false) =>
  CASES.push({ form, answer, expect: [], ...(draft ? { draft } : {}) });
const bad = (form: FormName, answer: unknown, ...expect: string[]) => CASES.push({ form, answer, expect });
const badDraft = (form: FormName, answer: unknown, ...expect: string[]) =>
  CASES.push({ form, answer, draft: true, expect });

// ---- types: one optional field of each type, each value judged by its type and rules
const S = (s: Record<string, unknown>) => ({ s });
ok('types', {});
ok('types', S({}));
ok('types', S({ n: null, d: null, t: null, b: null, ch: null, mc: null, f: null }));

const COUNT = 's.n (Count): Enter a whole number from 0 to 30';
for (const n of [0, 30, 15, 1e1]) ok('types', S({ n }));
for (const n of [31, -1, 1000]) bad('types', S({ n }), COUNT);
for (const n of [1.5, '3', true, [3], { n: 3 }]) bad('types', S({ n }), COUNT);

const DEPTH = 's.d (Depth): Enter a number from 0.5 to 10';
for (const d of [0.5, 10, 2.25, 3]) ok('types', S({ d }));
for (const d of [0.49, 10.01, -3, '2.5', false]) bad('types', S({ d }), DEPTH);

const PLAIN = 's.i (Plain): Enter a whole number';
for (const i of [0, -5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) ok('types', S({ i }));
for (const i of [Number.MAX_SAFE_INTEGER + 2, 0.1, '7']) bad('types', S({ i }), PLAIN);

const CODE = 's.t (Code): Enter from 2 to 5 characters';
for (const t of ['ab', 'abcde', '😀😀', 'é1']) ok('types', S({ t }));
for (const t of ['a', 'abcdef', '', '😀😀😀😀😀😀']) bad('types', S({ t }), CODE);
for (const t of [12, true, ['ab']]) bad('types', S({ t }), 's.t (Code): Enter text');

for (const tmin of ['abc', 'a'.repeat(10_000)]) ok('types', S({ tmin }));
for (const tmin of ['ab', '😀😀']) bad('types', S({ tmin }), 's.tmin (Name): Enter at least 3 characters');
bad('types', S({ tmin: 'a'.repeat(10_001) }), 's.tmin (Name): Enter at most 10,000 characters');

ok('types', S({ lt: 'ten chars!' }));
bad('types', S({ lt: 'eleven chars' }), 's.lt (Note): Enter at most 10 characters');

for (const b of [true, false]) ok('types', S({ b }));
for (const b of ['true', 0, 1, 'yes']) bad('types', S({ b }), 's.b (Piped): Answer yes or no');

const VISIT = 's.dt (Visit): Enter a date like 2024-03-31, from 2024-01-01 to 2024-12-31';
for (const dt of ['2024-01-01', '2024-12-31', '2024-02-29']) ok('types', S({ dt }));
for (const dt of [
  '2023-12-31',
  '2025-01-01',
  '2024-02-30',
  '2024-13-01',
  '2024/01/05',
  '2024-1-5',
  20240105,
  '0000-01-01',
])
  bad('types', S({ dt }), VISIT);
for (const dmin of ['2024-01-01', '9999-12-31']) ok('types', S({ dmin }));
bad('types', S({ dmin: '2023-06-30' }), 's.dmin (Since): Enter a date like 2024-03-31, on or after 2024-01-01');

const TESTED = 's.dtt (Tested at): Enter a date and time with its time zone, like 2024-03-31T14:30:00Z';
for (const dtt of [
  '2024-03-31T14:30:00Z',
  '2024-03-31T14:30:00.123+05:30',
  '2024-03-31t14:30:00z',
  '1970-01-01T00:00:00-12:00',
])
  ok('types', S({ dtt }));
for (const dtt of [
  '2024-03-31T14:30:00',
  '2024-03-31',
  '2024-03-31T24:00:00Z',
  '2024-03-31T10:00:00+16:00',
  '0000-01-01T00:00:00Z',
  0,
])
  bad('types', S({ dtt }), TESTED);

for (const tm of ['00:00', '23:59', '14:30:15', '14:30:15.5']) ok('types', S({ tm }));
for (const tm of ['24:00', '9:30', '14h30', '14:30:60', 1430])
  bad('types', S({ tm }), 's.tm (Time): Enter a time like 14:30 or 14:30:15');

const EMAIL = 's.em (Email): Enter an email address like name@example.org';
for (const em of ['name@example.org', 'first.last+tag@sub.example.com']) ok('types', S({ em }));
for (const em of ['name', 'name@', '@example.org', 'a b@example.org', '', 5]) bad('types', S({ em }), EMAIL);
bad('types', S({ em: `${'a'.repeat(250)}@example.org` }), 's.em (Email): Enter at most 254 characters');

const SITE = 's.u (Site): Enter a web address starting with http:// or https://, like https://example.org';
for (const u of ['https://example.org', 'http://example.org/a?b=c#d']) ok('types', S({ u }));
for (const u of ['example.org', 'ftp://example.org', 'javascript:alert(1)', 'https://exa mple.org', 3])
  bad('types', S({ u }), SITE);

const SOURCE = 's.ch (Source): Choose one of: Well, Tap, River';
for (const ch of ['well', 'tap', 'river']) ok('types', S({ ch }));
for (const ch of ['Well', 'lake', '', 1, ['well']]) bad('types', S({ ch }), SOURCE);

for (const mc of [['a'], ['a', 'c'], ['c', 'b']]) ok('types', S({ mc }));
for (const mc of [['d'], 'a', [1], [['a']]]) bad('types', S({ mc }), 's.mc (Uses): Choose from: A, B, C');
bad('types', S({ mc: ['a', 'a'] }), 's.mc (Uses): Choose each option once');
for (const mc of [[], ['a', 'b', 'c']]) bad('types', S({ mc }), 's.mc (Uses): Choose from 1 to 2 options');

for (const wp of ['WP-123456', 'WP-000000']) ok('types', S({ wp }));
for (const wp of ['WP-12345', 'wp-123456', 'WP-1234567', ' WP-123456'])
  bad('types', S({ wp }), 's.wp (Permit): Use the format WP-123456');

for (const pp of ['a', 'aaaa']) ok('types', S({ pp }));
for (const pp of ['aab', `${'a'.repeat(3000)}!`])
  bad('types', S({ pp }), 's.pp (Letters): Enter the answer in the format this question asks for');

ok('types', S({ f: ['12'] }));
bad('types', S({ f: ['1', '2'] }), 's.f (Photo): Attach at most 1 file');
for (const f of ['12', [12], ['x'], ['1', '1']])
  bad('types', S({ f }), 's.f (Photo): Attach files by their ids (as returned by the upload)');

// Several problems, every one in one pass, in the order of the form.
bad('types', S({ n: 99, t: 'a', ch: 'lake', wp: 'x' }), COUNT, CODE, SOURCE, 's.wp (Permit): Use the format WP-123456');
// Unknown keys and shapes.
bad('types', S({ nope: 1 }), 's.nope (nope): This section has no question with this key');
bad('types', { s: {}, extra: {} }, 'extra (extra): This form has no section with this key');
for (const s of [[], 'x', 3, true])
  bad('types', { s }, 's (Values): Enter the answers of this section as an object of its questions');
for (const answer of [null, [], 'x', 7]) bad('types', answer, ' (): Send the answer as an object of its sections');
bad(
  'types',
  S({ constructor: 1, toString: 'x' }),
  's.constructor (constructor): This section has no question with this key',
  's.toString (toString): This section has no question with this key',
);
// Drafts are judged the same way, without required answers.
badDraft('types', S({ n: 31 }), COUNT);
ok('types', S({ n: 3 }), true);

// ---- required: every type required, a table of one or two rows, another section
const GOOD_R = { t: 'Kibera', n: 4, b: false, ch: 'well', mc: ['a'], f: ['7'], people: [{ name: 'Ann', age: 30 }] };
const R = (r: Record<string, unknown>) => ({ r: { ...GOOD_R, ...r } });
const REQ = {
  t: 'r.t (Village): This answer is required',
  n: 'r.n (Size): This answer is required',
  b: 'r.b (Consent): This answer is required: answer yes or no',
  ch: 'r.ch (Source): This answer is required: choose an option',
  mc: 'r.mc (Uses): This answer is required: choose an option',
  f: 'r.f (Photo): This answer is required: attach a file',
  people: 'r.people (People): Add from 1 to 2 rows',
};
ok('required', R({}));
ok('required', R({ b: true, people: [{ name: 'Ann' }, { name: 'Bob', age: null }] }));
ok('required', { ...R({}), o: { note: 'fine' } });
bad('required', {}, REQ.t, REQ.n, REQ.b, REQ.ch, REQ.mc, REQ.f, REQ.people);
bad('required', { r: {} }, REQ.t, REQ.n, REQ.b, REQ.ch, REQ.mc, REQ.f, REQ.people);
ok('required', {}, true);
ok('required', { r: { people: [] } }, true);
for (const t of [undefined, null, '', '   ', '\n']) bad('required', R({ t }), REQ.t);
for (const n of [undefined, null]) bad('required', R({ n }), REQ.n);
for (const b of [undefined, null]) bad('required', R({ b }), REQ.b);
for (const ch of [undefined, null, '']) bad('required', R({ ch }), REQ.ch);
for (const mc of [undefined, null, []]) bad('required', R({ mc }), REQ.mc);
for (const f of [undefined, null, []]) bad('required', R({ f }), REQ.f);
bad('required', R({ f: ['1', '2', '3'] }), 'r.f (Photo): Attach at most 2 files');
ok('required', R({ f: ['1', '2'] }));
bad('required', R({ n: 'four' }), 'r.n (Size): Enter a whole number');
for (const people of [undefined, []]) bad('required', R({ people }), REQ.people);
bad('required', R({ people: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] }), REQ.people);
badDraft(
  'required',
  { r: { people: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] } },
  'r.people (People): Add at most 2 rows',
);
for (const people of [null, {}, 'Ann'])
  bad('required', R({ people }), 'r.people (People): Enter the rows of this table as a list');
bad('required', R({ people: [{}] }), 'r.people[0].name (Name): This answer is required');
ok('required', { r: { people: [{}] } }, true);
bad('required', R({ people: [{ name: '' }] }), 'r.people[0].name (Name): This answer is required');
bad(
  'required',
  R({ people: [{ name: 'Ann', age: 121 }] }),
  'r.people[0].age (Age): Enter a whole number from 0 to 120',
);
bad(
  'required',
  R({
    people: [
      { name: 'Ann', age: -1 },
      { name: 'Bob', age: 1.5 },
    ],
  }),
  'r.people[0].age (Age): Enter a whole number from 0 to 120',
  'r.people[1].age (Age): Enter a whole number from 0 to 120',
);
bad(
  'required',
  R({ people: [{ name: 'Ann', nick: 'A' }] }),
  'r.people[0].nick (nick): This table has no column with this key',
);
for (const row of [null, 'Ann', ['Ann']])
  bad('required', R({ people: [row] }), 'r.people[0] (People): Enter this row as an object of its columns');
bad('required', { ...R({}), o: 'x' }, 'o (Other): Enter the answers of this section as an object of its questions');
bad('required', { ...R({}), o: { note: 5 } }, 'o.note (Remark): Enter text');

// ---- chain: A (checkbox) -> B (text, shown if A ticked) -> C (required if B = "x"), and more
const C = (c: Record<string, unknown>) => ({ c: { u: true, ...c } });
const REQ_C = 'c.c (Depth): This answer is required';
const REQ_V = 'c.v (Why not): This answer is required';
// The case: B is hidden (A not ticked), so C is not required, even though B holds "x".
ok('chain', C({ a: false, b: 'x' }));
ok('chain', C({ b: 'x' }));
ok('chain', C({ a: null, b: 'x' }));
bad('chain', C({ a: true, b: 'x' }), REQ_C);
ok('chain', C({ a: true, b: 'x', c: 4 }));
ok('chain', C({ a: true, b: 'y' }));
ok('chain', C({ a: true }));
bad('chain', C({ a: true, b: 'x', c: 0 }), 'c.c (Depth): Enter a whole number of at least 1');
// A hidden field's value is still checked for its type (it must be well-formed), but never required.
bad('chain', C({ a: false, c: 0 }), 'c.c (Depth): Enter a whole number of at least 1');
ok('chain', C({ a: false, c: 5 }));
badDraft('chain', { c: { a: true, b: 'x', c: 'deep' } }, 'c.c (Depth): Enter a whole number of at least 1');
ok('chain', { c: { a: true, b: 'x' } }, true);
// "3" vs 3: a number dependency compares numerically, whatever the condition's spelling.
bad('chain', C({ num: 3 }), 'c.m (Third room use): This answer is required');
bad('chain', C({ num: 3.0 }), 'c.m (Third room use): This answer is required');
ok('chain', C({ num: 3, m: 'study' }));
for (const num of [2, 30, null]) ok('chain', C({ num }));
bad('chain', C({ num: '3' }), 'c.num (Rooms): Enter a whole number', 'c.m (Third room use): This answer is required');
// A choice dependency compares as text: the condition's 2 matches the option "2".
bad('chain', C({ q: '2' }), 'c.r (Stairs): This answer is required');
ok('chain', C({ q: '2', r: 'left' }));
ok('chain', C({ q: '1' }));
ok('chain', C({}));
// An untouched checkbox is not ticked: "show when U is not ticked" holds before anyone touches U.
bad('chain', { c: {} }, REQ_V);
bad('chain', { c: { u: null } }, REQ_V);
bad('chain', { c: { u: false } }, REQ_V);
ok('chain', { c: { u: false, v: 'no pipe' } });
ok('chain', { c: { u: true } });
bad('chain', { c: { u: 'false' } }, 'c.u (Connected): Answer yes or no', REQ_V);
// Chains of chains: W depends on V, which depends on U.
bad('chain', { c: { v: 'cost' } }, 'c.w (Since when): This answer is required');
ok('chain', { c: { v: 'cost', w: '2020-05-01' } });
ok('chain', { c: { u: true, v: 'cost' } });
ok('chain', { c: { v: 'other' } });
bad('chain', { c: { v: 'distance', w: 'last year' } }, 'c.w (Since when): Enter a date like 2024-03-31');
// Everything at once, in the order of the form.
bad(
  'chain',
  { c: { a: true, b: 'x', num: 3, q: '2', extra: 1 } },
  'c.extra (extra): This section has no question with this key',
  REQ_C,
  'c.m (Third room use): This answer is required',
  'c.r (Stairs): This answer is required',
  REQ_V,
);

// ---- expressions: calculations, defaults, showIf and required as expressions, constraints
const H = (h: Record<string, unknown> = {}, p?: Record<string, unknown>) => ({
  h: { adults: 1, ...h },
  ...(p ? { p } : {}),
});
const calc = (answer: unknown, computed: Record<string, unknown>, ...expect: string[]) =>
  CASES.push({ form: 'expr', answer, expect, computed });
const ex = (answer: unknown, ...expect: string[]) => CASES.push({ form: 'expr', answer, expect });
const PHONE = 'h.phone (Phone): This answer is required';
const CROWD = 'p.crowd (Crowding): This answer is required';
const END = 'h.end (End): The end comes on or after the start';
const HOUSE = 'h (Household): A household has at most 12 people';

// Calculations of every result type, from the answer: total (integer), big (boolean), size (text), share (decimal).
for (let adults = 0; adults <= 5; adults++) {
  for (let children = 0; children <= 4; children++) {
    const total = adults + children;
    const phone = total > 3 ? { phone: '555 0100' } : {};
    calc(
      { h: { adults, children, ...phone } },
      {
        'h.total': total,
        'h.big': total >= 5,
        'h.size': total >= 5 ? 'large' : 'small',
        'h.share': total ? 100 / total : null,
      },
      ...(total > 8 ? [CROWD] : []),
    );
  }
}
// A value sent for a calculated field is ignored: the server's value replaces it, whatever it was.
for (const sent of [99, 'x', null, true, { n: 1 }, [1]])
  calc(H({ children: 2, total: sent, big: sent, size: sent }), { 'h.total': 3, 'h.big': false, 'h.size': 'small' });
// The required phone reads a calculated value: required when more than 3 people.
for (const children of [3, 4, 7])
  calc(H({ children }), { 'h.total': 1 + children }, PHONE, ...(1 + children > 8 ? [CROWD] : []));
for (const phone of ['', '   ', null]) ex(H({ children: 3, phone }), PHONE);
ex(H({ children: 2 }));
ex(H({ children: 3, phone: '555 0100' }));
// A type error in an input makes the calculation null (it reads as no answer, and null + 1 is null); the input is refused for its type.
calc(H({ children: 'two' }), { 'h.total': null }, 'h.children (Children): Enter a whole number from 0 to 20');
calc(
  H({ adults: 'one' }),
  { 'h.total': null, 'h.share': null },
  'h.adults (Adults): Enter a whole number from 0 to 20',
);

// Dates: nights (integer from days_between), due (date: start + 7 days), and the end's constraint.
const NIGHTS: [string, string, number, string][] = [
  ['2024-01-01', '2024-01-01', 0, '2024-01-08'],
  ['2024-01-01', '2024-01-31', 30, '2024-01-08'],
  ['2024-02-28', '2024-03-01', 2, '2024-03-06'],
  ['2023-02-28', '2023-03-01', 1, '2023-03-07'],
  ['2024-12-30', '2025-01-02', 3, '2025-01-06'],
  ['1999-12-31', '2000-01-01', 1, '2000-01-07'],
];
for (const [start, end, nights, due] of NIGHTS) calc(H({ start, end }), { 'h.nights': nights, 'h.due': due });
for (const [start, end] of [
  ['2024-01-02', '2024-01-01'],
  ['2024-03-01', '2024-02-29'],
  ['2025-01-01', '2024-12-31'],
  ['2024-06-15', '2023-06-15'],
]) {
  calc(H({ start, end }), { 'h.nights': -Math.round((Date.parse(start!) - Date.parse(end!)) / 86_400_000) }, END);
}
// A blank end is not judged by its constraint (required-ness is another rule); a start alone computes due.
calc(H({ start: '2024-05-01' }), { 'h.nights': null, 'h.due': '2024-05-08' });
calc(H({ start: '2024-05-01', end: null }), { 'h.nights': null });
calc(H({ start: '2024-05-01', end: '' }), { 'h.nights': null }, 'h.end (End): Enter a date like 2024-03-31');
// An end without a start: a comparison with no answer does not hold, so the constraint refuses it.
ex(H({ end: '2024-05-01' }), END);
// An end that is not a date is refused for its type only (its constraint runs on well-formed answers).
ex(H({ start: '2024-05-01', end: 'soon' }), 'h.end (End): Enter a date like 2024-03-31');
ex(H({ start: '2024-05-01', end: '2024-02-30' }), 'h.end (End): Enter a date like 2024-03-31');
calc(
  H({ start: 'May', end: '2024-05-01' }),
  { 'h.due': null, 'h.nights': null },
  'h.start (Start): Enter a date like 2024-03-31',
  END,
);

// Defaults: applied when the answer leaves the field out (not when it sends null or a value).
calc(H(), { 'h.children': 0, 'h.total': 1, 'h.visit': '2024-06-15', 'h.town': 'Springfield' });
calc(H({ children: null }), { 'h.children': null, 'h.total': null });
calc(H({ children: 2 }), { 'h.children': 2, 'h.total': 3 });
calc(H({ town: 'Shelbyville' }), { 'h.town': 'Shelbyville' });
calc(H({ town: null }), { 'h.town': null });
calc(H({ visit: '2024-01-01' }), { 'h.visit': '2024-01-01' });
calc(H({ visit: null }), { 'h.visit': null });
calc(
  { p: { age: 40, idno: 'X1' } },
  { 'h.children': 0, 'h.town': 'Springfield', 'h.total': null, 'p.adult': true },
  'h.adults (Adults): This answer is required',
);
calc(
  H({ children: 25 }),
  { 'h.total': 26 },
  'h.children (Children): Enter a whole number from 0 to 20',
  PHONE,
  HOUSE,
  CROWD,
);

// showIf as an expression, with required and a constraint: petCount shows when pets is ticked.
const PETS = 'h.petCount (How many pets): This answer is required';
const PET_COUNT = 'h.petCount (How many pets): Say how many pets, at least one';
ex(H({ pets: true }), PETS);
ex(H({ pets: true, petCount: null }), PETS);
ex(H({ pets: true, petCount: 2 }));
ex(H({ pets: true, petCount: 0 }), PET_COUNT);
ex(H({ pets: true, petCount: -3 }), PET_COUNT);
ex(H({ pets: true, petCount: 'two' }), 'h.petCount (How many pets): Enter a whole number');
for (const pets of [false, null, undefined]) ex(H({ pets, petCount: 0 }));
ex(H({ pets: 'true' }), 'h.pets (Pets): Answer yes or no', PETS);
ex(H({ pets: false, petCount: 'two' }), 'h.petCount (How many pets): Enter a whole number');

// Columns: a default per row (qty 1), a calculation per row (line), a required expression per row
// (an item with a price is named), a column constraint, and the table's constraint over all rows.
const ITEM_NAME = (i: number) => `h.items[${i}].name (Item): This answer is required`;
const QTY = (i: number) => `h.items[${i}].qty (Quantity): At most 10 of one item`;
const ITEMS = 'h.items (Items): The items cost at most 1,000 in all';
calc(H({ items: [] }), {});
calc(H({ items: [{ name: 'rice', price: 2.5, qty: 3 }] }), { 'h.items[0].line': 7.5, 'h.items[0].qty': 3 });
calc(H({ items: [{ name: 'rice', price: 2.5 }] }), { 'h.items[0].line': 2.5, 'h.items[0].qty': 1 });
calc(H({ items: [{ name: 'rice', price: 2.5, qty: null }] }), { 'h.items[0].line': null, 'h.items[0].qty': null });
calc(H({ items: [{ price: 0 }, {}] }), { 'h.items[0].line': 0, 'h.items[1].line': null, 'h.items[1].qty': 1 });
calc(H({ items: [{ price: 4 }] }), { 'h.items[0].line': 4 }, ITEM_NAME(0));
calc(
  H({ items: [{ name: 'a', price: 1 }, { price: 2 }, { name: 'c', price: 3 }] }),
  { 'h.items[2].line': 3 },
  ITEM_NAME(1),
);
calc(H({ items: [{ name: 'a', price: 1, line: 500 }] }), { 'h.items[0].line': 1 });
for (const qty of [1, 5, 10]) calc(H({ items: [{ name: 'a', price: 10, qty }] }), { 'h.items[0].line': 10 * qty });
for (const qty of [11, 50, 1000]) ex(H({ items: [{ name: 'a', price: 1, qty }] }), QTY(0));
ex(
  H({
    items: [
      { name: 'a', price: 1 },
      { name: 'b', price: 1, qty: 12 },
    ],
  }),
  QTY(1),
);
ex(H({ items: [{ name: 'a', qty: 'many' }] }), 'h.items[0].qty (Quantity): Enter a whole number');
ex(H({ items: [{ name: 'a', price: 500, qty: 2 }] }));
ex(
  H({
    items: [
      { name: 'a', price: 500, qty: 2 },
      { name: 'b', price: 0.01 },
    ],
  }),
  ITEMS,
);
ex(H({ items: [{ name: 'a', price: 200, qty: 6 }] }), ITEMS);
ex(H({ items: [{ name: 'a', price: 200, qty: 11 }] }), QTY(0), ITEMS);
ex(H({ items: [{ price: 600 }, { price: 600 }] }), ITEM_NAME(0), ITEM_NAME(1), ITEMS);
for (const n of [1, 2, 3, 4])
  calc(H({ items: Array.from({ length: n }, (_, i) => ({ name: `i${i}`, price: 250 })) }), {
    [`h.items[${n - 1}].line`]: 250,
  });
ex(H({ items: Array.from({ length: 5 }, (_, i) => ({ name: `i${i}`, price: 250 })) }), ITEMS);

// The section's constraint: at most 12 people (a blank count reads as 0 through coalesce).
for (const [adults, children] of [
  [12, 0],
  [6, 6],
  [0, 12],
] as const)
  ex({ h: { adults, children, phone: 'x' } }, CROWD);
for (const [adults, children] of [
  [13, 0],
  [7, 6],
  [1, 12],
  [20, 20],
] as const)
  ex({ h: { adults, children, phone: 'x' } }, HOUSE, CROWD);
ex({ h: { adults: 10, children: 3 } }, PHONE, HOUSE, CROWD);
ex({ h: { adults: 3, children: null } });

// Expressions across sections and through calculations: p.crowd shows when the household's total is over 8.
for (const total of [8, 9, 12]) ex({ h: { adults: total, children: 0, phone: 'x' } }, ...(total > 8 ? [CROWD] : []));
ex({ h: { adults: 9, children: 0, phone: 'x' }, p: { crowd: 'yes' } });
// A hidden field's value is not stored; a value sent for one is still checked for its type.
ex({ h: { adults: 2, phone: 'x' }, p: { crowd: 'not asked' } });
ex({ h: { adults: 2 }, p: { crowd: 5 } }, 'p.crowd (Crowding): Enter text');

// The person: guardian shows under 18, the ID number when the calculated `adult` holds; school
// shows when guardian is answered (and shown), and must name at least 3 characters.
const GUARDIAN = 'p.guardian (Guardian): This answer is required';
const IDNO = 'p.idno (ID number): This answer is required';
const SCHOOL = 'p.school (School): Name the school';
for (const age of [0, 5, 17]) calc(H({}, { age }), { 'p.adult': false }, GUARDIAN);
for (const age of [18, 30, 99]) calc(H({}, { age }), { 'p.adult': true }, IDNO);
for (const age of [0, 17]) ex(H({}, { age, guardian: 'Ann' }));
for (const age of [18, 64]) ex(H({}, { age, idno: 'X-1' }));
calc(H({}, {}), { 'p.adult': false });
calc(H({}, { age: null }), { 'p.adult': false });
calc(H({}, { age: 30, adult: false }), { 'p.adult': true }, IDNO);
calc(H({}, { age: 'old' }), { 'p.adult': false }, 'p.age (Age): Enter a whole number');
ex(H({}, { age: 10, guardian: 'Ann', school: 'Elm' }));
ex(H({}, { age: 10, guardian: 'Ann', school: 'El' }), SCHOOL);
ex(H({}, { age: 10, guardian: 'Ann', school: '😀😀😀' }));
ex(H({}, { age: 10, school: 'El' }), GUARDIAN);
// Guardian hidden (an adult): its value reads as no answer, so school is hidden and not judged.
ex(H({}, { age: 30, idno: 'X', guardian: 'Ann', school: 'El' }));
ex(H({}, { age: 30, idno: 'X', guardian: 'Ann', school: 7 }), 'p.school (School): Enter text');

// Drafts: no required answers (literal or expression), no constraints; values still checked for their type; defaults and calculations still computed.
const draftCase = (answer: unknown, computed: Record<string, unknown>, ...expect: string[]) =>
  CASES.push({ form: 'expr', answer, draft: true, expect, computed });
draftCase({}, { 'h.children': 0 });
draftCase({ h: { adults: 10, children: 10 } }, { 'h.total': 20 });
draftCase(H({ start: '2024-02-01', end: '2024-01-01' }), { 'h.nights': -31 });
draftCase(H({ pets: true, petCount: 0 }), {});
draftCase(H({ items: [{ price: 2000, qty: 50 }] }), { 'h.items[0].line': 100_000 });
draftCase(
  H({ children: 'x' }, { age: 10 }),
  { 'h.total': null },
  'h.children (Children): Enter a whole number from 0 to 20',
);
// today() reads the clock: a visit left out is today in UTC; a given one is kept.
for (const visit of ['2024-06-14', '2024-06-16']) calc(H({ visit }), { 'h.visit': visit });
// Unknown keys are still refused beside calculated ones.
ex(H({ totals: 3 }), 'h.totals (totals): This section has no question with this key');
ex(
  H({ items: [{ name: 'a', price: 1, lines: 2 }] }),
  'h.items[0].lines (lines): This table has no column with this key',
);

// ---- languages: the same answers judged in each language of the form, in one it lacks (German:
// the default, English) and in none; labels, option labels, patterns' and constraints' messages
// in that language, a missing translation falling back to English; the engine's own messages
// (required, ranges, options) in that language too.
const TEXTS = {
  en: {
    h: 'Household',
    adults: 'Adults',
    water: 'Water',
    permit: 'Permit',
    end: 'End',
    END: 'The end comes on or after the start',
    HOUSE: 'At most 12 people',
    PERMIT: 'Use the format WP-123456',
    REQUIRED: 'This answer is required',
    CHOOSE: 'Choose one of: Well, Tap',
    ADULTS: 'Enter a whole number from 0 to 20',
  },
  sw: {
    h: 'Kaya',
    adults: 'Watu wazima',
    water: 'Water',
    permit: 'Kibali',
    end: 'Mwisho',
    END: 'Mwisho ni siku ya mwanzo au baadaye',
    HOUSE: 'Watu wasiozidi 12',
    PERMIT: 'Tumia muundo WP-123456',
    REQUIRED: 'Jibu hili linahitajika',
    CHOOSE: 'Chagua moja kati ya: Kisima, Bomba',
    ADULTS: 'Weka namba kamili kuanzia 0 hadi 20',
  },
  fr: {
    h: 'Ménage',
    adults: 'Adults',
    water: 'Water',
    permit: 'Permit',
    end: 'Fin',
    END: 'La fin vient après le début',
    HOUSE: 'Au plus 12 personnes',
    PERMIT: 'Use the format WP-123456',
    REQUIRED: 'Cette réponse est obligatoire',
    CHOOSE: 'Choisissez l’une des options : Puits, Tap',
    ADULTS: 'Saisissez un nombre entier de 0 à 20',
  },
};
const inLang = (lang: string | undefined, answer: unknown, expect: string[], extra: Partial<RuleCase> = {}) =>
  CASES.push({ form: 'lang', answer, expect, ...(lang ? { lang } : {}), ...extra });
for (const lang of ['en', 'sw', 'fr', 'de', undefined]) {
  const t = TEXTS[(lang ?? 'en') as keyof typeof TEXTS] ?? TEXTS.en;
  const L = (h: Record<string, unknown>) => ({ h: { adults: 2, ...h } });
  inLang(lang, L({ children: 3, start: '2024-05-01', end: '2024-05-02', water: 'well', permit: 'WP-123456' }), [], {
    computed: { 'h.total': 5 },
  });
  inLang(lang, L({ start: '2024-05-02', end: '2024-05-01' }), [`h.end (${t.end}): ${t.END}`]);
  inLang(lang, { h: { children: 1 } }, [`h.adults (${t.adults}): ${t.REQUIRED}`], { computed: { 'h.total': 1 } });
  inLang(lang, L({ water: 'river' }), [`h.water (${t.water}): ${t.CHOOSE}`]);
  inLang(lang, L({ permit: 'WP-12' }), [`h.permit (${t.permit}): ${t.PERMIT}`]);
  inLang(lang, L({ adults: 10, children: 5 }), [`h (${t.h}): ${t.HOUSE}`], { computed: { 'h.total': 15 } });
  inLang(lang, L({ adults: 21, start: '2024-05-02', end: '2024-04-01' }), [
    `h.adults (${t.adults}): ${t.ADULTS}`,
    `h.end (${t.end}): ${t.END}`,
    `h (${t.h}): ${t.HOUSE}`,
  ]);
  // A draft skips constraints in every language, and still checks each value.
  inLang(
    lang,
    { h: { start: '2024-05-02', end: '2024-05-01', water: 'lake' } },
    [`h.water (${t.water}): ${t.CHOOSE}`],
    { draft: true },
  );
  inLang(lang, L({ start: '2024-05-01', end: '2024-05-01' }), [], { computed: { 'h.total': 2 } });
}

// ---- places: a geopoint (latitude and longitude required, altitude and accuracy optional, each in
// its range, refused at the path of the part), a signature (one uploaded PNG, by its file id), and
// notes (display-only: a value sent for one is dropped, as a calculated field's is replaced).
const LOC = { latitude: -1.286389, longitude: 36.817223 };
const G = (g: Record<string, unknown> = {}) => ({ g: { loc: LOC, sig: ['12'], consent: true, ...g } });
const place = (answer: unknown, ...expect: string[]) => CASES.push({ form: 'places', answer, expect });
const placeCalc = (answer: unknown, computed: Record<string, unknown>, ...expect: string[]) =>
  CASES.push({ form: 'places', answer, expect, computed });
const LAT = 'g.loc.latitude (Location): Enter a latitude from -90 to 90';
const LON = 'g.loc.longitude (Location): Enter a longitude from -180 to 180';
const ACC = 'g.loc.accuracy (Location): Enter an accuracy in metres, from 0 to 100,000,000';
const ALT = 'g.loc.altitude (Location): Enter an altitude in metres, from -100,000 to 100,000';
const POINT = 'g.loc (Location): Enter a location as latitude and longitude in decimal degrees';
const LOC_REQ = 'g.loc (Location): This answer is required: give the location';
const SIG_REQ = 'g.sig (Signature): This answer is required: sign in the box';
const SIG = 'g.sig (Signature): Sign once: a signature is one drawing, uploaded as a PNG (its file id)';
place(G());
for (const loc of [
  { latitude: 90, longitude: 180 },
  { latitude: -90, longitude: -180 },
  { latitude: 0, longitude: 0 },
  { ...LOC, altitude: 1661, accuracy: 12.5 },
  { ...LOC, accuracy: 0 },
  { ...LOC, altitude: -430 },
  { ...LOC, altitude: null, accuracy: null },
]) {
  place(G({ loc }));
}
for (const latitude of [90.0001, -90.5, 1000, '1.5', true, null]) place(G({ loc: { ...LOC, latitude } }), LAT);
for (const longitude of [180.5, -181, '36.8', [36.8]]) place(G({ loc: { ...LOC, longitude } }), LON);
place(G({ loc: { longitude: 36.8 } }), LAT);
place(G({ loc: { latitude: -1.2 } }), LON);
place(G({ loc: {} }), LAT);
for (const accuracy of [-1, -0.5, 1e9, '5']) place(G({ loc: { ...LOC, accuracy } }), ACC);
for (const altitude of [100_001, -200_000, 'high']) place(G({ loc: { ...LOC, altitude } }), ALT);
place(
  G({ loc: { ...LOC, lng: 36.8 } }),
  'g.loc.lng (Location): A location has only a latitude, a longitude, an altitude and an accuracy',
);
for (const loc of [[-1.28, 36.8], '-1.28,36.8', 0, true]) place(G({ loc }), POINT);
place(G({ loc: null }), LOC_REQ);
place({ g: { sig: ['12'], consent: true } }, LOC_REQ);
place(G({ spring: { latitude: 95, longitude: 0 } }), 'g.spring.latitude (Spring): Enter a latitude from -90 to 90');
place(G({ spring: null }));
place(G({ spring: { latitude: 0.5, longitude: -0.5, accuracy: 3 } }));
CASES.push({ form: 'places', answer: { g: { loc: { latitude: 91, longitude: 0 } } }, draft: true, expect: [LAT] });
CASES.push({ form: 'places', answer: { g: {} }, draft: true, expect: [] });
// The signature: one file id (as a file field's value), required here.
place(G({ sig: undefined }), SIG_REQ);
place(G({ sig: [] }), SIG_REQ);
place(G({ sig: null }), SIG_REQ);
place(G({ sig: ['1', '2'] }), SIG);
for (const sig of ['12', ['x'], [12], { id: '12' }])
  place(G({ sig }), 'g.sig (Signature): Sign once: a signature is one drawing, uploaded as a PNG (its file id)');
// A witness signs when consent is refused (required as an expression).
place(G({ consent: false }), 'g.wit (Witness): This answer is required: sign in the box');
place(G({ consent: false, wit: ['13'] }));
// An untouched checkbox reads as false: no consent given, so the witness signs.
place(G({ consent: undefined }), 'g.wit (Witness): This answer is required: sign in the box');
// Signatures read as lists of file ids in expressions: count() tells whether one is given.
placeCalc(G(), { 'g.signed': true });
placeCalc({ g: { loc: LOC, consent: true } }, { 'g.signed': false }, SIG_REQ);
placeCalc(G({ sig: [], consent: false, wit: ['13'] }), { 'g.signed': true }, SIG_REQ);
// Notes take no answer: whatever is sent for one is dropped, never refused.
for (const intro of ['anything', 42, { a: 1 }, null]) placeCalc(G({ intro }), { 'g.intro': undefined });
placeCalc(G({ consent: true, thanks: 'you are welcome' }), { 'g.thanks': undefined, 'g.consent': true });
placeCalc(G({ consent: false, wit: ['13'], thanks: ['x'] }), { 'g.thanks': undefined });
// Unknown keys beside them are still refused.
place(G({ location: LOC }), 'g.location (location): This section has no question with this key');

// ---- functions and edge cases of expressions: null through arithmetic and comparisons, division
// by zero, round, coalesce, selected, matches() on RE2, lengths, dates and times, and a table's
// columns read per row, over all rows, and reaching outside the table from a column's rule.
const F = (f: Record<string, unknown>) => ({ f });
const fn = (answer: unknown, computed: Record<string, unknown>, ...expect: string[]) =>
  CASES.push({ form: 'fn', answer, expect, computed });
// Nothing answered: every reference is null; null propagates through arithmetic and makes
// comparisons false; coalesce, count and sum still give values; not() reads null as false.
fn(
  {},
  {
    'f.ratio': null,
    'f.r2': null,
    'f.r0': null,
    'f.first': 'none',
    'f.sumab': 0,
    'f.plain': null,
    'f.bigger': null,
    'f.smaller': null,
    'f.notgt': true,
    'f.blank': true,
    'f.noteq': false,
    'f.water': false,
    'f.well': false,
    'f.nuses': 0,
    'f.letters': false,
    'f.digit': false,
    'f.len': null,
    'f.joined': null,
    'f.days': null,
    'f.ago': null,
    'f.before': null,
    'f.seen': null,
    'f.total': 0,
    'f.nrows': 0,
    'f.maxq': null,
    'f.minp': null,
    'f.avg': null,
    'f.kindb': false,
  },
);
fn(F({ a: 2 }), { 'f.plain': null, 'f.sumab': 2, 'f.bigger': 2, 'f.smaller': 2, 'f.noteq': false, 'f.ratio': null });
fn(F({ b: 4 }), { 'f.plain': null, 'f.sumab': 4, 'f.notgt': true, 'f.ratio': null });
fn(F({ a: null, b: null }), { 'f.sumab': 0, 'f.plain': null, 'f.bigger': null });
fn(F({ a: 1, b: 2 }), { 'f.plain': 3, 'f.bigger': 2, 'f.smaller': 1, 'f.noteq': true, 'f.ratio': 0.5 });
fn(F({ a: 1, b: 1 }), { 'f.noteq': false, 'f.ratio': 1 });
// Division by zero is null, not Infinity, whatever the numerator.
for (const a of [7, -7, 0]) fn(F({ a, b: 0 }), { 'f.ratio': null, 'f.plain': a });
fn(F({ a: 0, b: 5 }), { 'f.ratio': 0 });
fn(F({ a: -1, b: 3 }), { 'f.ratio': -1 / 3 });
// A number sent as text is refused for its type, and still reads as the number it spells.
fn(F({ a: '6', b: 3 }), { 'f.ratio': 2 }, 'f.a (A): Enter a number');
// round(x, n): halves away from zero, 1.005 as people mean it, negative places, no -0; an integer calculation rounds the same way.
const ROUNDS: [number, number, number, number][] = [
  [2.345, 2.35, 2, 0],
  [1.005, 1.01, 1, 0],
  [2.5, 2.5, 3, 0],
  [-2.5, -2.5, -3, 0],
  [0.125, 0.13, 0, 0],
  [-0.004, 0, 0, 0],
  [1250, 1250, 1250, 1300],
  [-1250, -1250, -1250, -1300],
  [149.999, 150, 150, 100],
];
for (const [a, r2, r0, rh] of ROUNDS) fn(F({ a }), { 'f.r2': r2, 'f.r0': r0, 'f.rh': rh });
// not (x > 3) holds for an empty x, and for 3; not for 5.
for (const [a, notgt] of [
  [5, false],
  [3, true],
  [3.01, false],
  [-10, true],
] as const)
  fn(F({ a }), { 'f.notgt': notgt });
// coalesce: the first answer given; an empty text is no answer.
fn(F({ word: '', code: 'AB-1' }), { 'f.first': 'AB-1', 'f.blank': true });
fn(F({ word: 'hi' }), { 'f.first': 'hi', 'f.blank': false });
fn(F({ code: 'AB-12' }), { 'f.first': 'AB-12' });
fn(F({ word: null, code: null }), { 'f.first': 'none' });
// selected on a multiple choice and on a single choice; count of a multiple choice.
fn(F({ uses: ['power', 'gas'] }), { 'f.water': false, 'f.nuses': 2 });
fn(F({ uses: ['water', 'gas'] }), { 'f.water': true, 'f.nuses': 2 });
fn(F({ uses: ['water'] }), { 'f.water': true, 'f.nuses': 1 });
fn(F({ src: 'tap' }), { 'f.well': false });
fn(F({ src: 'well' }), { 'f.well': true });
fn(F({ src: 'lake' }), { 'f.well': false }, 'f.src (Source): Choose one of: Well, Tap');
// matches() on RE2: Unicode letters by \p{L}, \d ASCII digits only, unanchored unless anchored,
// nested repetition in linear time; a constraint with matches() refuses at its path.
for (const [word, letters, digit] of [
  ['Jambo', true, false],
  ['Añil', true, false],
  ['Ἀθῆναι', true, false],
  ['abc1', false, true],
  ['a b', false, false],
  ['٣', false, false],
  ['x9y', false, true],
] as const) {
  fn(F({ word }), { 'f.letters': letters, 'f.digit': digit });
}
fn(F({ word: 'aaaa' }), { 'f.nested': true });
fn(F({ word: `${'a'.repeat(5000)}!` }), { 'f.nested': false, 'f.len': 5001 });
for (const code of ['AB-12', 'ZZ-0', 'AB-1234567']) fn(F({ code }), {});
for (const code of ['ab-12', 'AB-12x', 'XAB-12', 'AB12', 'AB-', 'AB-１２'])
  fn(F({ code }), {}, 'f.code (Code): A code looks like AB-12');
// An empty code is no answer: its constraint says nothing until it is given.
fn(F({ code: '' }), { 'f.first': 'none' });
// length() counts code points; + joins texts, and a missing part makes the whole null.
fn(F({ word: '😀😀' }), { 'f.len': 2 });
fn(F({ word: 'ab', code: 'CD-1' }), { 'f.joined': 'ab-CD-1' });
fn(F({ word: 'ab' }), { 'f.joined': null });
// Dates: days between (leap years, backwards), a day before (across a year and a leap day), and against today() (2024-06-15).
const DATES: [string, string, number, string][] = [
  ['2024-02-28', '2024-03-01', 2, '2024-02-29'],
  ['2023-02-28', '2023-03-01', 1, '2023-02-28'],
  ['2023-03-01', '2023-02-28', -1, '2023-02-27'],
  ['2024-12-31', '2024-01-01', -365, '2023-12-31'],
  ['2000-01-01', '2100-01-01', 36525, '2099-12-31'],
];
for (const [d1, d2, days, before] of DATES) fn(F({ d1, d2 }), { 'f.days': days, 'f.before': before });
for (const [d1, ago] of [
  ['2024-06-15', 0],
  ['2024-06-16', -1],
  ['2023-06-15', 366],
  ['2024-01-01', 166],
] as const)
  fn(F({ d1 }), { 'f.ago': ago });
fn(F({ d1: '2024-02-30' }), { 'f.ago': null, 'f.days': null }, 'f.d1 (From): Enter a date like 2024-03-31');
// Dates and times: whole days to now() (2024-06-15T12:00Z), truncated towards zero, time zones read.
const SEEN: [string, number][] = [
  ['2024-06-14T12:00:00Z', 1],
  ['2024-06-14T12:00:01Z', 0],
  ['2024-06-15T13:00:00+02:00', 0],
  ['2024-06-16T12:00:00Z', -1],
  ['2024-06-13T00:00:00-12:00', 2],
  ['2024-06-16T11:59:59Z', 0],
];
for (const [at, seen] of SEEN) fn(F({ at }), { 'f.seen': seen });
// A table: per-row calculation (a missing quantity counts 1 through coalesce), and the column over all rows.
fn(F({ rows: [] }), { 'f.total': 0, 'f.nrows': 0, 'f.maxq': null, 'f.minp': null, 'f.avg': null, 'f.kindb': false });
fn(F({ rows: [{ qty: 2, price: 1.5 }, { price: 3 }] }), {
  'f.rows[0].line': 3,
  'f.rows[1].line': 3,
  'f.total': 6,
  'f.nrows': 1,
  'f.maxq': 2,
  'f.minp': 1.5,
  'f.avg': 2.25,
});
// No price: the line is null, skipped by sum; the average divides by zero, so it is null.
fn(F({ rows: [{ qty: 3 }] }), { 'f.rows[0].line': null, 'f.total': 0, 'f.nrows': 1, 'f.avg': null });
fn(F({ rows: [{ price: 0.1 }, { price: 0.2 }] }), { 'f.avg': 0.15, 'f.minp': 0.1 });
fn(
  F({
    rows: [
      { qty: 0, price: 9 },
      { qty: -4, price: 1 },
    ],
  }),
  { 'f.total': -4, 'f.maxq': 0, 'f.rows[0].line': 0 },
);
// selected over a column's values; a column required by an expression of its own row.
fn(F({ rows: [{ kind: 'a' }, { kind: 'b', note: 'n' }] }), { 'f.kindb': true });
fn(F({ rows: [{ kind: 'a' }] }), { 'f.kindb': false });
fn(
  F({ rows: [{ kind: 'b' }, { kind: 'a' }, { kind: 'b', note: ' ' }] }),
  { 'f.kindb': true },
  'f.rows[0].note (Note): This answer is required',
  'f.rows[2].note (Note): This answer is required',
);
// A column's constraint reaching outside its table (${f.cap}), per row, with coalesce for no cap.
fn(F({ cap: 2, rows: [{ qty: 2 }, { qty: 3 }] }), {}, 'f.rows[1].qty (Quantity): Over the cap');
fn(F({ cap: 0, rows: [{ qty: 0 }] }), {});
fn(F({ rows: [{ qty: 100 }] }), {});
fn(
  F({ rows: [{ qty: 101 }, { qty: 5 }, { qty: 102 }] }),
  {},
  'f.rows[0].qty (Quantity): Over the cap',
  'f.rows[2].qty (Quantity): Over the cap',
);
fn(F({ cap: 'two', rows: [{ qty: 3 }] }), {}, 'f.cap (Cap): Enter a whole number');
// The section's constraint over a column: at most 3 rows with a quantity (rows without one do not count).
fn(F({ rows: [{ qty: 1 }, { qty: 1 }, { qty: 1 }, {}] }), { 'f.nrows': 3 });
fn(
  F({ rows: [{ qty: 1 }, { qty: 1 }, { qty: 1 }, { qty: 1 }] }),
  { 'f.nrows': 4, 'f.total': 0 },
  'f (Functions): At most 3 rows with a quantity',
);
// A value sent for a calculated column or field is replaced by the computed one.
fn(F({ a: 1, b: 4, ratio: 99, rows: [{ qty: 2, price: 2, line: 1000 }] }), {
  'f.ratio': 0.25,
  'f.rows[0].line': 4,
  'f.total': 4,
});
// A draft computes everything and runs no constraint.
CASES.push({
  form: 'fn',
  draft: true,
  answer: F({ code: 'bad', rows: [{ qty: 1 }, { qty: 1 }, { qty: 1 }, { qty: 500 }] }),
  expect: [],
  computed: { 'f.nrows': 4 },
});

// ---- the engine's own messages in the form's language: English, Swahili, French; Portuguese has
// none (its labels are Portuguese, the messages English); no language asked for is the default's.
type BuiltIn = Record<
  | 'REQ'
  | 'REQ_CH'
  | 'REQ_OK'
  | 'ROWS'
  | 'N'
  | 'D'
  | 'T'
  | 'TEXT'
  | 'P'
  | 'EM'
  | 'U'
  | 'DT'
  | 'TM'
  | 'CH'
  | 'MC_COUNT'
  | 'MC_TWICE'
  | 'MC'
  | 'OK'
  | 'LAT'
  | 'POINT'
  | 'PART'
  | 'F_COUNT'
  | 'FILES'
  | 'ROWS_LIST'
  | 'ROW'
  | 'COLUMN'
  | 'FIELD'
  | 'SECTION_KEY'
  | 'SECTION'
  | 'ANSWER',
  string
>;
const BUILT_IN: Record<'en' | 'sw' | 'fr', BuiltIn> = {
  en: {
    REQ: 'This answer is required',
    REQ_CH: 'This answer is required: choose an option',
    REQ_OK: 'This answer is required: answer yes or no',
    ROWS: 'Add from 1 to 3 rows',
    N: 'Enter a whole number from 1 to 1,500',
    D: 'Enter a number of at least 0.5',
    T: 'Enter from 2 to 5 characters',
    TEXT: 'Enter text',
    P: 'Enter the answer in the format this question asks for',
    EM: 'Enter an email address like name@example.org',
    U: 'Enter a web address starting with http:// or https://, like https://example.org',
    DT: 'Enter a date like 2024-03-31, from 2024-01-01 to 2024-12-31',
    TM: 'Enter a time like 14:30 or 14:30:15',
    CH: 'Choose one of: Well, Tap',
    MC_COUNT: 'Choose from 1 to 2 options',
    MC_TWICE: 'Choose each option once',
    MC: 'Choose from: A, B, C',
    OK: 'Answer yes or no',
    LAT: 'Enter a latitude from -90 to 90',
    POINT: 'Enter a location as latitude and longitude in decimal degrees',
    PART: 'A location has only a latitude, a longitude, an altitude and an accuracy',
    F_COUNT: 'Attach at most 2 files',
    FILES: 'Attach files by their ids (as returned by the upload)',
    ROWS_LIST: 'Enter the rows of this table as a list',
    ROW: 'Enter this row as an object of its columns',
    COLUMN: 'This table has no column with this key',
    FIELD: 'This section has no question with this key',
    SECTION_KEY: 'This form has no section with this key',
    SECTION: 'Enter the answers of this section as an object of its questions',
    ANSWER: 'Send the answer as an object of its sections',
  },
  sw: {
    REQ: 'Jibu hili linahitajika',
    REQ_CH: 'Jibu hili linahitajika: chagua chaguo',
    REQ_OK: 'Jibu hili linahitajika: jibu ndiyo au hapana',
    ROWS: 'Ongeza safu 1 hadi 3',
    N: 'Weka namba kamili kuanzia 1 hadi 1,500',
    D: 'Weka namba isiyopungua 0.5',
    T: 'Weka herufi 2 hadi 5',
    TEXT: 'Weka maandishi',
    P: 'Weka jibu katika muundo unaoombwa na swali hili',
    EM: 'Weka anwani ya barua pepe kama jina@example.org',
    U: 'Weka anwani ya wavuti inayoanza na http:// au https://, kama https://example.org',
    DT: 'Weka tarehe kama 2024-03-31, kuanzia 2024-01-01 hadi 2024-12-31',
    TM: 'Weka saa kama 14:30 au 14:30:15',
    CH: 'Chagua moja kati ya: Kisima, Bomba',
    MC_COUNT: 'Chagua machaguo 1 hadi 2',
    MC_TWICE: 'Chagua kila chaguo mara moja tu',
    MC: 'Chagua kutoka: A, B, C',
    OK: 'Jibu ndiyo au hapana',
    LAT: 'Weka latitudo kuanzia -90 hadi 90',
    POINT: 'Weka mahali kama latitudo na longitudo kwa nyuzi za desimali',
    PART: 'Mahali pana latitudo, longitudo, mwinuko na usahihi tu',
    F_COUNT: 'Ambatisha faili zisizozidi 2',
    FILES: 'Ambatisha faili kwa vitambulisho vyake (kama upakiaji ulivyovirudisha)',
    ROWS_LIST: 'Weka safu za jedwali hili kama orodha',
    ROW: 'Weka safu hii kama kitu chenye safu wima zake',
    COLUMN: 'Jedwali hili halina safu wima yenye ufunguo huu',
    FIELD: 'Sehemu hii haina swali lenye ufunguo huu',
    SECTION_KEY: 'Fomu hii haina sehemu yenye ufunguo huu',
    SECTION: 'Weka majibu ya sehemu hii kama kitu chenye maswali yake',
    ANSWER: 'Tuma jibu kama kitu chenye sehemu zake',
  },
  fr: {
    REQ: 'Cette réponse est obligatoire',
    REQ_CH: 'Cette réponse est obligatoire : choisissez une option',
    REQ_OK: 'Cette réponse est obligatoire : répondez oui ou non',
    ROWS: 'Ajoutez de 1 à 3 lignes',
    N: 'Saisissez un nombre entier de 1 à 1\u202f500',
    D: 'Saisissez un nombre supérieur ou égal à 0,5',
    T: 'Saisissez de 2 à 5 caractères',
    TEXT: 'Saisissez du texte',
    P: 'Saisissez la réponse au format que demande cette question',
    EM: 'Saisissez une adresse e-mail comme nom@example.org',
    U: 'Saisissez une adresse web commençant par http:// ou https://, comme https://example.org',
    DT: 'Saisissez une date comme 2024-03-31, du 2024-01-01 au 2024-12-31',
    TM: 'Saisissez une heure comme 14:30 ou 14:30:15',
    CH: 'Choisissez l’une des options : Puits, Robinet',
    MC_COUNT: 'Choisissez de 1 à 2 options',
    MC_TWICE: 'Choisissez chaque option une seule fois',
    MC: 'Choisissez parmi : A, B, C',
    OK: 'Répondez oui ou non',
    LAT: 'Saisissez une latitude de -90 à 90',
    POINT: 'Saisissez un lieu par sa latitude et sa longitude en degrés décimaux',
    PART: 'Un lieu n’a qu’une latitude, une longitude, une altitude et une précision',
    F_COUNT: 'Joignez au plus 2 fichiers',
    FILES: 'Joignez les fichiers par leurs identifiants (tels que le téléversement les a renvoyés)',
    ROWS_LIST: 'Saisissez les lignes de ce tableau sous forme de liste',
    ROW: 'Saisissez cette ligne comme un objet de ses colonnes',
    COLUMN: 'Ce tableau n’a pas de colonne avec cette clé',
    FIELD: 'Cette section n’a pas de question avec cette clé',
    SECTION_KEY: 'Ce formulaire n’a pas de section avec cette clé',
    SECTION: 'Saisissez les réponses de cette section comme un objet de ses questions',
    ANSWER: 'Envoyez la réponse comme un objet de ses sections',
  },
};
const LABELS: Record<'en' | 'sw' | 'fr' | 'pt', Record<string, string>> = {
  en: {
    em: 'Email',
    u: 'URL',
    v: 'Visit',
    n: 'Rooms',
    d: 'Depth',
    t: 'Code',
    p: 'Permit',
    dt: 'Date',
    tm: 'Time',
    ch: 'Water',
    mc: 'Uses',
    ok: 'Consent',
    loc: 'Place',
    f: 'Photos',
    people: 'People',
    name: 'Name',
  },
  sw: {
    em: 'Email',
    u: 'URL',
    v: 'Ziara',
    n: 'Vyumba',
    d: 'Kina',
    t: 'Msimbo',
    p: 'Kibali',
    dt: 'Tarehe',
    tm: 'Saa',
    ch: 'Maji',
    mc: 'Matumizi',
    ok: 'Idhini',
    loc: 'Mahali',
    f: 'Picha',
    people: 'Watu',
    name: 'Jina',
  },
  fr: {
    em: 'Email',
    u: 'URL',
    v: 'Visite',
    n: 'Pièces',
    d: 'Profondeur',
    t: 'Code',
    p: 'Permis',
    dt: 'Date',
    tm: 'Heure',
    ch: 'Eau',
    mc: 'Usages',
    ok: 'Accord',
    loc: 'Lieu',
    f: 'Photos',
    people: 'Personnes',
    name: 'Nom',
  },
  pt: {
    em: 'Email',
    u: 'URL',
    v: 'Visita',
    n: 'Quartos',
    d: 'Profundidade',
    t: 'Código',
    p: 'Licença',
    dt: 'Data',
    tm: 'Hora',
    ch: 'Água',
    mc: 'Usos',
    ok: 'Acordo',
    loc: 'Local',
    f: 'Fotos',
    people: 'Pessoas',
    name: 'Nome',
  },
};
for (const lang of ['en', 'sw', 'fr', 'pt', undefined] as const) {
  const m = BUILT_IN[lang === 'sw' || lang === 'fr' ? lang : 'en'];
  const l = LABELS[lang ?? 'en'];
  // Portuguese has no catalogue: English messages, except the option labels, which are the form's.
  const CH = lang === 'pt' ? 'Choose one of: Poço, Torneira' : m.CH;
  const at = (key: string, message: string, path = `v.${key}`) => `${path} (${l[key] ?? key}): ${message}`;
  const V = (v: Record<string, unknown>) => ({ v: { n: 3, ch: 'well', ok: true, people: [{ name: 'Ann' }], ...v } });
  const b = (answer: unknown, ...expect: string[]) =>
    CASES.push({ form: 'builtin', answer, expect, ...(lang ? { lang } : {}) });
  b(V({}));
  b({ v: {} }, at('n', m.REQ), at('ch', m.REQ_CH), at('ok', m.REQ_OK), at('people', m.ROWS));
  for (const n of [0, 1.5, 2000]) b(V({ n }), at('n', m.N));
  b(V({ d: 0.1 }), at('d', m.D));
  b(V({ t: 'a' }), at('t', m.T));
  b(V({ t: 5 }), at('t', m.TEXT));
  b(V({ p: 'WP-1' }), at('p', m.P));
  b(V({ em: 'no' }), at('em', m.EM, 'v.em'));
  b(V({ u: 'ftp://example.org' }), at('u', m.U));
  for (const dt of ['2023-12-31', 'soon']) b(V({ dt }), at('dt', m.DT));
  b(V({ tm: '25:00' }), at('tm', m.TM));
  b(V({ ch: 'lake' }), at('ch', CH));
  b(V({ mc: [] }), at('mc', m.MC_COUNT));
  b(V({ mc: ['a', 'a'] }), at('mc', m.MC_TWICE));
  b(V({ mc: ['z'] }), at('mc', m.MC));
  b(V({ ok: 'yes' }), at('ok', m.OK));
  b(V({ loc: { latitude: 100, longitude: 0 } }), at('loc', m.LAT, 'v.loc.latitude'));
  b(V({ loc: 'here' }), at('loc', m.POINT));
  b(V({ loc: { latitude: 1, longitude: 2, lat: 1 } }), at('loc', m.PART, 'v.loc.lat'));
  b(V({ f: ['1', '2', '3'] }), at('f', m.F_COUNT));
  b(V({ f: 'x' }), at('f', m.FILES));
  b(V({ people: 'Ann' }), at('people', m.ROWS_LIST));
  b(V({ people: ['Ann'] }), at('people', m.ROW, 'v.people[0]'));
  b(V({ people: [{}] }), at('name', m.REQ, 'v.people[0].name'));
  b(V({ people: [{ name: 'A', age: 3 }] }), `v.people[0].age (age): ${m.COLUMN}`);
  b(V({ rooms: 3 }), `v.rooms (rooms): ${m.FIELD}`);
  b({ ...V({}), w: {} }, `w (w): ${m.SECTION_KEY}`);
  b({ v: 'x' }, at('v', m.SECTION, 'v'));
  b([], ` (): ${m.ANSWER}`);
  // A draft: no required answers, the other messages still in the language.
  CASES.push({
    form: 'builtin',
    answer: { v: { n: 0 } },
    draft: true,
    expect: [at('n', m.N)],
    ...(lang ? { lang } : {}),
  });
}
// A form whose default language is Swahili: with no language asked for, Swahili throughout; a
// label with no English translation keeps the Swahili one, the messages follow the language asked for.
CASES.push({
  form: 'kiswahili',
  answer: { k: {} },
  expect: ['k.n (Watu): Jibu hili linahitajika', 'k.village (Kijiji): Jibu hili linahitajika'],
});
CASES.push({
  form: 'kiswahili',
  answer: { k: {} },
  lang: 'en',
  expect: ['k.n (People): This answer is required', 'k.village (Kijiji): This answer is required'],
});
CASES.push({
  form: 'kiswahili',
  answer: { k: { n: 41, village: 'Kibera' } },
  expect: ['k.n (Watu): Weka namba kamili kuanzia 1 hadi 40'],
});
CASES.push({
  form: 'kiswahili',
  answer: { k: { n: 4, village: 'x'.repeat(21) } },
  expect: ['k.village (Kijiji): Weka herufi zisizozidi 20'],
});
CASES.push({
  form: 'kiswahili',
  answer: { k: { n: 4, village: 'x'.repeat(21) } },
  lang: 'fr',
  expect: ['k.village (Kijiji): Weka herufi zisizozidi 20'],
});
CASES.push({ form: 'kiswahili', answer: { k: { n: 4, village: 'Kibera' } }, lang: 'en', expect: [] });
