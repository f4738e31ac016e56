import { deriveKey, freshLabel, isChoiceType, newId, rulesOf } from './naming';
import { textIn, type LocalText } from '../../../src/rules/language';
import { isSearchable } from '../../../src/templates/field-types';
import type { Definition, Field, RepeatingTable, Rules, Section } from './types';

/**
 * The editor's state and its reducer. Every edit returns new objects only along the edited path,
 * so untouched sections and field rows keep their identity and their memoized rows skip rendering.
 */

export interface BuilderState {
  definition: Definition;
  /** JSON of the definition as last loaded or saved: "unsaved changes" is a difference from it. */
  savedJson: string;
  /** Ids of new items whose key still follows their label (the key was never typed by hand). */
  autoKeys: ReadonlySet<string>;
  /** The item just added, whose label input takes the focus. */
  focusId: string | null;
}

type Patch<T> = { [K in keyof T]?: T[K] | undefined };
export type FieldPatch = Patch<Field>;
export type SectionPatch = Patch<Omit<Section, 'fields' | 'tables' | 'id'>>;
export type TablePatch = Patch<Omit<RepeatingTable, 'columns' | 'id'>>;

export type BuilderAction =
  | { type: 'load'; definition: Definition; keepAutoKeys?: boolean }
  | { type: 'replace'; definition: Definition }
  /** A save succeeded: `submitted` is what was sent, `stored` what the server kept. */
  | { type: 'saved'; submitted: Definition; stored: Definition }
  | { type: 'section/add' }
  | { type: 'section/update'; s: number; patch: SectionPatch }
  | { type: 'section/move'; s: number; by: -1 | 1 }
  | { type: 'section/remove'; s: number }
  | { type: 'item/add'; s: number; t: number | null }
  | { type: 'item/update'; s: number; t: number | null; f: number; patch: FieldPatch }
  | { type: 'item/move'; s: number; t: number | null; f: number; by: -1 | 1 }
  | { type: 'item/remove'; s: number; t: number | null; f: number }
  | { type: 'table/add'; s: number }
  | { type: 'table/update'; s: number; t: number; patch: TablePatch }
  | { type: 'table/move'; s: number; t: number; by: -1 | 1 }
  | { type: 'table/remove'; s: number; t: number };

export function initialState(definition: Definition): BuilderState {
  return { definition, savedJson: JSON.stringify(definition), autoKeys: new Set(), focusId: null };
}

/** A copy with the patch applied; `undefined` (and empty rules) removes a property, keeping the JSON clean. */
function withPatch<T extends object>(obj: T, patch: object): T {
  const next = { ...obj } as Record<string, unknown>;
  for (const [k, given] of Object.entries(patch as Record<string, unknown>)) {
    let v = given;
    if (k === 'rules' && v)
      v = Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, r]) => r !== undefined));
    const empty =
      v === undefined || (k === 'help' && v === '') || (k === 'rules' && !!v && Object.keys(v as object).length === 0);
    if (empty) delete next[k];
    else next[k] = v;
  }
  return next as T;
}

function move<T>(list: readonly T[], i: number, by: number): T[] {
  const j = i + by;
  if (j < 0 || j >= list.length) return list as T[];
  const next = [...list];
  [next[i], next[j]] = [next[j]!, next[i]!];
  return next;
}

const replaceAt = <T>(list: readonly T[], i: number, item: T): T[] => list.map((x, k) => (k === i ? item : x));
const removeAt = <T>(list: readonly T[], i: number): T[] => list.filter((_, k) => k !== i);

function mapSection(def: Definition, s: number, fn: (section: Section) => Section): Definition {
  const section = def.sections[s];
  return section ? { ...def, sections: replaceAt(def.sections, s, fn(section)) } : def;
}

function mapTables(section: Section, fn: (tables: RepeatingTable[]) => RepeatingTable[]): Section {
  return withPatch(section, { tables: fn(section.tables ?? []) });
}

/** The fields of a section (t = null) or the columns of one of its tables, edited by `fn`. */
function mapItems(section: Section, t: number | null, fn: (items: Field[]) => Field[]): Section {
  if (t === null) return { ...section, fields: fn(section.fields) };
  return mapTables(section, (tables) =>
    tables.map((table, k) => (k === t ? { ...table, columns: fn(table.columns) } : table)),
  );
}

const itemsOf = (section: Section, t: number | null): Field[] =>
  t === null ? section.fields : (section.tables?.[t]?.columns ?? []);

