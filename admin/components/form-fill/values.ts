import { visibleFields } from '../shared/show-if';
import type { Answer, ApiError, Definition, Field, Row } from './types';

/**
 * The answer as the form holds it and as it is sent. Pure functions: what is visible (`showIf`),
 * what counts as empty, and the payload (hidden fields and empty inputs left out, locked sections
 * sent back exactly as loaded).
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

/** The payload to send, built from the definition (so nothing unknown goes out). */
export function buildAnswer(definition: Definition, values: Answer, original: Answer, locked: Set<string>): Answer {
  const out: Answer = {};
  for (const section of definition.sections) {
    if (locked.has(section.id)) {
      // Compared as JSON by the server: send back the very object it gave.
      if (original[section.key] !== undefined) out[section.key] = original[section.key]!;
      continue;
    }
    const sv = values[section.key] ?? {};
    const visible = visibleFields(section, sv, 'key');
    const obj: Row = {};
    for (const field of section.fields) {
      if (!visible.has(field.key)) continue;
      const v = cleanValue(field, sv[field.key]);
      if (v !== undefined) obj[field.key] = v;
    }
    for (const table of section.tables ?? []) {
      const rows = sv[table.key];
      if (Array.isArray(rows)) obj[table.key] = (rows as Row[]).map((r) => cleanRow(table.columns, r ?? {}));
    }
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

const isEmpty = (field: Field, v: unknown) => cleanValue(field, v) === undefined;

/**
 * Required answers missing before a submit, with the server's paths, so they show at once next
 * to their inputs (the server checks the whole schema again).
 */
export function missingRequired(definition: Definition, values: Answer, locked: Set<string>): ApiError[] {
  const errors: ApiError[] = [];
  for (const section of definition.sections) {
    if (locked.has(section.id)) continue;
    const sv = values[section.key] ?? {};
    const visible = visibleFields(section, sv, 'key');
    for (const f of section.fields) {
      if (f.rules?.required && f.type !== 'boolean' && f.type !== 'file' && visible.has(f.key) && isEmpty(f, sv[f.key])) {
        errors.push({ path: `${section.key}.${f.key}`, message: 'is required' });
      }
    }
    for (const t of section.tables ?? []) {
      const rows = (Array.isArray(sv[t.key]) ? sv[t.key] : []) as Row[];
      if (t.minRows && rows.length < t.minRows) errors.push({ path: `${section.key}.${t.key}`, message: `needs at least ${t.minRows} row${t.minRows === 1 ? '' : 's'}` });
      rows.forEach((row, r) => {
        for (const c of t.columns) {
          if (c.rules?.required && c.type !== 'boolean' && c.type !== 'file' && isEmpty(c, row?.[c.key])) {
            errors.push({ path: `${section.key}.${t.key}[${r}].${c.key}`, message: 'is required' });
          }
        }
      });
    }
  }
  return errors;
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
