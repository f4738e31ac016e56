import type { Definition, Field, RepeatingTable, Section } from '../templates/definition.schema.js';
import { MESSAGES } from './messages.js';
import { compileRelevance, type ReadValue } from './relevance.js';
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
 *   (`{ draft: true }`) may leave both out.
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
  /** A draft may be incomplete: no required answers, no minimum rows. */
  draft?: boolean;
}

interface CompiledField {
  field: Field;
  check: ValueCheck;
}

interface CompiledTable {
  table: RepeatingTable;
  columns: Map<string, CompiledField>;
}

interface CompiledSection {
  section: Section;
  fields: Map<string, CompiledField>;
  tables: Map<string, CompiledTable>;
  relevance: (read: ReadValue) => Set<string>;
}

export interface CompiledRules {
  readonly definition: Definition;
  /** Every problem of an answer; an empty list means it is accepted. */
  check(answer: unknown, options?: CheckOptions): Problem[];
  /** The ids of the shown fields of a section, given its values by field key (an answer's section object). */
  shownFields(sectionId: string, values: unknown): Set<string>;
  /** The same, reading values by field id (the builder's preview holds them so). */
  shownFieldsById(sectionId: string, values: Record<string, unknown>): Set<string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (obj: Record<string, unknown>, key: string): unknown => (Object.hasOwn(obj, key) ? obj[key] : undefined);

const compileField = (field: Field): CompiledField => ({ field, check: valueCheck(field) });

function compileSection(section: Section): CompiledSection {
  return {
    section,
    fields: new Map(section.fields.map((f) => [f.key, compileField(f)])),
    tables: new Map(
      (section.tables ?? []).map((t) => [t.key, { table: t, columns: new Map(t.columns.map((c) => [c.key, compileField(c)])) }]),
    ),
    relevance: compileRelevance(section),
  };
}

function checkValue(compiled: CompiledField, value: unknown, required: boolean, path: string, out: Problem[]): void {
  const { field } = compiled;
  if (required && isBlank(value)) {
    out.push({ path, label: field.label, message: MESSAGES.required(field), code: 'required' });
    return;
  }
  if (value === undefined || value === null) return;
  const problem = compiled.check(value);
  if (problem) out.push({ path, label: field.label, message: problem[1], code: problem[0] });
}

function checkTable(compiled: CompiledTable, value: unknown, path: string, draft: boolean, out: Problem[]): void {
  const { table } = compiled;
  const min = draft ? 0 : (table.minRows ?? 0);
  if (value === undefined) {
    if (min > 0) out.push({ path, label: table.label, message: MESSAGES.rowCount(table, draft), code: 'rows' });
    return;
  }
  if (!Array.isArray(value)) {
    out.push({ path, label: table.label, message: MESSAGES.rows(), code: 'type' });
    return;
  }
  if (value.length < min || (table.maxRows !== undefined && value.length > table.maxRows)) {
    out.push({ path, label: table.label, message: MESSAGES.rowCount(table, draft), code: 'rows' });
  }
  value.forEach((row, i) => {
    const rowPath = `${path}[${i}]`;
    if (!isObject(row)) {
      out.push({ path: rowPath, label: table.label, message: MESSAGES.row(), code: 'type' });
      return;
    }
    for (const key of Object.keys(row)) {
      if (!compiled.columns.has(key)) out.push({ path: `${rowPath}.${key}`, label: key, message: MESSAGES.unknownColumn(), code: 'unknown' });
    }
    for (const [key, column] of compiled.columns) {
      checkValue(column, own(row, key), !draft && column.field.rules?.required === true, `${rowPath}.${key}`, out);
    }
  });
}

function checkSection(compiled: CompiledSection, value: unknown, draft: boolean, out: Problem[]): void {
  const { section } = compiled;
  if (value !== undefined && !isObject(value)) {
    out.push({ path: section.key, label: section.label, message: MESSAGES.section(), code: 'type' });
    return;
  }
  const values = value ?? {};
  for (const key of Object.keys(values)) {
    if (!compiled.fields.has(key) && !compiled.tables.has(key)) {
      out.push({ path: `${section.key}.${key}`, label: key, message: MESSAGES.unknownField(), code: 'unknown' });
    }
  }
  const shown = draft ? null : compiled.relevance((f) => own(values, f.key));
  for (const [key, field] of compiled.fields) {
    const required = shown !== null && field.field.rules?.required === true && shown.has(field.field.id);
    checkValue(field, own(values, key), required, `${section.key}.${key}`, out);
  }
  for (const [key, table] of compiled.tables) checkTable(table, own(values, key), `${section.key}.${key}`, draft, out);
}

function compile(definition: Definition): CompiledRules {
  const sections = definition.sections.map(compileSection);
  const byKey = new Map(sections.map((s) => [s.section.key, s]));
  const byId = new Map(sections.map((s) => [s.section.id, s]));
  const sectionOf = (id: string) => {
    const found = byId.get(id);
    if (!found) throw new Error(`no section ${id} in this definition`);
    return found;
  };
  return {
    definition,
    check(answer, options = {}) {
      const draft = options.draft === true;
      const out: Problem[] = [];
      if (!isObject(answer)) return [{ path: '', label: '', message: MESSAGES.answer(), code: 'type' }];
      for (const key of Object.keys(answer)) {
        if (!byKey.has(key)) out.push({ path: key, label: key, message: MESSAGES.unknownSection(), code: 'unknown' });
      }
      for (const section of sections) checkSection(section, own(answer, section.section.key), draft, out);
      return out;
    },
    shownFields(sectionId, values) {
      const v = isObject(values) ? values : {};
      return sectionOf(sectionId).relevance((f) => own(v, f.key));
    },
    shownFieldsById(sectionId, values) {
      return sectionOf(sectionId).relevance((f) => own(values, f.id));
    },
  };
}

// Compiled once per definition object: the catalog keeps one per version, and the browser one per form.
const compiled = new WeakMap<Definition, CompiledRules>();

/**
 * The compiled rules of a definition (cached per definition object). Never throws: a definition
 * being edited in the builder may be incomplete, and its preview still runs.
 */
export function compileRules(definition: Definition): CompiledRules {
  let found = compiled.get(definition);
  if (!found) {
    found = compile(definition);
    compiled.set(definition, found);
  }
  return found;
}
