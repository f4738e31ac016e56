import type { Definition } from '../templates/definition.schema.js';
import { own } from '../templates/own.js';

/**
 * An answer under the keys of another version of its template. Answers are stored as they were
 * judged, under the keys of their own version; a key renamed since then keeps its stable id, and the
 * API returns answers under the current version's keys by default (`?as=submitted` gives them as
 * they were sent). Sections, fields, repeating tables and their columns are matched by id within
 * their section; what the target version no longer has is left out here (and kept in the stored
 * answer, which `?as=submitted` returns whole).
 */

/** Either form an answer can be read in. */
export const ANSWER_KEYS = ['current', 'submitted'] as const;
export type AnswerKeys = (typeof ANSWER_KEYS)[number];

interface TableMap {
  to: string;
  columns: [from: string, to: string][];
}
interface SectionMap {
  to: string;
  fields: [from: string, to: string][];
  tables: Map<string, TableMap>;
}
type KeyMap = Map<string, SectionMap>;

const maps = new WeakMap<Definition, WeakMap<Definition, KeyMap>>();

function pairs<T extends { id: string; key: string }>(from: T[], to: T[]): [string, string][] {
  const target = new Map(to.map((item) => [item.id, item.key]));
  return from.flatMap((item) => (target.has(item.id) ? [[item.key, target.get(item.id)!] as [string, string]] : []));
}

function buildMap(from: Definition, to: Definition): KeyMap {
  const targets = new Map(to.sections.map((s) => [s.id, s]));
  const map: KeyMap = new Map();
  for (const section of from.sections) {
    const target = targets.get(section.id);
    if (!target) continue;
    const tables = new Map<string, TableMap>();
    const targetTables = new Map((target.tables ?? []).map((t) => [t.id, t]));
    for (const table of section.tables ?? []) {
      const into = targetTables.get(table.id);
      if (into) tables.set(table.key, { to: into.key, columns: pairs(table.columns, into.columns) });
    }
    map.set(section.key, { to: target.key, fields: pairs(section.fields, target.fields), tables });
  }
  return map;
}

function keyMap(from: Definition, to: Definition): KeyMap {
  let byTarget = maps.get(from);
  if (!byTarget) maps.set(from, (byTarget = new WeakMap()));
  let map = byTarget.get(to);
  if (!map) byTarget.set(to, (map = buildMap(from, to)));
  return map;
}

function renameRow(row: unknown, columns: [string, string][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [from, to] of columns) {
    const value = own(row as Record<string, unknown>, from);
    if (value !== undefined) out[to] = value;
  }
  return out;
}

/** `payload` (an answer to version `from`) under the keys of version `to`. */
export function answerUnderKeys(
  payload: Record<string, unknown>,
  from: Definition,
  to: Definition,
): Record<string, unknown> {
  if (from === to) return payload;
  const out: Record<string, unknown> = {};
  for (const [sectionKey, section] of keyMap(from, to)) {
    const values = own(payload, sectionKey) as Record<string, unknown> | undefined;
    if (values === undefined || values === null || typeof values !== 'object') continue;
    const next = renameRow(values, section.fields);
    for (const [tableKey, table] of section.tables) {
      const rows = own(values, tableKey);
      if (Array.isArray(rows)) next[table.to] = rows.map((row) => renameRow(row, table.columns));
    }
    out[section.to] = next;
  }
  return out;
}
