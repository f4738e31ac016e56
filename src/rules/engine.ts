import type {
  Definition,
  LocalizedDefinition,
  LocalizedField as Field,
  LocalizedSection as Section,
  LocalizedTable as RepeatingTable,
} from '../templates/definition.schema.js';
import {
  systemClock,
  type CompiledExpression,
  type EvaluateOptions,
  type ExpressionClock,
} from './expressions/index.js';
import { languageFor, localize, localizedLanguage } from './language.js';
import { messagesIn, type Messages } from './messages.js';
import {
  compileExpressions,
  dropNotes,
  locate,
  noteKeys,
  prepareAnswer,
  type CompiledConstraint,
  type Expressions,
} from './prepare.js';
import { compileRelevance, type Relevance } from './relevance.js';
import { isBlank, valueCheck, type ValueCheck } from './values.js';

/**
 * The rules of a form version, compiled once: the one judge of an answer, used by the builder's
 * preview, the admin fill page, the API and the worker. Browser-safe (no Node API).
 *
 * A verdict lists every problem in one pass, in the order of the form, each with the path of the
 * value (`household.size`, `household.members[0].name`), the label of its question and a message
 * written for people. What is judged:
 * - shape: the answer is an object of sections, a section an object of its questions and tables,
 *   a table a list of rows; unknown keys are refused (a typo is an error, not lost data);
 * - every present value (not null), shown or not, against its type and rules (values.ts): what is
 *   sent must be well-formed, as the published JSON Schema says;
 * - required-ness, for shown questions only (relevance.ts), and a table's minimum rows; a draft
 *   (`{ draft: true }`) may leave both out;
 * - expressions (src/rules/expressions): `showIf` and `required` as expressions, and constraints
 *   of shown fields, of columns (per row), of tables and of sections, each refused with the
 *   builder's message at its path when the expression does not hold. A field's or column's
 *   constraints run only on an answer that is given and well-formed (a blank one is `required`'s
 *   to judge); a table's and a section's always run. A draft skips constraints, as it skips
 *   required-ness.
 *
 * Before judging, `prepare` fills the answer: defaults for fields the answer leaves out, then
 * every calculated field (a value sent for one is replaced), in the order the checker found
 * (each after what it reads). The API judges and stores that prepared answer, so the worker
 * projects exactly what was accepted ("A 202 is a promise") and today() is read once, at the door.
 *
 * Compiling is linear in the size of the definition and costs no code generation: a 1,000-field
 * version compiles in a few milliseconds, so no answer waits for it (see test/unit/rules.test.ts).
 */

export interface Problem {
  /** `section.field`, `section.table[2].column`, `section.table`, `section`, or '' for the whole answer. */
  path: string;
  /** The label of the question (or table, or section) the problem belongs to. */
  label: string;
  message: string;
  code: string;
}

export interface CheckOptions {
  /** A draft may be incomplete: no required answers, no minimum rows, no constraints. */
  draft?: boolean;
  /** What today() and now() read; the system clock in UTC when omitted. */
  clock?: ExpressionClock;
}

interface CompiledField {
  field: Field;
  check: ValueCheck;
  required?: CompiledExpression;
  constraints: CompiledConstraint[];
}

interface CompiledTable {
  table: RepeatingTable;
  columns: Map<string, CompiledField>;
  constraints: CompiledConstraint[];
}

interface CompiledSection {
  section: Section;
  fields: Map<string, CompiledField>;
  tables: Map<string, CompiledTable>;
  relevance: Relevance;
  constraints: CompiledConstraint[];
}

export interface Verdict {
  /** The answer as judged: defaults filled in, calculated fields computed. */
  answer: unknown;
  problems: Problem[];
}

