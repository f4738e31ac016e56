import { SEARCH_FILTER } from '../../src/search/list-query.js';
import { buildFeature, type ActionContext, type ActionRequest, type FeatureType } from 'adminjs';

/**
 * Drops sort and filter parameters that name no visible, sortable property before the list runs,
 * so the answer (and its `meta`) reflects what was actually applied (the search box's key stays). The resource adapter ignores
 * such parameters anyway; this keeps the echo honest too.
 */
export function safeListFeature(): FeatureType {
  return buildFeature({
    actions: {
      list: {
        before: async (request: ActionRequest, context: ActionContext) => {
          const query = { ...(request.query ?? {}) };
          const decorated = context.resource.decorate();
          const known = (path: string) =>
            decorated.getPropertyByKey(path) !== null && context.resource.property(path) !== null;
          if (typeof query.sortBy === 'string') {
            const property = context.resource.property(query.sortBy);
            if (!property || !property.isSortable() || !known(query.sortBy)) delete query.sortBy;
          }
          for (const key of Object.keys(query)) {
            if (!key.startsWith('filters.')) continue;
            const path = key.slice('filters.'.length).split('~~')[0]!;
            if (path === SEARCH_FILTER) continue; // the search box, applied by the resource adapter
            if (!known(path)) delete query[key];
          }
          return { ...request, query };
        },
      },
    },
  });
}
