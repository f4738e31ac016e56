import type { InterfaceText } from '../../../src/rules/interface-text';
import type { ApiError, Definition } from './types';

/**
 * The server's errors by path (`household.size`, `household.members[0].name`), for the inputs to
 * find theirs, and a readable place for each in the summary.
 */
export type ErrorIndex = Map<string, string[]>;

export function indexErrors(errors: ApiError[]): ErrorIndex {
  const index: ErrorIndex = new Map();
  for (const e of errors) index.set(e.path, [...(index.get(e.path) ?? []), e.message]);
  return index;
}

export const fieldPath = (sectionKey: string, fieldKey: string) => `${sectionKey}.${fieldKey}`;

/** The messages of a field and of its parts (a geopoint's `household.location.latitude`), or undefined. */
export function errorsUnder(index: ErrorIndex, path: string): string[] | undefined {
  const own = index.get(path) ?? [];
  const parts = [...index].filter(([p]) => p.startsWith(`${path}.`)).flatMap(([, m]) => m);
  return own.length || parts.length ? [...own, ...parts] : undefined;
}
export const cellPath = (sectionKey: string, tableKey: string, row: number, columnKey: string) =>
  `${sectionKey}.${tableKey}[${row}].${columnKey}`;

/** The input an error belongs to (its test id), when the path names one. */
export function inputIdOf(path: string): string | null {
  const cell = /^([^.[\]]+)\.([^.[\]]+)\[(\d+)\]\.([^.[\]]+)$/.exec(path);
  if (cell) return `input-${cell[1]}-${cell[2]}-${cell[3]}-${cell[4]}`;
  const field = /^([^.[\]]+)\.([^.[\]]+)$/.exec(path);
  return field ? `input-${field[1]}-${field[2]}` : null;
}

/** "Household › Members › row 1 › Name" for `household.members[0].name`. */
export function describePath(definition: Definition, path: string, t: InterfaceText): string {
  if (!path) return t.theAnswer;
  const [sectionKey, rest] = [path.split('.')[0]!, path.split('.').slice(1).join('.')];
  const section = definition.sections.find((s) => s.key === sectionKey);
  if (!section) return path;
  if (!rest) return section.label;
  const m = /^([^.[\]]+)(?:\[(\d+)\](?:\.([^.[\]]+))?)?$/.exec(rest);
  // A part of a field's value: a geopoint's latitude.
  const part = /^([^.[\]]+)\.([^.[\]]+)$/.exec(rest);
  const whole = part ? section.fields.find((f) => f.key === part[1]) : undefined;
  if (part && whole) return `${section.label} › ${whole.label} › ${part[2]}`;
  if (!m) return `${section.label} › ${rest}`;
  const field = section.fields.find((f) => f.key === m[1]);
  if (field) return `${section.label} › ${field.label}`;
  const table = (section.tables ?? []).find((t) => t.key === m[1]);
  if (!table) return `${section.label} › ${rest}`;
  const column = m[3] ? (table.columns.find((c) => c.key === m[3])?.label ?? m[3]) : null;
  return [section.label, table.label, m[2] !== undefined ? t.row(Number(m[2]) + 1) : null, column]
    .filter(Boolean)
    .join(' › ');
}
