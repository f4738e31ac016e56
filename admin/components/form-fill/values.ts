import { compileRules } from '../../../src/rules/index.js';
import type { Answer, ApiError, Definition, Field, Row, Section } from './types.js';

/**
 * The answer as the form holds it and as it is sent. Pure functions: the payload (hidden fields
 * and empty inputs left out, locked sections sent back exactly as loaded), what is shown and what
 * is wrong with it, both decided by the rules engine the API uses (src/rules), on the very payload.
 */

/** The value to send for one input, or undefined to leave it out (never '' for a number, never an empty list). */
export function cleanValue(field: Field, value: unknown): unknown {
  // Never sent: the server computes it (and would ignore it).
  if (field.type === 'calculated' || field.type === 'note') return undefined;
  if (field.type === 'boolean') return value === true;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  if (Array.isArray(value)) return value.length ? value : undefined;
  if (field.type === 'integer' || field.type === 'decimal')
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  return value;
}

function cleanRow(columns: Field[], row: Row): Row {
  const out: Row = {};
  for (const c of columns) {
    const v = cleanValue(c, row[c.key]);
    if (v !== undefined) out[c.key] = v;
  }
  return out;
}

/** A section's inputs as they would be sent: every field cleaned (hidden ones too), tables as rows. */
function cleanSection(section: Section, sv: Row): Row {
  const obj: Row = {};
  for (const field of section.fields) {
    const v = cleanValue(field, sv[field.key]);
    if (v !== undefined) obj[field.key] = v;
  }
  for (const table of section.tables ?? []) {
    const rows = sv[table.key];
    if (Array.isArray(rows)) obj[table.key] = (rows as Row[]).map((r) => cleanRow(table.columns, r ?? {}));
  }
  return obj;
}

/** Every section's inputs as they would be sent, defaults and calculations applied as the server applies them. */
function preparedInputs(definition: Definition, values: Answer): Answer {
  const out: Answer = {};
  for (const section of definition.sections) out[section.key] = cleanSection(section, values[section.key] ?? {});
  return compileRules(definition).prepare(out) as Answer;
}

/** The keys of a section's shown fields, judged on what would be sent (`whole`: computedAnswer), as the server judges it. */
export function shownKeys(definition: Definition, section: Section, whole: Answer): Set<string> {
  const shown = compileRules(definition).shownFields(section.id, whole[section.key], whole);
  return new Set(section.fields.filter((f) => shown.has(f.id)).map((f) => f.key));
}

/**
 * The answer as the server will judge and store it, live: defaults filled, calculated fields
 * computed by the same engine (the fill page shows them read-only as the submitter types).
 */
export function computedAnswer(definition: Definition, values: Answer): Answer {
  return preparedInputs(definition, values);
}

/** The payload to send, built from the definition (so nothing unknown goes out). */
export function buildAnswer(definition: Definition, values: Answer, original: Answer, locked: Set<string>): Answer {
  const rules = compileRules(definition);
  const cleaned: Answer = {};
  for (const section of definition.sections) cleaned[section.key] = cleanSection(section, values[section.key] ?? {});
  // Relevance reads the answer as the server will: with calculated values, across sections.
  const whole = rules.prepare(cleaned) as Answer;
  const out: Answer = {};
  for (const section of definition.sections) {
    if (locked.has(section.id)) {
      // Compared as JSON by the server: send back the very object it gave.
      if (original[section.key] !== undefined) out[section.key] = original[section.key]!;
      continue;
    }
    const obj = cleaned[section.key]!;
    const shown = rules.shownFields(section.id, whole[section.key], whole);
    for (const field of section.fields) if (!shown.has(field.id)) delete obj[field.key];
    out[section.key] = obj;
  }
  return out;
}

/**
 * What the form starts with: the answer given, defaults filled in for the fields it leaves out (as
 * the server would fill them), and for a table with no rows its minimum.
 */
export function initialValues(definition: Definition, given: Answer): Answer {
  const data = compileRules(definition).prepare(given) as Answer;
  const out: Answer = {};
  for (const section of definition.sections) {
    const sv: Row = { ...(data[section.key] ?? {}) };
    for (const table of section.tables ?? []) {
      if (!Array.isArray(sv[table.key])) sv[table.key] = Array.from({ length: table.minRows ?? 0 }, () => ({}));
    }
    out[section.key] = sv;
  }
  return out;
}

/**
 * Every problem of the answer about to be sent, found by the rules engine the API runs, with the
 * API's paths and messages: all of them show at once, next to their inputs and at the top.
 */
export function answerProblems(definition: Definition, answer: Answer, draft: boolean): ApiError[] {
  return compileRules(definition)
    .check(answer, { draft })
    .map((p) => ({ path: p.path, message: p.message }));
}

/** The builder's constraints the answer breaks as it is typed (shown live, before any save). */
export function constraintProblems(definition: Definition, answer: Answer): ApiError[] {
  return compileRules(definition)
    .check(answer)
    .filter((p) => p.code === 'constraint')
    .map((p) => ({ path: p.path, message: p.message }));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as a datetime-local input shows it (local time, minutes). */
export function toLocalInput(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local input's value as an ISO 8601 instant (UTC, with its zone), or null when empty. */
export function fromLocalInput(local: string): string | null {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
