import { Resource, type ResourceMetadata } from '@adminjs/sql';
import { BaseRecord, type ActionContext, type Filter, type ParamsType } from 'adminjs';
import type { Knex } from 'knex';
import type { ServiceContext } from '../../src/context.js';
import { ForbiddenError } from '../../src/errors/app-error.js';
import { asAdminUser, serviceContextOf, type AdminUser } from '../admin-user.js';
import { toAdminValidationError } from '../errors.js';
import type { ColumnProperty } from './introspect.js';
import { SEARCH_FILTER, type TotalKind } from '../../src/search/list-query.js';
import {
  containsText,
  escapeLike,
  hasWords,
  isIdLike,
  searchTerm,
  whereAny,
  type SearchCondition,
} from '../../src/search/search.js';

/** Restricts the rows an admin user may see: a function adding WHERE clauses, or 'none'. */
export type RowScope = (user: AdminUser) => ((qb: Knex.QueryBuilder) => void) | 'all' | 'none';

/**
 * Writes go through the domain services (validation, permissions, audit in one transaction),
 * never straight to the table. A resource without a writer is read-only.
 */
export interface ResourceWriter {
  create?(ctx: ServiceContext, params: Record<string, unknown>): Promise<string>;
  update?(ctx: ServiceContext, id: string, params: Record<string, unknown>): Promise<void>;
  delete?(ctx: ServiceContext, id: string): Promise<void>;
  /** Service field names to column names, to show validation errors under the right field. */
  fieldMap?: Record<string, string>;
}

export interface ResourceSpec {
  /** AdminJS resource id; unique across schemas (the bare table name is not). */
  id: string;
  scope?: RowScope;
  /** Filters applied to lists unless the user filters on that property (soft-deleted rows hidden). */
  defaultFilters?: Record<string, string | boolean>;
  writer?: ResourceWriter;
  /** What the list's search box matches besides the id (docs/search.md). */
  search?: SearchSpec;
  /**
   * Large columns read for one record (show, edit, record actions) but not for lists, bulk actions
   * or the references other lists populate: a template's definition runs to hundreds of kB, and a
   * list of 20 submissions would carry it 20 times (AdminJS sends every param of a listed record).
   */
  detailOnly?: string[];
  /**
   * Integer columns stored from 0 that people count from 1 (a repeating table's row, shown as
   * row 1, 2, ...): a filter typed on them is read as people count, one less is looked for.
   */
  countedFromOne?: string[];
}

/**
 * A list's search: the id always (an exact match), the `text` columns by substring, and `more`
 * conditions (references by a user's email, submissions' indexed answers); ORed together, within
 * the user's scope.
 */
export interface SearchSpec {
  /** What people may type besides an id, in their words: the search box's placeholder ("email or name"). */
  hint: string;
  text?: string[];
  /**
   * A large table (submissions, form data): searched newest rows first, then on the search index
   * (see `findSearching`). `columns`: hidden columns the conditions read (the search document).
   */
  large?: {
    columns?: string[];
    /**
     * The tsvector column (one of `columns`) the search index holds, searched with
     * `gridbook_search_query`: for a text of several words that the newest rows do not hold, the
     * index is read for the rarest word among them only (see `rarestWord`).
     */
    document?: string;
  };
  /**
   * `narrowTo`: a word of `term` whose matches the search index reads, the whole term then being
   * checked on those rows only (same rows, without reading the index entries of a common word).
   */
  more?: (
    term: string,
    db: Knex,
    narrowTo?: string,
  ) => Promise<(SearchCondition | null)[]> | (SearchCondition | null)[];
}

type SortOptions = { sortBy?: string; direction?: 'asc' | 'desc' };
/**
 * Keyset navigation: the page right after (`next`) or right before (`prev`) the row a cursor
 * names, in the list's order, read from the index at the cursor's position instead of counting
 * `offset` rows from the start. A cursor comes from cursorsOf() on an earlier page.
 */
