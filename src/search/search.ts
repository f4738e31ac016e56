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

/** `column` references a user whose email or name contains the text (users are few; the ids go to an index). */
export const userMatches = (column: string, term: string): SearchCondition | null =>
  term.length >= MIN_SUBSTRING
    ? (qb) => qb.orWhereRaw('?? = ANY (ARRAY(SELECT u.id FROM public.users u WHERE u.email ILIKE ? OR u.name ILIKE ?))', [column, `%${escapeLike(term)}%`, `%${escapeLike(term)}%`])
    : null;

/** `column` equals the text (an indexed column of a large table, where a substring would read every row). */
export const exactly = (column: string, term: string): SearchCondition => (qb) => qb.orWhere(column, term);

/** `column` references a grid whose title or slug contains the text. */
export const gridTitleMatches = (column: string, term: string): SearchCondition | null =>
  term.length >= MIN_SUBSTRING
    ? (qb) => qb.orWhereRaw('?? = ANY (ARRAY(SELECT g.id FROM public.grids g WHERE g.title ILIKE ? OR g.slug ILIKE ?))', [column, `%${escapeLike(term)}%`, `%${escapeLike(term)}%`])
    : null;

/** `column` references a template whose title or slug contains the text. */
export const templateTitleMatches = (column: string, term: string): SearchCondition | null =>
  term.length >= MIN_SUBSTRING
    ? (qb) => qb.orWhereRaw('?? = ANY (ARRAY(SELECT t.id FROM public.templates t WHERE t.title ILIKE ? OR t.slug ILIKE ?))', [column, `%${escapeLike(term)}%`, `%${escapeLike(term)}%`])
    : null;

/**
 * What a submission's search matches: its id, its submitter's email or name, and the answers its
 * version marks searchable (the GIN-indexed search document, every word as a prefix). `table` is
 * the submissions table's name or alias in the query.
 */
export function submissionMatches(term: string, table: string): SearchCondition[] {
  const conditions: (SearchCondition | null)[] = [
    isIdLike(term) ? (qb) => qb.orWhere(`${table}.id`, term) : null,
    userMatches(`${table}.submitted_by`, term),
    hasWords(term) ? (qb) => qb.orWhereRaw('??.search_document @@ public.gridbook_search_query(?)', [table, term]) : null,
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
