import {
  buildFeature,
  Filter,
  populator,
  SortSetter,
  type ActionContext,
  type ActionRequest,
  type BaseRecord,
  type FeatureType,
} from 'adminjs';
import type { Keyset, TotalKind } from '../adapter/gridbook-resource.js';

/**
 * Pages up to this one are reached by number (OFFSET, with the adapter's deferred join past 1,000
 * rows); past it the list moves by next and previous, each carrying a cursor (the key and sort
 * value of the row it moves from), so page 20,000 costs what page 1 costs. The list component
 * (admin/components/keyset-list.tsx, inside every list's tools: list-tools/index.tsx) shows numbers up to here and next/previous beyond.
 */
export const KEYSET_DEPTH_PAGES = 50;
/** Rows per page at most, as AdminJS's own list action. */
const PER_PAGE_LIMIT = 500;

/** What the search box of a resource's list says (GridbookResource.searchHint()). */
export const searchHintOf = (resource: unknown): string =>
  typeof (resource as { searchHint?: unknown }).searchHint === 'function'
    ? (resource as { searchHint(): string }).searchHint()
    : 'Search';

/** A resource that can hand out cursors (GridbookResource). */
interface KeysetResource {
  cursorsOf(records: BaseRecord[]): { prev: string | null; next: string | null };
  totalKindOf(filter: Filter): TotalKind | undefined;
}
const hasCursors = (resource: unknown): resource is KeysetResource =>
  typeof (resource as Partial<KeysetResource>).cursorsOf === 'function';

/**
 * AdminJS's list action with keyset navigation: the same query parameters and answer, plus
 * `after=<cursor>` / `before=<cursor>` (honoured past KEYSET_DEPTH_PAGES, when made for the same
 * sort; otherwise the page number counts) and `meta.cursors` ({ prev, next } of the page),
 * `meta.keysetDepth` and `meta.totalKind` (TotalKind: whether `total` is exact, an estimate, or
 * "more than" a count that stopped at its limit) in the answer.
 */
export function keysetListFeature(searchHint: string): FeatureType {
  return buildFeature({
    actions: {
      list: {
        // The list tools' search box reads it (admin/components/list-tools/search-box.tsx).
        custom: { searchHint },
        handler: async (request: ActionRequest, _response: unknown, context: ActionContext) => {
          const query: Record<string, unknown> = request.query ?? {};
          // Filters arrive flat (`filters.<property>`, ranges as `filters.<property>~~from`); column names have no dots.
          const filters = Object.fromEntries(
            Object.entries(query)
              .filter(([k]) => k.startsWith('filters.'))
              .map(([k, v]) => [k.slice('filters.'.length), v]),
          );
          const { resource, _admin, currentAdmin } = context;
          const perPageAsked = Number(query.perPage);
          const perPage =
            perPageAsked > 0
              ? Math.min(Math.trunc(perPageAsked), PER_PAGE_LIMIT)
              : (_admin.options.settings?.defaultPerPage ?? 10);
          const page = Math.max(Math.trunc(Number(query.page)) || 1, 1);
          const firstSortable = resource
            .decorate()
            .getListProperties()
            .find((p) => p.isSortable());
          const sort = firstSortable
            ? SortSetter(
                {
                  sortBy: query.sortBy as string | undefined,
                  direction: query.direction as 'asc' | 'desc' | undefined,
                },
                firstSortable.name(),
                resource.decorate().options,
              )
            : undefined;
          const filter = await new Filter(filters, resource).populate(context);
          let keyset: Keyset | undefined;
          if (page > KEYSET_DEPTH_PAGES) {
            if (typeof query.after === 'string') keyset = { towards: 'next', cursor: query.after };
            else if (typeof query.before === 'string') keyset = { towards: 'prev', cursor: query.before };
          }
          const records = await resource.find(
            filter,
            { limit: perPage, offset: (page - 1) * perPage, sort, ...(keyset ? { keyset } : {}) } as Parameters<
              typeof resource.find
            >[1],
            context,
          );
          const cursors = hasCursors(resource) ? resource.cursorsOf(records) : { prev: null, next: null };
          const populated = await populator(records, context);
          context.records = populated;
          const total = await resource.count(filter, context);
          const totalKind = hasCursors(resource) ? (resource.totalKindOf(filter) ?? 'exact') : 'exact';
          return {
            meta: {
              total,
              totalKind,
              perPage,
              page,
              direction: sort?.direction,
              sortBy: sort?.sortBy,
              cursors,
              keysetDepth: KEYSET_DEPTH_PAGES,
            },
            records: populated.map((r) => r.toJSON(currentAdmin)),
          };
        },
      },
    },
  });
}