export interface CompiledRules {
  /** The definition with its texts in `language` (labels and constraint messages are read from it). */
  readonly definition: LocalizedDefinition;
  /** The language its texts and constraint messages are in (undefined for a form that declares none). */
  readonly language: string | undefined;
  /** Every problem of an answer (prepared first); an empty list means it is accepted. */
  check(answer: unknown, options?: CheckOptions): Problem[];
  /** The answer prepared and its problems: what the API stores is `answer`. */
  judge(answer: unknown, options?: CheckOptions): Verdict;
  /** The answer with defaults for the fields it leaves out and every calculated field computed (a copy; the input is not changed). */
  prepare(answer: unknown, options?: CheckOptions): unknown;
  /**
   * The ids of the shown fields of a section, given its values by field key (an answer's section
   * object); `answer` is the whole answer, for expressions reading other sections.
   */
  shownFields(sectionId: string, values: unknown, answer?: unknown, clock?: ExpressionClock): Set<string>;
  /** The same, reading values by field id (the builder's preview holds them so). */
  shownFieldsById(sectionId: string, values: Record<string, unknown>): Set<string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (obj: Record<string, unknown>, key: string): unknown => (Object.hasOwn(obj, key) ? obj[key] : undefined);

const compileField = (field: Field, x: Expressions, m: Messages): CompiledField => ({
  field,
  check: valueCheck(field, m),
  required: x.required.get(field.id),
  constraints: x.constraints.get(field.id) ?? [],
});

function compileSection(section: Section, x: Expressions, m: Messages): CompiledSection {
  return {
    section,
    fields: new Map(section.fields.map((f) => [f.key, compileField(f, x, m)])),
    tables: new Map(
      (section.tables ?? []).map((t) => [
        t.key,
        {
          table: t,
          columns: new Map(t.columns.map((c) => [c.key, compileField(c, x, m)])),
          constraints: x.constraints.get(`${section.key}\u0000${t.key}`) ?? [],
        },
      ]),
    ),
    relevance: compileRelevance(section, x.showIf),
    constraints: x.constraints.get(section.key) ?? [],
  };
}

/** What a rule needs besides the value: the whole (prepared) answer, the row of a column, the clock, the messages' language. */
interface Scope {
  m: Messages;
  answer: unknown;
  row?: unknown;
  clock: ExpressionClock;
  draft: boolean;
  /** `{ row, clock }` for the expressions, made once per scope rather than once per evaluation. */
  evaluation: EvaluateOptions;
}

/** No constraint fails: shared, never changed (most fields have no constraint). */
const NONE_FAILING: readonly CompiledConstraint[] = Object.freeze([]);

function isRequired(compiled: CompiledField, shown: boolean, scope: Scope): boolean {
  if (scope.draft || !shown) return false;
  const rule = compiled.field.rules?.required;
  if (rule === true) return true;
  return compiled.required !== undefined && compiled.required.holds(scope.answer, scope.evaluation);
}

/**
 * The constraints that refuse an answer: those that do not hold (false, or null: a comparison
 * with no answer is false, docs/expressions.md). A draft runs none.
 */
function failing(constraints: CompiledConstraint[], scope: Scope): readonly CompiledConstraint[] {
  if (scope.draft || !constraints.length) return NONE_FAILING;
  return constraints.filter((c) => !c.expression.holds(scope.answer, scope.evaluation));
}

/**
 * `parent` and `key`: the value's path is `${parent}.${key}`, written only when there is a problem
 * to report (an answer of 1,000 values would otherwise build 1,000 strings per judgement).
 */
function checkValue(
  compiled: CompiledField,
  value: unknown,
  required: boolean,
  parent: string,
  key: string,
  out: Problem[],
  m: Messages,
  scope: Scope | null,
): void {
  const { field } = compiled;
  if (required && isBlank(value)) {
    out.push({ path: `${parent}.${key}`, label: field.label, message: m.required(field), code: 'required' });
    return;
  }
  if (value !== undefined && value !== null) {
    const problem = compiled.check(value);
    if (problem) {
      const path = `${parent}.${key}`;
      out.push({
        path: problem[2] === undefined ? path : `${path}.${problem[2]}`,
        label: field.label,
        message: problem[1],
        code: problem[0],
      });
      return;
    }
  }
  // Constraints of a shown field (scope is null for a hidden one) with a well-formed answer: a
  // blank answer is `required`'s to judge, so `${end} >= ${start}` says nothing until end is given.
  if (scope && compiled.constraints.length && !isBlank(value))
    for (const c of failing(compiled.constraints, scope))
      out.push({ path: `${parent}.${key}`, label: field.label, message: c.message, code: 'constraint' });
}

function checkTable(compiled: CompiledTable, value: unknown, path: string, scope: Scope, out: Problem[]): void {
  const { draft, m } = scope;
  const { table } = compiled;
  const min = draft ? 0 : (table.minRows ?? 0);
  if (value === undefined) {
    if (min > 0) out.push({ path, label: table.label, message: m.rowCount(table, draft), code: 'rows' });
    return;
  }
  if (!Array.isArray(value)) {
    out.push({ path, label: table.label, message: m.rows(), code: 'type' });
    return;
  }
  if (value.length < min || (table.maxRows !== undefined && value.length > table.maxRows)) {
    out.push({ path, label: table.label, message: m.rowCount(table, draft), code: 'rows' });
  }
  value.forEach((row, i) => {
    const rowPath = `${path}[${i}]`;
    if (!isObject(row)) {
      out.push({ path: rowPath, label: table.label, message: m.row(), code: 'type' });
      return;
    }
    for (const key of Object.keys(row)) {
      if (!compiled.columns.has(key))
        out.push({ path: `${rowPath}.${key}`, label: key, message: m.unknownColumn(), code: 'unknown' });
    }
    const rowScope: Scope = { ...scope, row, evaluation: { row, clock: scope.clock } };
    for (const column of compiled.columns.values()) {
      const key = column.field.key;
      checkValue(column, own(row, key), isRequired(column, true, rowScope), rowPath, key, out, m, rowScope);
    }
  });
  for (const c of failing(compiled.constraints, scope))
    out.push({ path, label: table.label, message: c.message, code: 'constraint' });
}

function checkSection(compiled: CompiledSection, value: unknown, scope: Scope, out: Problem[]): void {
  const { section } = compiled;
  const { draft, m } = scope;
  if (value !== undefined && !isObject(value)) {
    out.push({ path: section.key, label: section.label, message: m.section(), code: 'type' });
    return;
  }
  const values = value ?? {};
  for (const key of Object.keys(values)) {
    if (!compiled.fields.has(key) && !compiled.tables.has(key)) {
      out.push({ path: `${section.key}.${key}`, label: key, message: m.unknownField(), code: 'unknown' });
    }
  }
  const shown = draft ? null : compiled.relevance((f) => own(values, f.key), scope.answer, scope.clock);
  // values(), not entries: no [key, value] array per field and judgement.
  for (const field of compiled.fields.values()) {
    const key = field.field.key;
    const isShown = shown !== null && shown.has(field.field.id);
    checkValue(
      field,
      own(values, key),
      isRequired(field, isShown, scope),
      section.key,
      key,
      out,
      m,
      isShown ? scope : null,
    );
  }
  for (const table of compiled.tables.values())
    checkTable(table, own(values, table.table.key), `${section.key}.${table.table.key}`, scope, out);
  for (const c of failing(compiled.constraints, scope))
    out.push({ path: section.key, label: section.label, message: c.message, code: 'constraint' });
}

function compile(definition: LocalizedDefinition, language: string | undefined): CompiledRules {
  const x = compileExpressions(definition);
  const m = messagesIn(language);
  const sections = definition.sections.map((s) => compileSection(s, x, m));
  const byKey = new Map(sections.map((s) => [s.section.key, s]));
  const byId = new Map(sections.map((s) => [s.section.id, s]));
  const sectionOf = (id: string) => {
    const found = byId.get(id);
    if (!found) throw new Error(`no section ${id} in this definition`);
    return found;
  };
  const where = locate(definition, x);
  const notes = noteKeys(definition);
  const prepare = (answer: unknown, options: CheckOptions = {}) =>
    prepareAnswer(where, x, dropNotes(notes, answer), options.clock ?? DEFAULT_CLOCK);
  const judge = (input: unknown, options: CheckOptions = {}): Verdict => {
    const answer = prepare(input, options);
    const clock = options.clock ?? DEFAULT_CLOCK;
    const scope: Scope = { m, answer, clock, draft: options.draft === true, evaluation: { clock } };
    const out: Problem[] = [];
    if (!isObject(answer)) return { answer, problems: [{ path: '', label: '', message: m.answer(), code: 'type' }] };
    for (const key of Object.keys(answer)) {
      if (!byKey.has(key)) out.push({ path: key, label: key, message: m.unknownSection(), code: 'unknown' });
    }
    for (const section of sections) checkSection(section, own(answer, section.section.key), scope, out);
    return { answer, problems: out };
  };
  return {
    definition,
    language,
    judge,
    prepare,
    check: (answer, options) => judge(answer, options).problems,
    shownFields(sectionId, values, answer, clock) {
      const v = isObject(values) ? values : {};
      return sectionOf(sectionId).relevance((f) => own(v, f.key), answer, clock ?? DEFAULT_CLOCK);
    },
    shownFieldsById(sectionId, values) {
      return sectionOf(sectionId).relevance((f) => own(values, f.id));
    },
  };
}

/** today() is a date in UTC: a definition holds no time zone yet (docs/forms.md). */
const DEFAULT_CLOCK = systemClock();

// Compiled once per definition object and language: the catalog keeps one per version, and the browser one per form.
const compiled = new WeakMap<LocalizedDefinition, Map<string | undefined, CompiledRules>>();

/**
 * The compiled rules of a definition in a language (cached per definition object and language):
 * labels and constraint messages in that language, falling back to the default one
 * (src/rules/language.ts), and the engine's own messages in it (messages.ts), falling back to
 * English. A definition localized before (the pages hold one) keeps the language it was
 * localized in. Never throws: a definition being edited in the builder may be incomplete, and
 * its preview still runs.
 */
export function compileRules(definition: Definition, language?: string): CompiledRules {
  const lang = localizedLanguage(definition) ?? languageFor(definition, language);
  const local = localize(definition, lang);
  let byLanguage = compiled.get(local);
  if (!byLanguage) compiled.set(local, (byLanguage = new Map<string | undefined, CompiledRules>()));
  let found = byLanguage.get(lang);
  if (!found) {
    found = compile(local, lang);
    byLanguage.set(lang, found);
  }
  return found;
}
