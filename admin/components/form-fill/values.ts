import { compileRules } from '../../../src/rules/index.js';
import type { Answer, ApiError, Definition, Field, Row, Section } from './types.js';

/**
 * The answer as the form holds it and as it is sent. Pure functions: the payload (hidden fields
 * and empty inputs left out, locked sections sent back exactly as loaded), what is shown and what
 * is wrong with it, both decided by the rules engine the API uses (src/rules), on the very payload.
 */

/** The value to send for one input, or undefined to leave it out (never '' for a number, never an empty list). */
export function cleanValue(field: Field, value: unknown): unknown {
  if (field.type === 'boolean') return value === true;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  if (Array.isArray(value)) return value.length ? value : undefined;
  if (field.type === 'integer' || field.type === 'decimal') return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
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

/** The keys of a section's shown fields, judged on what would be sent (as the server judges it). */
export function shownKeys(definition: Definition, section: Section, sv: Row): Set<string> {
  const shown = compileRules(definition).shownFields(section.id, cleanSection(section, sv));
  return new Set(section.fields.filter((f) => shown.has(f.id)).map((f) => f.key));
}

/** The payload to send, built from the definition (so nothing unknown goes out). */
export function buildAnswer(definition: Definition, values: Answer, original: Answer, locked: Set<string>): Answer {
  const rules = compileRules(definition);
  const out: Answer = {};
  for (const section of definition.sections) {
    if (locked.has(section.id)) {
      // Compared as JSON by the server: send back the very object it gave.
      if (original[section.key] !== undefined) out[section.key] = original[section.key]!;
      continue;
    }
    const obj = cleanSection(section, values[section.key] ?? {});
    const shown = rules.shownFields(section.id, obj);
    for (const field of section.fields) if (!shown.has(field.id)) delete obj[field.key];
    out[section.key] = obj;
  }
  return out;
}

/** The rows a table starts with when the answer has none: its minimum. */
export function initialValues(definition: Definition, data: Answer): Answer {
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
