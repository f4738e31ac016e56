import type { Definition, Field, RepeatingTable, Section } from '../templates/definition.schema.js';
import { expressionItems } from './expression-items.js';
import { defaultLanguageOf, textIn } from './language.js';
import {
  buildCatalog,
  checkExpressions,
  compileExpression,
  type CompiledExpression,
  type ExpressionClock,
} from './expressions/index.js';

/**
 * The expressions of a definition compiled for the engine (engine.ts), and the preparation of an
 * answer: defaults for the fields it leaves out, then every calculated field, in the order the
 * checker found (each after what it reads). Browser-safe, like the rest of src/rules.
 */

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const own = (obj: Record<string, unknown>, key: string): unknown => (Object.hasOwn(obj, key) ? obj[key] : undefined);

export interface CompiledConstraint {
  expression: CompiledExpression;
  message: string;
}

/** The compiled expressions of a definition, by owner. Expressions the checker refused are left out (a definition being edited). */
export interface Expressions {
  showIf: Map<string, CompiledExpression>;
  required: Map<string, CompiledExpression>;
  calculated: Map<string, CompiledExpression>;
  defaults: Map<string, CompiledExpression>;
  /** By field id, by `section\u0000table` key, by section key. */
  constraints: Map<string, CompiledConstraint[]>;
  /** Field ids with a calculation or a default, each after what it reads. */
  order: string[];
}

export function compileExpressions(definition: Definition): Expressions {
  const out: Expressions = {
    showIf: new Map(),
    required: new Map(),
    calculated: new Map(),
    defaults: new Map(),
    constraints: new Map(),
    order: [],
  };
  const items = expressionItems(definition);
  if (!items.length) return out;
  const result = checkExpressions(buildCatalog(definition), items);
  items.forEach((item, i) => {
    const checked = result.checked[i];
    if (!checked) return;
    const expression = compileExpression(checked);
    if (item.role === 'constraint') {
      const owner = item.owner ?? (item.ofTable !== undefined ? `${item.section}\u0000${item.ofTable}` : item.section);
      const list = out.constraints.get(owner) ?? [];
      list.push({ expression, message: textIn(item.message, undefined, defaultLanguageOf(definition)) });
      out.constraints.set(owner, list);
      return;
    }
    const byRole = { showIf: out.showIf, required: out.required, calculated: out.calculated, default: out.defaults }[
      item.role
    ];
    byRole.set(item.owner!, expression);
  });
  out.order = result.order;
  return out;
}

/**
 * Defaults and calculations, in the checker's order. Copies what it changes (the answer, a
 * section object, a table's rows); leaves alone what is not an object where one is expected (the
 * judge reports it). A default fills a field the answer leaves out (absent, not null: null is an
 * answer of "nothing"); a default that evaluates to null fills nothing.
 */
export type Where = Map<string, { section: Section; table?: RepeatingTable; field: Field }>;

/** Where each field and column is, for the fields with a calculation or a default (built once per definition). */
export function locate(definition: Definition, x: Expressions): Where {
  const where: Where = new Map();
  if (!x.order.length) return where;
  for (const section of definition.sections) {
    for (const field of section.fields) where.set(field.id, { section, field });
    for (const table of section.tables ?? [])
      for (const field of table.columns) where.set(field.id, { section, table, field });
  }
  return where;
}

/** The keys of the notes of each section (by section key): notes take no answer. */
export function noteKeys(definition: Definition): Map<string, string[]> {
  const notes = new Map<string, string[]>();
  for (const section of definition.sections) {
    const keys = section.fields.filter((f) => f.type === 'note').map((f) => f.key);
    if (keys.length) notes.set(section.key, keys);
  }
  return notes;
}

/**
 * A value sent for a note is dropped, as one sent for a calculated field is replaced: a note is
 * display-only, so the answer stored never holds one (and no client is refused for echoing it).
 */
export function dropNotes(notes: Map<string, string[]>, answer: unknown): unknown {
  if (!notes.size || !isObject(answer)) return answer;
  let out: Record<string, unknown> | null = null;
  for (const [sectionKey, keys] of notes) {
    const values = own(answer, sectionKey);
    if (!isObject(values) || !keys.some((k) => Object.hasOwn(values, k))) continue;
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(values)) {
      if (!keys.includes(key))
        Object.defineProperty(copy, key, { value: values[key], enumerable: true, writable: true, configurable: true });
    }
    out ??= { ...answer };
    out[sectionKey] = copy;
  }
  return out ?? answer;
}

export function prepareAnswer(where: Where, x: Expressions, answer: unknown, clock: ExpressionClock): unknown {
  if (!x.order.length || !isObject(answer)) return answer;
  const out: Record<string, unknown> = { ...answer };
  const copied = new Set<string>();
  const sectionOf = (section: Section): Record<string, unknown> | null => {
    const current = own(out, section.key);
    if (current !== undefined && !isObject(current)) return null;
    if (!copied.has(section.key)) {
      copied.add(section.key);
      out[section.key] = Object.assign(Object.create(null) as Record<string, unknown>, current ?? {});
    }
    return out[section.key] as Record<string, unknown>;
  };
  const rowsCopied = new Set<string>();
  const evaluation = { clock };
  for (const id of x.order) {
    const at = where.get(id);
    if (!at) continue;
    const calculation = at.field.type === 'calculated' ? x.calculated.get(id) : undefined;
    const fallback = at.field.type === 'calculated' ? undefined : x.defaults.get(id);
    if (!calculation && !fallback) continue;
    const values = sectionOf(at.section);
    if (!values) continue;
    if (!at.table) {
      if (calculation) values[at.field.key] = calculation.evaluate(out, evaluation);
      else if (own(values, at.field.key) === undefined) {
        const value = fallback!.evaluate(out, evaluation);
        if (value !== null && value !== undefined) values[at.field.key] = value;
      }
      continue;
    }
    const rows = own(values, at.table.key);
    if (!Array.isArray(rows)) continue;
    if (!rowsCopied.has(at.table.id)) {
      rowsCopied.add(at.table.id);
      values[at.table.key] = rows.map((r: unknown) =>
        isObject(r) ? Object.assign(Object.create(null) as Record<string, unknown>, r) : r,
      );
    }
    for (const row of values[at.table.key] as unknown[]) {
      if (!isObject(row)) continue;
      if (calculation) row[at.field.key] = calculation.evaluate(out, { row, clock });
      else if (own(row, at.field.key) === undefined) {
        const value = fallback!.evaluate(out, { row, clock });
        if (value !== null && value !== undefined) row[at.field.key] = value;
      }
    }
  }
  // Back to ordinary objects: what is stored and returned is plain JSON.
  for (const key of copied) out[key] = plain(out[key]);
  return out;
}

/** A null-prototype copy back to a plain object (JSON.parse keeps a `__proto__` key as an own property, as here). */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // Plain assignment creates the same own, enumerable, writable property, and costs far less than
  // defineProperty; only `__proto__` would set the prototype instead.
  for (const key of Object.keys(source)) {
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: plain(source[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = plain(source[key]);
  }
  return out;
}