export type Keyset = { towards: 'next' | 'prev'; cursor: string };
type FindOptions = { limit?: number; offset?: number; sort?: SortOptions; keyset?: Keyset };
/** A decoded cursor: the sort it was made for, the row's sort value (as PostgreSQL prints it) and key. */
type CursorKey = { s: string; d: 'asc' | 'desc'; v: string | null; id: string };
/** The column alias the row's sort value travels under, from SQL to the cursor (never to the client). */
const SORT_KEY = 'gridbook_sort_key';

const INTEGER = /^-?\d{1,18}$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** Rows per page at most, whatever perPage asks for. */
const MAX_PAGE = 500;
/**
 * Lists whose planner estimate is above this show the estimate as their total instead of counting:
 * an exact count(*) reads every matching row (58 ms at 1,000,000 submissions), on every page view.
 * Below it (and always when the estimate says "few"), the count is exact.
 */
export const EXACT_COUNT_LIMIT = 20_000;
/** A list's total is counted, estimated, or counted up to EXACT_COUNT_LIMIT + 1 rows (`atLeast`). */
export type { TotalKind } from '../../src/search/list-query.js';
/**
 * A search of a large list first reads the newest rows in key order, at most this many; a page
 * found among them is the answer (cheap, and the planner's guess at how many rows a text search
 * matches cannot lead it astray). Fewer matches than a page there means the text is rare: the
 * search index finds them all (a bitmap scan, whose cost follows the matches, not the table).
 */
export const SEARCH_WINDOW = 10_000;
/** From this offset on, a page's keys are found on the key's index alone before its rows are read. */
const DEFERRED_JOIN_OFFSET = 1_000;
/** A date or date-time PostgreSQL can hold (years 0001 to 9999) that JavaScript can read. */
const storableDate = (v: string) => /^(?!0000)\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An @adminjs/sql resource made safe for a back-office:
 * - it only ever selects the columns it exposes (secret columns are left out of the metadata, so no
 *   response, list, show or populated reference can carry them, and no sort or filter can name them);
 * - sort and filter parameters are checked against the exposed properties and typed, so a bad value
 *   narrows the list instead of answering 500;
 * - rows are scoped to what the signed-in user may see, in lists, counts, shows and references;
 * - writes go through domain services.
 */
export class GridbookResource extends Resource {
  private readonly db: Knex;
  private readonly schema: string | null;
  private readonly table: string;
  private readonly pk: string;
  private readonly columns: string[];
  /** columns without spec.detailOnly: what lists and findMany select. */
  private readonly listColumns: string[];
  private readonly propsByPath: Map<string, ColumnProperty>;
  /** Each listed record's position in its list's order, for cursorsOf(). */
  private readonly positions = new WeakMap<BaseRecord, CursorKey>();
  /** How the last search with a given filter found its page (AdminJS counts with the same filter). */
  private readonly searchDensity = new WeakMap<Filter, 'dense' | 'sparse'>();
  /** What the last count() with a given filter gave (see totalKindOf). */
  private readonly totalKinds = new WeakMap<Filter, TotalKind>();
  /** The word of a search the index is read for (see rarestWord), by filter: the count reads the same. */
  private readonly searchNarrow = new WeakMap<Filter, string>();
  /** A search's total known from its first page (fewer rows than a page): no count needed. */
  private readonly knownTotals = new WeakMap<Filter, number>();

  constructor(
    metadata: ResourceMetadata,
    private readonly spec: ResourceSpec,
  ) {
    super(metadata);
    this.db = metadata.knex;
    this.schema = metadata.schemaName;
    this.table = metadata.tableName;
    this.pk = metadata.idProperty.path();
    this.propsByPath = new Map(metadata.properties.map((p) => [p.path(), p as ColumnProperty]));
    this.columns = [...this.propsByPath.keys()];
    this.listColumns = this.columns.filter((c) => !spec.detailOnly?.includes(c));
  }