/** Keys an item's key must differ from: fields and tables of a section share one JSON object. */
function siblingKeys(section: Section, t: number | null, exceptId: string): Set<string> {
  const items: { id: string; key: string }[] =
    t === null ? [...section.fields, ...(section.tables ?? [])] : itemsOf(section, t);
  return new Set(items.filter((i) => i.id !== exceptId).map((i) => i.key));
}

/** Rules, options, `multiple` and `searchable` that fit the (new) type; the rest is dropped rather than left invalid. */
export function fitToType(field: Field, inTable: boolean): Field {
  const allowed = new Set<string>(rulesOf(field.type, inTable));
  const rules = Object.fromEntries(Object.entries(field.rules ?? {}).filter(([k]) => allowed.has(k))) as Rules;
  return withPatch(field, {
    rules: Object.keys(rules).length ? rules : undefined,
    options: isChoiceType(field.type)
      ? field.options?.length
        ? field.options
        : [{ value: 'option_1', label: 'Option 1' }]
      : undefined,
    multiple: field.type === 'file' ? field.multiple : undefined,
    searchable: isSearchable(field.type) && !inTable ? field.searchable : undefined,
  });
}

/** Follows the label with the key while the key was never typed by hand. */
function autoKey<P extends { label?: LocalText; key?: string }>(
  state: BuilderState,
  id: string,
  currentKey: string,
  patch: P,
  taken: Set<string>,
) {
  let autoKeys = state.autoKeys;
  if (patch.key !== undefined && autoKeys.has(id)) {
    autoKeys = new Set(autoKeys);
    (autoKeys as Set<string>).delete(id);
  } else if (patch.label !== undefined && patch.key === undefined && autoKeys.has(id)) {
    patch = { ...patch, key: deriveKey(textIn(patch.label, undefined, undefined), taken) || currentKey };
  }
  return { patch, autoKeys };
}

const addAuto = (set: ReadonlySet<string>, id: string) => new Set(set).add(id);

function newField(label: string, taken: Set<string>): Field {
  return { id: newId('f'), key: deriveKey(label, taken), label, type: 'text' };
}

/** Removing a field clears the conditions that pointed at it (they would no longer validate). */
function dropDependents(fields: Field[], removedId: string): Field[] {
  return fields.map((f) =>
    typeof f.showIf !== 'string' && f.showIf?.field === removedId ? withPatch(f, { showIf: undefined }) : f,
  );
}

