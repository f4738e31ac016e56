import type { ActionContext } from 'adminjs';
import { GridbookResource } from '../adapter/gridbook-resource.js';
import { asAdminUser } from '../admin-user.js';
import { Components } from '../component-loader.js';
import { NAV, readOnlyActions, type TableResource } from './types.js';
import { exactly, userMatches } from '../../src/search/search.js';

const isAdmin = ({ currentAdmin }: ActionContext) => asAdminUser(currentAdmin)?.role === 'admin';

/**
 * The audit log, read-only for everyone: no new, edit or delete action is reachable, the resource
 * has no writer, and the database refuses UPDATE, DELETE and TRUNCATE on the table anyway.
 */
export function auditLogResource(): TableResource {
  return {
    table: 'audit_log',
    build: (metadata) => ({
      resource: new GridbookResource(metadata, {
        id: 'audit_log',
        scope: (user) => (user.role === 'admin' ? 'all' : 'none'),
        // Exact matches on indexed columns (the log grows without bound): the record it is about,
        // its action or type, and entries by a user whose email or name contains the text.
        search: {
          hint: 'entity id, action, entity type or user',
          more: async (term, db) => [
            exactly('audit_log.entity_id', term),
            exactly('audit_log.action', term),
            exactly('audit_log.entity_type', term),
            await userMatches(db, 'audit_log.actor_id', term),
          ],
        },
      }),
      options: {
        navigation: NAV.audit,
        sort: { sortBy: 'id', direction: 'desc' },
        listProperties: ['id', 'created_at', 'actor_id', 'action', 'entity_type', 'entity_id', 'grid_id'],
        filterProperties: [
          'created_at',
          'actor_id',
          'action',
          'entity_type',
          'entity_id',
          'grid_id',
          'request_id',
          'ip',
        ],
        showProperties: [
          'id',
          'created_at',
          'actor_id',
          'actor_label',
          'action',
          'entity_type',
          'entity_id',
          'grid_id',
          'before',
          'request_id',
          'ip',
        ],
        properties: {
          before: {
            label: 'Change',
            components: { show: Components.AuditChange },
          },
        },
        actions: {
          ...readOnlyActions(isAdmin),
        },
      },
    }),
  };
}
