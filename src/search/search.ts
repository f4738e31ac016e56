import type { Knex } from 'knex';
import { SEARCH_MAX } from './list-query.js';

/**
 * List search (docs/search.md): what a search box's text matches in each list, as knex conditions
 * the admin resource adapter ORs together and ANDs with the user's scope, so a search only ever
 * narrows what the user may see. Submissions' answers are found through the GIN index on
 * `submissions.search_document` (migrations: gridbook_search_vector / gridbook_search_query).
 */

const INTEGER = /^\d{1,18}$/;
/** Email and text substrings shorter than this would match nearly everything: not looked up. */
export const MIN_SUBSTRING = 3;

export const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The search text as used: text PostgreSQL can hold, trimmed, at most SEARCH_MAX characters; null when empty. */
export function searchTerm(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replaceAll('\0', '').toWellFormed().trim().slice(0, SEARCH_MAX).trim();
  return text === '' ? null : text;
}

/** Whether the text has a word to look up in a search document (letters or digits). */
export const hasWords = (term: string) => /[\p{L}\p{N}]/u.test(term);
export const isIdLike = (term: string) => INTEGER.test(term);

/** One condition of a search, added to an OR group. */
export type SearchCondition = (qb: Knex.QueryBuilder) => void;

/** `column` contains the text, case-insensitively (small tables: users, grids, templates). */
export const containsText = (column: string, term: string): SearchCondition | null =>
  term.length ? (qb) => qb.orWhereRaw('??::text ILIKE ?', [column, `%${escapeLike(term)}%`]) : null;

/**
 * Ids in a small table (users, grids, templates) whose text columns contain the search text,
 * looked up first so the main statement carries them as values: the planner then knows how many
 * rows they stand for (with `= ANY (ARRAY(subquery))` it guesses, and once guessed "most rows" of a
 * million submissions, scanning them all instead of using the search index). Beyond REFERENCED_MAX
 * matches, the subquery form is used, and the ids are not sent.
 */
const REFERENCED_MAX = 1_000;

async function referencing(
  db: Knex,
  column: string,
  table: 'users' | 'grids' | 'templates',
  columns: [string, string],
  term: string,
): Promise<SearchCondition | null> {
  if (term.length < MIN_SUBSTRING) return null;
  const like = `%${escapeLike(term)}%`;
  const match = (qb: Knex.QueryBuilder) =>
    qb.whereRaw('?? ILIKE ? OR ?? ILIKE ?', [columns[0], like, columns[1], like]);
  const rows = (await db
    .withSchema('public')
    .from(table)
    .select('id')
    .where(match)
    .limit(REFERENCED_MAX + 1)) as { id: string }[];
  if (!rows.length) return null;
  if (rows.length <= REFERENCED_MAX)
    return (qb) =>
      qb.orWhereIn(
        column,
        rows.map((r) => r.id),
      );
  return (qb) => qb.orWhereIn(column, (sub) => sub.withSchema('public').from(table).select('id').where(match));
}

/** `column` references a user whose email or name contains the text. */
export const userMatches = (db: Knex, column: string, term: string) =>
  referencing(db, column, 'users', ['email', 'name'], term);
/** `column` references a grid whose title or slug contains the text. */
export const gridTitleMatches = (db: Knex, column: string, term: string) =>
  referencing(db, column, 'grids', ['title', 'slug'], term);
/** `column` references a template whose title or slug contains the text. */
export const templateTitleMatches = (db: Knex, column: string, term: string) =>
  referencing(db, column, 'templates', ['title', 'slug'], term);

/** `column` equals the text (an indexed column of a large table, where a substring would read every row). */
export const exactly =
  (column: string, term: string): SearchCondition =>
  (qb) =>
    qb.orWhere(column, term);

/**
 * What a submission's search matches: its id, its submitter's email or name, and the answers its
 * version marks searchable (the GIN-indexed search document, every word as a prefix). `table` is
 * the submissions table's name or alias in the query. `narrowTo`: one word of `term` the index is
 * read for, the whole term being checked on its rows (GridbookResource's rarest word).
 */
export async function submissionMatches(
  db: Knex,
  term: string,
  table: string,
  narrowTo?: string,
): Promise<SearchCondition[]> {
  const conditions: (SearchCondition | null)[] = [
    isIdLike(term) ? (qb) => qb.orWhere(`${table}.id`, term) : null,
    await userMatches(db, `${table}.submitted_by`, term),
    !hasWords(term)
      ? null
      : narrowTo === undefined
        ? (qb) => qb.orWhereRaw('??.search_document @@ public.gridbook_search_query(?)', [table, term])
        : // The index read for one word of the text; the whole text checked on those rows by
          // ts_match_vq (the function behind @@, which no index serves). The same rows.
          (qb) =>
            qb.orWhere((both) =>
              both
                .whereRaw('??.search_document @@ public.gridbook_search_query(?)', [table, narrowTo])
                .andWhereRaw('ts_match_vq(??.search_document, public.gridbook_search_query(?))', [table, term]),
            ),
  ];
  return conditions.filter((c): c is SearchCondition => c !== null);
}

/** ORs the conditions into one group; no condition at all matches nothing. */
export function whereAny(qb: Knex.QueryBuilder, conditions: (SearchCondition | null)[]): void {
  const applicable = conditions.filter((c): c is SearchCondition => c !== null);
  if (!applicable.length) {
    qb.whereRaw('false');
    return;
  }
  qb.where((group) => {
    for (const condition of applicable) condition(group);
  });
}
