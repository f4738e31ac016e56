import { defaultLanguageOf, textIn, type LocalText } from '../../../src/rules/language';
import type { Definition } from './types';

/**
 * What the builder may type after `${` in an expression, in the context of the item the
 * expression belongs to (the reference rules of src/rules/expressions/references.ts):
 * - a field or a section's or table's constraint: the section's fields by key (`${adults}`), its
 *   tables' columns over all rows (`${items.line}`), other sections' fields (`${household.total}`);
 * - a column's rule: the same row's columns by key (`${qty}`), the section's fields by
 *   `${section.key}`, the tables' columns (`${items.line}`), other sections' fields.
 * Pure: the expression input filters this list by what is typed.
 */
export interface KeySuggestion {
  /** What goes between `${` and `}`. */
  ref: string;
  /** The label of the question (in the form's default language), and its type, to tell keys apart. */
  label: string;
  type: string;
}

/** Every reference an expression of item `itemId` (a field, column, table or section id) can make, nearest first. */
export function keySuggestions(definition: Definition, itemId: string): KeySuggestion[] {
  let where: { section: number; table?: number } | undefined;
  definition.sections.forEach((s, si) => {
    if (s.id === itemId || s.fields.some((f) => f.id === itemId)) where = { section: si };
    (s.tables ?? []).forEach((t, ti) => {
      if (t.id === itemId) where = { section: si };
      if (t.columns.some((c) => c.id === itemId)) where = { section: si, table: ti };
    });
  });
  if (!where) return [];
  const lang = defaultLanguageOf(definition);
  const text = (t: LocalText | undefined) => textIn(t, lang, lang);
  const here = definition.sections[where.section]!;
  const inTable = where.table !== undefined ? here.tables![where.table]! : undefined;
  const out: KeySuggestion[] = [];
  const readable = (type: string) => type !== 'note' && type !== 'geopoint';
  if (inTable)
    for (const c of inTable.columns)
      if (c.id !== itemId && readable(c.type)) out.push({ ref: c.key, label: text(c.label), type: c.type });
  for (const f of here.fields)
    if (f.id !== itemId && readable(f.type))
      out.push({ ref: inTable ? `${here.key}.${f.key}` : f.key, label: text(f.label), type: f.type });
  for (const t of here.tables ?? []) {
    for (const c of t.columns)
      if (readable(c.type) && c.type !== 'multiple_choice' && c.type !== 'file')
        out.push({ ref: `${t.key}.${c.key}`, label: `${text(c.label)} (${text(t.label)}, all rows)`, type: c.type });
  }
  for (const s of definition.sections) {
    if (s === here) continue;
    for (const f of s.fields)
      if (readable(f.type))
        out.push({ ref: `${s.key}.${f.key}`, label: `${text(f.label)} (${text(s.label)})`, type: f.type });
  }
  return out;
}

/** The suggestions for what is typed after `${`: keys starting with it first, then keys containing it; at most `limit`. */
export function filterSuggestions(all: KeySuggestion[], typed: string, limit = 8): KeySuggestion[] {
  const q = typed.toLowerCase();
  const last = (ref: string) => ref.slice(ref.lastIndexOf('.') + 1).toLowerCase();
  const starts = all.filter((s) => s.ref.toLowerCase().startsWith(q) || last(s.ref).startsWith(q));
  const contains = all.filter(
    (s) => !starts.includes(s) && (s.ref.toLowerCase().includes(q) || s.label.toLowerCase().includes(q)),
  );
  return [...starts, ...contains].slice(0, limit);
}

/** The reference being typed at the caret (`${ad|` gives `ad`, from the `${` at `start`), or null. */
export function referenceAt(value: string, caret: number): { start: number; typed: string } | null {
  const m = /\$\{([A-Za-z0-9_.]*)$/.exec(value.slice(0, caret));
  return m ? { start: m.index, typed: m[1]! } : null;
}

/** The value with the reference at the caret completed to `${ref}` (a `}` already there is reused), and the caret after it. */
export function completeReference(value: string, caret: number, ref: string): { value: string; caret: number } | null {
  const at = referenceAt(value, caret);
  if (!at) return null;
  // The rest of a key being typed over (`${ad|ul}`) is replaced too.
  const rest = /^[A-Za-z0-9_.]*\}?/.exec(value.slice(caret))![0];
  const inserted = `\${${ref}}`;
  return {
    value: value.slice(0, at.start) + inserted + value.slice(caret + rest.length),
    caret: at.start + inserted.length,
  };
}
