import type { ApiError, Definition } from './types';

/**
 * Server errors come with paths into the definition that was saved (`sections[1].tables[0]
 * .columns[3].rules.max`). They are resolved to item ids at once, so they stay next to the right
 * item even if the user reorders things before saving again.
 */

export interface ItemError {
  /** What inside the item: `key`, `rules.max`, `options[1].value`, or '' for the item itself. */
  part: string;
  message: string;
}

export interface LocatedError extends ApiError {
  /** Human description of the item: `Section "Main" › field "Village"`. */
  where: string;
  part: string;
  /** The item concerned, when the path resolves to one. */
  itemId: string | null;
}

export interface ErrorIndex {
  list: LocatedError[];
  /** By item id (section, field, table or column). Arrays are built once: rows can memoize on them. */
  byItem: ReadonlyMap<string, ItemError[]>;
  /** Section ids holding an error anywhere inside (their editors open to show it). */
  sections: ReadonlySet<string>;
}

export const NO_ERRORS: ErrorIndex = { list: [], byItem: new Map(), sections: new Set() };
export const NO_ITEM_ERRORS: ItemError[] = [];

const PATH = /^sections\[(\d+)\](?:\.(fields|tables)\[(\d+)\](?:\.columns\[(\d+)\])?)?(?:\.(.+))?$/;

export function indexErrors(definition: Definition, errors: ApiError[]): ErrorIndex {
  const byItem = new Map<string, ItemError[]>();
  const sections = new Set<string>();
  const list = errors.map((error): LocatedError => {
    const m = PATH.exec(error.path);
    const section = m ? definition.sections[Number(m[1])] : undefined;
    if (!m || !section) return { ...error, where: error.path ? error.path : 'Definition', part: '', itemId: null };
    sections.add(section.id);
    let id = section.id;
    let where = `Section "${section.label}"`;
    if (m[2] === 'fields') {
      const field = section.fields[Number(m[3])];
      if (field) {
        id = field.id;
        where += ` › field "${field.label}"`;
      }
    } else if (m[2] === 'tables') {
      const table = section.tables?.[Number(m[3])];
      if (table) {
        id = table.id;
        where += ` › table "${table.label}"`;
        const column = m[4] !== undefined ? table.columns[Number(m[4])] : undefined;
        if (column) {
          id = column.id;
          where += ` › column "${column.label}"`;
        }
      }
    }
    const part = m[5] ?? '';
    const entry = byItem.get(id) ?? [];
    entry.push({ part, message: error.message });
    byItem.set(id, entry);
    return { ...error, where, part, itemId: id };
  });
  return { list, byItem, sections };
}

/** Whether one of an item's errors concerns this part (`key`, or anything under `rules.`). */
export const hasPart = (errors: ItemError[], part: string) =>
  errors.some((e) => e.part === part || e.part.startsWith(`${part}.`) || e.part.startsWith(`${part}[`));
