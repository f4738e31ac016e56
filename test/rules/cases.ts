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
}

export const CASES: RuleCase[] = [];
const ok = (form: FormName, answer: unknown, draft = false) => CASES.push({ form, answer, expect: [], ...(draft ? { draft } : {}) });
const bad = (form: FormName, answer: unknown, ...expect: string[]) => CASES.push({ form, answer, expect });
const badDraft = (form: FormName, answer: unknown, ...expect: string[]) => CASES.push({ form, answer, draft: true, expect });

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
for (const dt of ['2023-12-31', '2025-01-01', '2024-02-30', '2024-13-01', '2024/01/05', '2024-1-5', 20240105, '0000-01-01']) bad('types', S({ dt }), VISIT);
for (const dmin of ['2024-01-01', '9999-12-31']) ok('types', S({ dmin }));
bad('types', S({ dmin: '2023-06-30' }), 's.dmin (Since): Enter a date like 2024-03-31, on or after 2024-01-01');

const TESTED = 's.dtt (Tested at): Enter a date and time with its time zone, like 2024-03-31T14:30:00Z';
for (const dtt of ['2024-03-31T14:30:00Z', '2024-03-31T14:30:00.123+05:30', '2024-03-31t14:30:00z', '1970-01-01T00:00:00-12:00']) ok('types', S({ dtt }));
for (const dtt of ['2024-03-31T14:30:00', '2024-03-31', '2024-03-31T24:00:00Z', '2024-03-31T10:00:00+16:00', '0000-01-01T00:00:00Z', 0]) bad('types', S({ dtt }), TESTED);

for (const tm of ['00:00', '23:59', '14:30:15', '14:30:15.5']) ok('types', S({ tm }));
for (const tm of ['24:00', '9:30', '14h30', '14:30:60', 1430]) bad('types', S({ tm }), 's.tm (Time): Enter a time like 14:30 or 14:30:15');

const EMAIL = 's.em (Email): Enter an email address like name@example.org';
for (const em of ['name@example.org', 'first.last+tag@sub.example.com']) ok('types', S({ em }));
for (const em of ['name', 'name@', '@example.org', 'a b@example.org', '', 5]) bad('types', S({ em }), EMAIL);
bad('types', S({ em: `${'a'.repeat(250)}@example.org` }), 's.em (Email): Enter at most 254 characters');

const SITE = 's.u (Site): Enter a web address starting with http:// or https://, like https://example.org';
for (const u of ['https://example.org', 'http://example.org/a?b=c#d']) ok('types', S({ u }));
for (const u of ['example.org', 'ftp://example.org', 'javascript:alert(1)', 'https://exa mple.org', 3]) bad('types', S({ u }), SITE);

const SOURCE = 's.ch (Source): Choose one of: Well, Tap, River';
for (const ch of ['well', 'tap', 'river']) ok('types', S({ ch }));
for (const ch of ['Well', 'lake', '', 1, ['well']]) bad('types', S({ ch }), SOURCE);

for (const mc of [['a'], ['a', 'c'], ['c', 'b']]) ok('types', S({ mc }));
for (const mc of [['d'], 'a', [1], [['a']]]) bad('types', S({ mc }), 's.mc (Uses): Choose from: A, B, C');
bad('types', S({ mc: ['a', 'a'] }), 's.mc (Uses): Choose each option once');
for (const mc of [[], ['a', 'b', 'c']]) bad('types', S({ mc }), 's.mc (Uses): Choose from 1 to 2 options');

for (const wp of ['WP-123456', 'WP-000000']) ok('types', S({ wp }));
for (const wp of ['WP-12345', 'wp-123456', 'WP-1234567', ' WP-123456']) bad('types', S({ wp }), 's.wp (Permit): Use the format WP-123456');

for (const pp of ['a', 'aaaa']) ok('types', S({ pp }));
for (const pp of ['aab', `${'a'.repeat(3000)}!`]) bad('types', S({ pp }), 's.pp (Letters): Enter the answer in the format this question asks for');

ok('types', S({ f: ['12'] }));
bad('types', S({ f: ['1', '2'] }), 's.f (Photo): Attach at most 1 file');
for (const f of ['12', [12], ['x'], ['1', '1']]) bad('types', S({ f }), 's.f (Photo): Attach files by their ids (as returned by the upload)');

// Several problems, every one in one pass, in the order of the form.
bad('types', S({ n: 99, t: 'a', ch: 'lake', wp: 'x' }), COUNT, CODE, SOURCE, 's.wp (Permit): Use the format WP-123456');
// Unknown keys and shapes.
bad('types', S({ nope: 1 }), 's.nope (nope): This section has no question with this key');
bad('types', { s: {}, extra: {} }, 'extra (extra): This form has no section with this key');
for (const s of [[], 'x', 3, true]) bad('types', { s }, 's (Values): Enter the answers of this section as an object of its questions');
for (const answer of [null, [], 'x', 7]) bad('types', answer, ' (): Send the answer as an object of its sections');
bad('types', S({ constructor: 1, toString: 'x' }), 's.constructor (constructor): This section has no question with this key', 's.toString (toString): This section has no question with this key');
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
badDraft('required', { r: { people: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] } }, 'r.people (People): Add at most 2 rows');
for (const people of [null, {}, 'Ann']) bad('required', R({ people }), 'r.people (People): Enter the rows of this table as a list');
bad('required', R({ people: [{}] }), 'r.people[0].name (Name): This answer is required');
ok('required', { r: { people: [{}] } }, true);
bad('required', R({ people: [{ name: '' }] }), 'r.people[0].name (Name): This answer is required');
bad('required', R({ people: [{ name: 'Ann', age: 121 }] }), 'r.people[0].age (Age): Enter a whole number from 0 to 120');
bad('required', R({ people: [{ name: 'Ann', age: -1 }, { name: 'Bob', age: 1.5 }] }), 'r.people[0].age (Age): Enter a whole number from 0 to 120', 'r.people[1].age (Age): Enter a whole number from 0 to 120');
bad('required', R({ people: [{ name: 'Ann', nick: 'A' }] }), 'r.people[0].nick (nick): This table has no column with this key');
for (const row of [null, 'Ann', ['Ann']]) bad('required', R({ people: [row] }), 'r.people[0] (People): Enter this row as an object of its columns');
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
bad('chain', { c: { a: true, b: 'x', num: 3, q: '2', extra: 1 } }, 'c.extra (extra): This section has no question with this key', REQ_C, 'c.m (Third room use): This answer is required', 'c.r (Stairs): This answer is required', REQ_V);