  override id(): string {
    return this.spec.id;
  }

  /** The search box's placeholder: an id always, then what the resource's search spec matches. */
  searchHint(): string {
    return this.spec.search ? `Search by id, ${this.spec.search.hint}` : 'Search by id';
  }

  override async count(filter: Filter, context?: ActionContext): Promise<number> {
    const known = this.knownTotals.get(filter);
    if (known !== undefined) {
      this.totalKinds.set(filter, 'exact');
      return known;
    }
    const q = this.scoped(context);
    if (!q) return 0;
    await this.applyFilters(q, filter);
    const density = this.searchDensity.get(filter);
    // A rare search text: counted on the search index (up to the cap). A common one: estimated.
    if (density === 'sparse') return this.countCapped(filter, q, true);
    const estimate = await this.estimateRows(q.clone().select(this.db.raw('1')));
    if (density === 'dense' || estimate > EXACT_COUNT_LIMIT) {
      this.totalKinds.set(filter, 'estimate');
      return density === 'dense' ? Math.max(estimate, SEARCH_WINDOW) : estimate;
    }
    return this.countCapped(filter, q, false);
  }

  /**
   * Counts the rows of `q`, stopping at EXACT_COUNT_LIMIT + 1: an estimate that says "few" can be
   * wrong (no statistics yet after a bulk load, a value the sample missed), and a count of every
   * match would then read most of a large table on each page view (800,000 rows of a status at a
   * million submissions: most of a second). Past the limit the total is "more than
   * EXACT_COUNT_LIMIT" (TotalKind `atLeast`).
   */
  private async countCapped(filter: Filter, q: Knex.QueryBuilder, onIndex: boolean): Promise<number> {
    const capped = this.db
      .from(
        q
          .clone()
          .select(this.db.raw('1'))
          .limit(EXACT_COUNT_LIMIT + 1)
          .as('gridbook_capped'),
      )
      .count<{ n: string }[]>({ n: '*' });
    const [row] = onIndex ? await this.indexFirst<{ n: string }[]>(capped) : await capped;
    const n = Number(row?.n ?? 0);
    this.totalKinds.set(filter, n > EXACT_COUNT_LIMIT ? 'atLeast' : 'exact');
    return n;
  }

  /** What count() gave for this filter: exact, an estimate, or "at least" (undefined before a count). */
  totalKindOf(filter: Filter): TotalKind | undefined {
    return this.totalKinds.get(filter);
  }

  /** The planner's estimate of the rows a query returns (statistics kept by autovacuum/ANALYZE). */
  private async estimateRows(q: Knex.QueryBuilder): Promise<number> {
    const { sql, bindings } = q.toSQL();
    const result = await this.db.raw<{ rows: Record<string, unknown>[] }>(`EXPLAIN (FORMAT JSON) ${sql}`, bindings);
    const plan = (result.rows[0]?.['QUERY PLAN'] as { Plan: { 'Plan Rows': number } }[] | undefined)?.[0]?.Plan;
    return Math.round(plan?.['Plan Rows'] ?? 0);
  }

