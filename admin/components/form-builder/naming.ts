import { FIELD_TYPE_SPECS } from '../../../src/templates/field-types';
import type { FieldType } from './types';

/** Ids, keys and labels the builder makes up for new items. */

/** `f_`/`s_`/`t_` + 12 hex characters, like the server's newStableId: generated once, never changed. */
export function newId(prefix: 'f' | 's' | 't'): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return `${prefix}_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const MAX_KEY = 100;

/**
 * A key from a label: `Household size` -> `household_size`. Letters of any script are kept (keys
 * allow them), everything else becomes `_`; a leading digit gets `_` in front. `taken` keys get a
 * numeric suffix so the derived key does not collide with a sibling.
 */
export function deriveKey(label: string, taken: ReadonlySet<string> = new Set()): string {
  let key = label
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_]+/gu, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_')
    .slice(0, MAX_KEY - 4);
  if (/^\p{N}/u.test(key)) key = `_${key}`;
  if (!key) return '';
  let candidate = key;
  for (let n = 2; taken.has(candidate); n++) candidate = `${key}_${n}`;
  return candidate;
}

/** A label like `Field 3` that no sibling uses yet (its derived key is free too). */
export function freshLabel(base: string, takenKeys: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const label = `${base} ${n}`;
    if (!takenKeys.has(deriveKey(label))) return label;
  }
}

/** Derived from the shared type table, so a type added on the server shows up here. */
export const FIELD_TYPES = Object.keys(FIELD_TYPE_SPECS) as FieldType[];

const TYPE_LABELS: Partial<Record<FieldType, string>> = {
  text: 'Text',
  long_text: 'Long text',
  integer: 'Integer',
  decimal: 'Decimal',
  boolean: 'Yes / no',
  date: 'Date',
  datetime: 'Date and time',
  time: 'Time',
  email: 'Email',
  url: 'URL',
  single_choice: 'Single choice',
  multiple_choice: 'Multiple choice',
  file: 'File',
  calculated: 'Calculated',
  geopoint: 'Location (geopoint)',
  signature: 'Signature',
  note: 'Note (text to read)',
};

export const typeLabel = (type: string): string => TYPE_LABELS[type as FieldType] ?? type.replace(/_/g, ' ');

export const rulesOf = (type: FieldType, inTable: boolean) =>
  (FIELD_TYPE_SPECS[type]?.rules ?? ['required']).filter((r) => !(inTable && r === 'unique'));

export const isChoiceType = (type: FieldType) => type === 'single_choice' || type === 'multiple_choice';
