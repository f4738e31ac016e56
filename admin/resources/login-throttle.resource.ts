import type { ActionContext } from 'adminjs';
import { GridbookResource } from '../adapter/gridbook-resource.js';
import { clearThrottleAction } from '../actions/clear-throttle.action.js';
import { asAdminUser } from '../admin-user.js';
import { NAV, readOnlyActions, type AdminDeps, type TableResource } from './types.js';

const isAdmin = ({ currentAdmin }: ActionContext) => asAdminUser(currentAdmin)?.role === 'admin';

/**
 * A resource in one file (the worked example of docs/extending.md): the network addresses with
 * recent failed sign-ins, read-only, for admins, with one custom action to clear an address.
 */
export function loginThrottleResource(deps: AdminDeps): TableResource {
  return {
    table: 'login_ip_failures',
    build: (metadata) => ({
      resource: new GridbookResource(metadata, {
        id: 'login_throttle',
        search: { hint: 'IP address', text: ['ip'] },
        scope: (user) => (user.role === 'admin' ? 'all' : 'none'),
      }),
      options: {
        navigation: NAV.access,
        sort: { sortBy: 'window_start', direction: 'desc' },
        properties: {
          ip: { isTitle: true },
        },
        actions: {
          ...readOnlyActions(isAdmin),
          clearThrottle: clearThrottleAction(deps.services.auth),
        },
      },
    }),
  };
}