  override async find(filter: Filter, options: FindOptions, context?: ActionContext): Promise<BaseRecord[]> {
    const q = this.scoped(context);
    if (!q) return [];
    await this.applyFilters(q, filter);
    const sortBy = options.sort?.sortBy;
    const direction = options.sort?.direction === 'desc' ? 'desc' : 'asc';
    const sortProp = sortBy ? this.propsByPath.get(sortBy) : undefined;
    // The column the list is sorted on before the key, if it is not the key itself.
    const sortColumn = sortProp?.isSortable() && sortProp.path() !== this.pk ? sortProp.path() : null;
    const sortDir = direction;
    const pkDir = sortColumn ? 'asc' : direction;
    const flip = (d: 'asc' | 'desc') => (d === 'asc' ? 'desc' : 'asc');
    // Pages come from the query string: a negative or huge page must not reach SQL as it is.
    const limit = Math.min(Math.max(Math.trunc(Number(options.limit) || 0), 0), MAX_PAGE);
    const from = options.keyset ? this.decodeCursor(options.keyset.cursor, sortColumn ?? this.pk, direction) : null;
    // A page before a cursor is read in the reverse order from the cursor on, then turned round.
    const backwards = from !== null && options.keyset?.towards === 'prev';
    const order = (qb: Knex.QueryBuilder, prefix = '') => {
      if (sortColumn) qb.orderBy(prefix + sortColumn, backwards ? flip(sortDir) : sortDir);
      qb.orderBy(prefix + this.pk, backwards ? flip(pkDir) : pkDir);
    };
    const offset = from ? 0 : Math.max(Math.trunc(Number(options.offset) || 0), 0);
    const page = (qb: Knex.QueryBuilder) => {
      if (limit) qb.limit(limit);
      if (offset) qb.offset(offset);
      return qb;
    };
    const after = (qb: Knex.QueryBuilder) => {
      if (from)
        this.whereAfter(qb, sortColumn, backwards ? flip(sortDir) : sortDir, backwards ? flip(pkDir) : pkDir, from);
    };
    after(q);
    const sortKey = (prefix = '') =>
      sortColumn ? [this.db.raw('??::text AS ??', [prefix + sortColumn, SORT_KEY])] : [];
    let rows: ParamsType[];
    const term = this.spec.search?.large ? searchTerm(filter.filters?.[SEARCH_FILTER]?.value) : null;
    if (term !== null) {
      rows = await this.findSearching(
        filter,
        q,
        {
          limit,
          offset,
          byKeyDesc: !from && (!sortProp || sortProp.path() === this.pk) && direction === 'desc',
          first: !from && offset === 0,
          page,
          order,
          again: async () => {
            const fresh = this.scoped(context)!;
            await this.applyFilters(fresh, filter);
            after(fresh);
            // Wrapped: a query builder is a thenable, which an async function would run.
            return { query: fresh };
          },
        },
        context,
      );
    } else if (offset >= DEFERRED_JOIN_OFFSET) {
      // Deep pages: skip `offset` rows reading only the keys (an index-only scan where the order
      // is the key's), then read the page's rows. Same rows and order as the plain query.
      const keys = page(q.clone().select(this.pk));
      order(keys);
      const base = this.schema ? this.db(this.table).withSchema(this.schema) : this.db(this.table);
      const main = base
        .select([...this.listColumns.map((c) => `${this.table}.${c}`), ...sortKey(`${this.table}.`)])
        .join(keys.as('gridbook_page'), `${this.table}.${this.pk}`, `gridbook_page.${this.pk}`);
      order(main, `${this.table}.`);
      rows = (await main) as ParamsType[];
    } else {
      const plain = page(q.select([...this.listColumns, ...sortKey()]));
      order(plain);
      rows = (await plain) as ParamsType[];
    }
    if (backwards) rows.reverse();
    return rows.map((row) => {
      const { [SORT_KEY]: key, ...params } = row;
      const record = new BaseRecord(params, this);
      // Rows read without their sort value (a search) give no cursor: the list pages by number.
      if (!sortColumn || SORT_KEY in row)
        this.positions.set(record, {
          s: sortColumn ?? this.pk,
          d: direction,
          v: sortColumn ? ((key as string | null) ?? null) : null,
          id: String(params[this.pk]),
        });
      return record;
    });
  }

  /**
   * The cursors of a page this resource's find() listed: `prev` (its first row) and `next` (its
   * last row), for find()'s `keyset` option. Opaque to the client; checked again when they return.
   */
  cursorsOf(records: BaseRecord[]): { prev: string | null; next: string | null } {
    const encode = (r: BaseRecord | undefined) => {
      const key = r && this.positions.get(r);
      return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
    };
    return { prev: encode(records[0]), next: encode(records.at(-1)) };
  }

