import { buildFeature, type ActionContext, type FeatureType } from 'adminjs';
import { auditHistory } from '../../src/audit/audit.service.js';
import type { Queryable } from '../../src/db/pool.js';
import { Components } from '../component-loader.js';

/**
 * A per-record "History" action, like the Django admin's history page: the audit entries about the
 * record, newest first. Whoever can open the record can read its history (the record itself is
 * loaded through the resource's row scope, so an inaccessible record never gets this far).
 */
export function historyFeature(db: Queryable, entityType: string): FeatureType {
  return buildFeature({
    actions: {
      history: {
        actionType: 'record',
        icon: 'Clock',
        component: Components.RecordHistory,
        isAccessible: ({ record }: ActionContext) => Boolean(record),
        handler: async (_request, _response, context: ActionContext) => {
          const { record, currentAdmin } = context;
          if (!record) throw new Error('history needs a record');
          const entries = await auditHistory(db, entityType, String(record.id()));
          return {
            record: record.toJSON(currentAdmin),
            entries: entries.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
          };
        },
      },
    },
  });
}