export function builderReducer(state: BuilderState, action: BuilderAction): BuilderState {
  const def = state.definition;
  const edit = (definition: Definition, extra: Partial<BuilderState> = {}): BuilderState => ({
    ...state,
    focusId: null,
    ...extra,
    definition,
  });
  switch (action.type) {
    case 'load':
      return { ...initialState(action.definition), autoKeys: action.keepAutoKeys ? state.autoKeys : new Set() };
    case 'saved':
      // Edits made while the save was in flight are kept (and stay unsaved); otherwise take the
      // stored copy, which is what the next plan and publish will see.
      if (state.definition !== action.submitted) return { ...state, savedJson: JSON.stringify(action.submitted) };
      return { ...state, definition: action.stored, savedJson: JSON.stringify(action.stored), focusId: null };
    case 'replace':
      return { ...state, definition: action.definition, autoKeys: new Set(), focusId: null };
    case 'section/add': {
      const taken = new Set(def.sections.map((s) => s.key));
      const label = freshLabel('Section', taken);
      const section: Section = { id: newId('s'), key: deriveKey(label, taken), label, fields: [] };
      return edit(
        { ...def, sections: [...def.sections, section] },
        { autoKeys: addAuto(state.autoKeys, section.id), focusId: section.id },
      );
    }
    case 'section/update': {
      const section = def.sections[action.s];
      if (!section) return state;
      const taken = new Set(def.sections.filter((x) => x.id !== section.id).map((x) => x.key));
      const { patch, autoKeys } = autoKey(state, section.id, section.key, action.patch, taken);
      return edit(
        mapSection(def, action.s, (s) => withPatch(s, patch)),
        { autoKeys },
      );
    }
    case 'section/move':
      return edit({ ...def, sections: move(def.sections, action.s, action.by) });
    case 'section/remove':
      return edit({ ...def, sections: removeAt(def.sections, action.s) });
    case 'item/add': {
      const section = def.sections[action.s];
      if (!section) return state;
      const taken = siblingKeys(section, action.t, '');
      const field = newField(freshLabel(action.t === null ? 'Field' : 'Column', taken), taken);
      return edit(
        mapSection(def, action.s, (s) => mapItems(s, action.t, (items) => [...items, field])),
        { autoKeys: addAuto(state.autoKeys, field.id), focusId: field.id },
      );
    }
    case 'item/update': {
      const section = def.sections[action.s];
      const field = section && itemsOf(section, action.t)[action.f];
      if (!section || !field) return state;
      const { patch, autoKeys } = autoKey(
        state,
        field.id,
        field.key,
        action.patch,
        siblingKeys(section, action.t, field.id),
      );
      let next = withPatch(field, patch);
      if (patch.type !== undefined && patch.type !== field.type) next = fitToType(next, action.t !== null);
      return edit(
        mapSection(def, action.s, (s) => mapItems(s, action.t, (items) => replaceAt(items, action.f, next))),
        { autoKeys },
      );
    }
    case 'item/move':
      return edit(mapSection(def, action.s, (s) => mapItems(s, action.t, (items) => move(items, action.f, action.by))));
    case 'item/remove': {
      const section = def.sections[action.s];
      const removed = section && itemsOf(section, action.t)[action.f];
      if (!removed) return state;
      return edit(
        mapSection(def, action.s, (s) =>
          mapItems(s, action.t, (items) => {
            const rest = removeAt(items, action.f);
            return action.t === null ? dropDependents(rest, removed.id) : rest;
          }),
        ),
      );
    }
    case 'table/add': {
      const section = def.sections[action.s];
      if (!section) return state;
      const taken = siblingKeys(section, null, '');
      const label = freshLabel('Table', taken);
      const column = newField('Column 1', new Set());
      const table: RepeatingTable = { id: newId('t'), key: deriveKey(label, taken), label, columns: [column] };
      return edit(
        mapSection(def, action.s, (s) => mapTables(s, (tables) => [...tables, table])),
        {
          autoKeys: addAuto(addAuto(state.autoKeys, table.id), column.id),
          focusId: table.id,
        },
      );
    }
    case 'table/update': {
      const section = def.sections[action.s];
      const table = section?.tables?.[action.t];
      if (!section || !table) return state;
      const { patch, autoKeys } = autoKey(
        state,
        table.id,
        table.key,
        action.patch,
        siblingKeys(section, null, table.id),
      );
      return edit(
        mapSection(def, action.s, (s) =>
          mapTables(s, (tables) => replaceAt(tables, action.t, withPatch(table, patch))),
        ),
        { autoKeys },
      );
    }
    case 'table/move':
      return edit(mapSection(def, action.s, (s) => mapTables(s, (tables) => move(tables, action.t, action.by))));
    case 'table/remove':
      return edit(mapSection(def, action.s, (s) => mapTables(s, (tables) => removeAt(tables, action.t))));
  }
}

/**
 * Checks that parsed JSON looks like a definition (sections of objects holding arrays) and gives
 * ids to items that have none, as the server would. Existing ids are kept untouched.
 */
export function adoptDefinition(raw: unknown): Definition {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(raw) || !Array.isArray(raw.sections))
    throw new Error('The definition must be an object with a "sections" array');
  const withId = (item: unknown, prefix: 'f' | 's' | 't', where: string): Record<string, unknown> => {
    if (!isObject(item)) throw new Error(`${where} must be an object`);
    return typeof item.id === 'string' ? item : { id: newId(prefix), ...item };
  };
  const sections = raw.sections.map((rawSection, si) => {
    const section = withId(rawSection, 's', `sections[${si}]`);
    if (section.fields !== undefined && !Array.isArray(section.fields))
      throw new Error(`sections[${si}].fields must be an array`);
    const fields = ((section.fields as unknown[]) ?? []).map((f, fi) =>
      withId(f, 'f', `sections[${si}].fields[${fi}]`),
    );
    let tables: Record<string, unknown>[] | undefined;
    if (section.tables !== undefined) {
      if (!Array.isArray(section.tables)) throw new Error(`sections[${si}].tables must be an array`);
      tables = section.tables.map((rawTable, ti) => {
        const table = withId(rawTable, 't', `sections[${si}].tables[${ti}]`);
        if (!Array.isArray(table.columns)) throw new Error(`sections[${si}].tables[${ti}].columns must be an array`);
        return {
          ...table,
          columns: table.columns.map((c, ci) => withId(c, 'f', `sections[${si}].tables[${ti}].columns[${ci}]`)),
        };
      });
    }
    return { ...section, fields, ...(tables ? { tables } : {}) };
  });
  return { ...raw, sections } as unknown as Definition;
}