  /** A cursor from the query string, if it is well formed and made for this sort; null otherwise. */
  private decodeCursor(cursor: string, sortedOn: string, direction: 'asc' | 'desc'): CursorKey | null {
    if (typeof cursor !== 'string' || cursor.length > 2_000) return null;
    let key: Partial<CursorKey>;
    try {
      key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorKey>;
    } catch {
      return null;
    }
    if (!key || typeof key !== 'object' || key.s !== sortedOn || key.d !== direction) return null;
    if (typeof key.id !== 'string' || !this.validId(key.id)) return null;
    if (sortedOn === this.pk) return { s: sortedOn, d: direction, v: null, id: key.id };
    const v = key.v;
    if (v !== null && (typeof v !== 'string' || !this.validKeyValue(this.propsByPath.get(sortedOn)!, v))) return null;
    return { s: sortedOn, d: direction, v, id: key.id };
  }

  /** Whether `value` (a sort value as PostgreSQL prints it) can be compared with the column as a parameter. */
  private validKeyValue(property: ColumnProperty, value: string): boolean {
    if (value.length > 1_000 || value.includes('\0') || !value.isWellFormed()) return false;
    switch (property.type()) {
      case 'number':
      case 'reference':
        return INTEGER.test(value);
      case 'float':
      case 'currency':
        return /^(-?\d+(\.\d+)?(e[+-]?\d+)?|-?Infinity|NaN)$/i.test(value);
      case 'boolean':
        return value === 'true' || value === 'false';
      case 'uuid':
        return UUID.test(value);
      case 'date':
      case 'datetime':
        return (
          /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2}){0,2})?)?$/.test(value) &&
          storableDate(value)
        );
      default:
        return true;
    }
  }

  /**
   * Rows after `from` in the order (sortColumn sortDir, pk pkDir), with PostgreSQL's NULL
   * placement (NULLs last ascending, first descending: as if greater than every value). The value
   * is compared as a parameter, which PostgreSQL reads as the column's type.
   */
  private whereAfter(
    q: Knex.QueryBuilder,
    sortColumn: string | null,
    sortDir: 'asc' | 'desc',
    pkDir: 'asc' | 'desc',
    from: CursorKey,
  ): void {
    const pkAfter = pkDir === 'asc' ? '>' : '<';
    if (!sortColumn) {
      q.where(this.pk, pkAfter, from.id);
      return;
    }
    const v = from.v;
    q.where((w) => {
      if (v === null) {
        if (sortDir === 'asc') w.whereNull(sortColumn).andWhere(this.pk, pkAfter, from.id);
        else w.whereNotNull(sortColumn).orWhere((b) => b.whereNull(sortColumn).andWhere(this.pk, pkAfter, from.id));
      } else if (sortDir === 'asc') {
        w.where(sortColumn, '>', v)
          .orWhereNull(sortColumn)
          .orWhere((b) => b.where(sortColumn, v).andWhere(this.pk, pkAfter, from.id));
      } else {
        // Descending, NULLs come first: none is after a value. `<=` lets the index start at the cursor.
        w.where(sortColumn, '<=', v).andWhere((b) => b.where(sortColumn, '<', v).orWhere(this.pk, pkAfter, from.id));
      }
    });
  }

  /**
   * A search of a large list, newest first (SEARCH_WINDOW): the page among the newest rows when it
   * is full there, else the whole list's matches through the search index (for the rarest word
   * of the text only, when the newest rows show one: see rarestWord). A short first page is the
   * whole answer: its length is the total, and count() runs no statement.
   * `again`: the list's query built anew (filters, search, cursor), once the word to read is known.
   */
  private async findSearching(
    filter: Filter,
    q: Knex.QueryBuilder,
    how: {
      limit: number;
      offset: number;
      byKeyDesc: boolean;
      /** The list's first page (no offset, no cursor): a short one holds every match. */
      first: boolean;
      page: (qb: Knex.QueryBuilder) => Knex.QueryBuilder;
      order: (qb: Knex.QueryBuilder) => void;
      again: () => Promise<{ query: Knex.QueryBuilder }>;
    },
    context?: ActionContext,
  ): Promise<ParamsType[]> {
    let query = q;
    if (how.byKeyDesc && how.limit && how.offset + how.limit <= SEARCH_WINDOW) {
      const newest = this.scoped(context)!;
      await this.applyFilters(newest, filter, false);
      newest
        .select([...this.listColumns, ...(this.spec.search?.large?.columns ?? [])])
        .orderBy(this.pk, 'desc')
        .limit(SEARCH_WINDOW);
      // The subquery keeps the table's name, so the search conditions read its columns as written.
      const within = this.db.from(newest.as(this.table)).select(this.listColumns.map((c) => `${this.table}.${c}`));
      await this.applySearch(within, filter.filters[SEARCH_FILTER]!.value);
      const rows = (await how.page(within.orderBy(`${this.table}.${this.pk}`, 'desc'))) as ParamsType[];
      if (rows.length === how.limit) {
        this.searchDensity.set(filter, 'dense');
        return rows;
      }
      const word = await this.rarestWord(filter, context);
      if (word !== null) {
        this.searchNarrow.set(filter, word);
        query = (await how.again()).query;
      }
    }
    this.searchDensity.set(filter, 'sparse');
    const plain = how.page(query.select(this.listColumns));
    how.order(plain);
    const rows = (await this.indexFirst(plain)) as ParamsType[];
    if (how.first && how.limit && rows.length < how.limit) this.knownTotals.set(filter, rows.length);
    return rows;
  }

  /**
   * For a search text of several words, the word the search index should be read for: the one
   * the newest rows (SEARCH_WINDOW) hold least often, when another word is more frequent there.
   * The index's entries for a word every row holds run to the whole table (tens of milliseconds
   * at a million rows, read for every search that includes it); its rarest word's are few, and
   * the whole text is then checked on those rows alone. Words are whitespace-separated, as the
   * search document's parser separates them, so the rarest word's matches hold every match of the
   * text. Null when there is nothing to gain (one word, or all equally frequent).
   */
  private async rarestWord(filter: Filter, context?: ActionContext): Promise<string | null> {
    const column = this.spec.search?.large?.document;
    const term = searchTerm(filter.filters?.[SEARCH_FILTER]?.value);
    if (!column || term === null) return null;
    const words = [...new Set(term.split(/\s+/).filter(hasWords))];
    if (words.length < 2) return null;
    const newest = this.scoped(context)!;
    await this.applyFilters(newest, filter, false);
    newest.select(column).orderBy(this.pk, 'desc').limit(SEARCH_WINDOW);
    const [row] = (await this.db.from(newest.as('gridbook_window')).select(
      words.flatMap((w, i) => [
        this.db.raw('count(*) FILTER (WHERE ?? @@ public.gridbook_search_query(?)) AS ??', [
          `gridbook_window.${column}`,
          w,
          `w${i}`,
        ]),
        // A word with no lexeme matches nothing: it must never be the one read.
        this.db.raw('numnode(public.gridbook_search_query(?)) > 0 AS ??', [w, `l${i}`]),
      ]),
    )) as Record<string, string | boolean>[];
    const counts = words.map((_, i) => (row?.[`l${i}`] === true ? Number(row[`w${i}`] ?? 0) : Infinity));
    let rarest = 0;
    for (let i = 1; i < counts.length; i++) if (counts[i]! < counts[rarest]!) rarest = i;
    return counts[rarest]! < Math.max(...counts) ? words[rarest]! : null;
  }

  /**
   * Runs a search statement on bitmap scans (the search index among them): plain index scans and
   * sequential scans off, so the planner cannot walk the key's index or the table hoping to meet
   * matches early (its estimate for a text search is a fixed guess, and at a million rows a rare
   * text then costs a full scan). Only rare texts come here, so the bitmaps are small. A scan
   * with no alternative still runs (disabling only makes it costly). SET LOCAL lasts until the
   * end of this transaction.
   */
  private async indexFirst<T>(statement: Knex.QueryBuilder): Promise<T> {
    return this.db.transaction(async (trx) => {
      await trx.raw('SET LOCAL enable_indexscan = off');
      await trx.raw('SET LOCAL enable_seqscan = off');
      return (await statement.transacting(trx)) as T;
    });
  }

  override async findOne(id: string, context?: ActionContext): Promise<BaseRecord | null> {
    if (!this.validId(id)) return null;
    const q = this.scoped(context);
    if (!q) return null;
    const [row] = (await q.select(this.columns).where(this.pk, id).limit(1)) as ParamsType[];
    return row ? new BaseRecord(row, this) : null;
  }

  override async findMany(ids: (string | number)[], context?: ActionContext): Promise<BaseRecord[]> {
    const valid = ids.map(String).filter((id) => this.validId(id));
    if (valid.length === 0) return [];
    const q = this.scoped(context);
    if (!q) return [];
    const rows = (await q.select(this.listColumns).whereIn(this.pk, valid)) as ParamsType[];
    return rows.map((row) => new BaseRecord(row, this));
  }

  override async create(params: Record<string, unknown>, context?: ActionContext): Promise<ParamsType> {
    const writer = this.spec.writer;
    if (!writer?.create) throw toAdminValidationError(new ForbiddenError('This resource is read-only'));
    try {
      const id = await writer.create(serviceContextOf(context?.currentAdmin), params);
      return (await this.findOne(id, context))?.params ?? { [this.pk]: id };
    } catch (error) {
      throw toAdminValidationError(error, writer.fieldMap);
    }
  }

  override async update(id: string, params: Record<string, unknown>, context?: ActionContext): Promise<ParamsType> {
    const writer = this.spec.writer;
    if (!writer?.update) throw toAdminValidationError(new ForbiddenError('This resource is read-only'));
    try {
      await writer.update(serviceContextOf(context?.currentAdmin), id, params);
      return (await this.findOne(id, context))?.params ?? params;
    } catch (error) {
      throw toAdminValidationError(error, writer.fieldMap);
    }
  }

  override async delete(id: string, context?: ActionContext): Promise<void> {
    const writer = this.spec.writer;
    if (!writer?.delete) throw toAdminValidationError(new ForbiddenError('This resource is read-only'));
    try {
      await writer.delete(serviceContextOf(context?.currentAdmin), id);
    } catch (error) {
      throw toAdminValidationError(error, writer.fieldMap);
    }
  }

  /** A query on this table restricted to the rows the current user may see, or null for none. */
  private scoped(context?: ActionContext): Knex.QueryBuilder | null {
    const base = this.schema ? this.db(this.table).withSchema(this.schema) : this.db(this.table);
    if (!this.spec.scope) return base;
    const user = asAdminUser(context?.currentAdmin);
    // Without a signed-in user (AdminJS internals populating references) nothing is visible.
    if (!user) return null;
    const scope = this.spec.scope(user);
    if (scope === 'none') return null;
    if (scope !== 'all') base.where(scope);
    return base;
  }

  private validId(id: string): boolean {
    const type = this.propsByPath.get(this.pk)?.type();
    if (type === 'number') return INTEGER.test(id);
    if (type === 'uuid') return UUID.test(id);
    return id.length > 0 && id.length <= 200;
  }

  private async applyFilters(q: Knex.QueryBuilder, filter?: Filter, withSearch = true): Promise<void> {
    const filters = filter?.filters ?? {};
    for (const [path, value] of Object.entries(this.spec.defaultFilters ?? {})) {
      if (!(path in filters)) q.where(path, value);
    }
    const search = filters[SEARCH_FILTER];
    if (search && withSearch && filter) await this.applySearch(q, search.value, this.searchNarrow.get(filter));
    for (const [path, entry] of Object.entries(filters)) {
      // Hidden or unknown properties are ignored: they are not part of this resource.
      const property = this.propsByPath.get(path);
      if (!property) continue;
      this.applyFilter(q, property, entry.value);
    }
  }

  /** The search box: an OR of what this list's search matches, ANDed with the scope and the filters. */
  private async applySearch(q: Knex.QueryBuilder, value: unknown, narrowTo?: string): Promise<void> {
    const term = searchTerm(value);
    if (term === null) return;
    // The key as typed: a number (a bigint key, or a reference as form data rows have), a uuid, or text.
    const pkType = this.propsByPath.get(this.pk)?.type();
    const idLike = pkType === 'uuid' ? UUID.test(term) : pkType === 'string' ? true : isIdLike(term);
    const idMatch: SearchCondition | null = idLike
      ? (qb) => {
          qb.orWhere(`${this.table}.${this.pk}`, term);
        }
      : null;
    const spec: Partial<SearchSpec> = this.spec.search ?? {};
    const text = (spec.text ?? [])
      .filter((c) => this.propsByPath.has(c))
      .map((c) => containsText(`${this.table}.${c}`, term));
    whereAny(q, [idMatch, ...text, ...((await spec.more?.(term, this.db, narrowTo)) ?? [])]);
  }

  private applyFilter(q: Knex.QueryBuilder, property: ColumnProperty, value: unknown): void {
    const column = property.path();
    const type = property.type();
    if (value !== null && typeof value === 'object') {
      const { from, to } = value as { from?: string; to?: string };
      if (type !== 'date' && type !== 'datetime' && type !== 'number' && type !== 'float') return;
      const valid = (v?: string) =>
        typeof v === 'string' &&
        v !== '' &&
        (type === 'number' || type === 'float' ? DECIMAL.test(v) : storableDate(v));
      if (valid(from)) q.where(column, '>=', this.asStored(column, from!));
      if (valid(to)) q.where(column, '<=', this.asStored(column, to!));
      return;
    }
    // Text PostgreSQL can hold: no NUL, no unpaired surrogate (a filter typed or pasted by anyone).
    const text = String(value).replaceAll('\0', '').toWellFormed();
    if (property.isArray()) {
      q.whereRaw('? = ANY (??)', [text, column]);
      return;
    }
    switch (type) {
      case 'number':
      case 'reference':
        if (INTEGER.test(text)) q.where(column, this.asStored(column, text));
        else q.whereRaw('false');
        return;
      case 'float':
      case 'currency':
        if (DECIMAL.test(text)) q.where(column, text);
        else q.whereRaw('false');
        return;
      case 'boolean':
        if (text === 'true' || text === 'false') q.where(column, text === 'true');
        return;
      case 'uuid':
        if (UUID.test(text)) q.where(column, text);
        else q.whereRaw('false');
        return;
      case 'date':
      case 'datetime':
        if (storableDate(text)) q.where(column, text);
        else q.whereRaw('false');
        return;
      case 'mixed':
      case 'key-value':
        return;
      default:
        if (property.availableValues()) q.where(column, text);
        else q.whereRaw('??::text ILIKE ?', [column, `%${escapeLike(text)}%`]);
    }
  }

  /** A number typed in a filter as the column stores it (see ResourceSpec.countedFromOne). */
  private asStored(column: string, typed: string): string | number {
    if (!this.spec.countedFromOne?.includes(column)) return typed;
    return Number(typed) - 1;
  }
}
