/**
 * The list query parameters the panel's list tools read and write, shared by the browser (search
 * box, saved views) and the server (the resource adapter, the saved views service): one spelling.
 */

/**
 * The search box's filter key (`filters.$search=...`). `$` is in no column name (field keys are
 * letters, digits and underscores, and the naming module derives columns from them), so the key
 * never shadows a property's filter.
 */
export const SEARCH_FILTER = '$search';
/**
 * The chosen columns of a list, in order, comma-separated (`filters.$columns=id,email`). Kept among
 * the filters because AdminJS rebuilds the query from its own keys when the user sorts or pages,
 * and keeps `filters.*` only; the server drops it before the list runs (safe-list.feature.ts).
 */
export const COLUMNS_FILTER = '$columns';
/** Longest search text used; the rest is cut off (a search box, not a document). */
export const SEARCH_MAX = 200;

/** What a saved view keeps of a list's query: filters (with the search and the columns) and sort, never the page. */
export function isViewParam(key: string): boolean {
  return key.startsWith('filters.') || key === 'sortBy' || key === 'direction';
}

/** The part of a URL query a saved view keeps, in a stable order. */
export function viewQueryOf(search: string): Record<string, string> {
  const params = new URLSearchParams(search);
  const kept: [string, string][] = [];
  params.forEach((value, key) => {
    if (isViewParam(key) && value !== '') kept.push([key, value]);
  });
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(kept);
}

/**
 * How a list's total was found (the list action's `meta.totalKind`): counted, the planner's
 * estimate, or counted up to a cap and found larger (`total` is then the cap plus one).
 */
export type TotalKind = 'exact' | 'estimate' | 'atLeast';

/** A list's total as a person reads it: "1,204", "about 980,000", "more than 20,000". */
export function totalWords(total: number, kind: TotalKind | undefined): string {
  if (kind === 'atLeast') return `more than ${(total - 1).toLocaleString('en')}`;
  if (kind === 'estimate') return `about ${total.toLocaleString('en')}`;
  return total.toLocaleString('en');
}
