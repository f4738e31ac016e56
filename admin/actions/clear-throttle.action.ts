import type { ActionContext } from 'adminjs';
import type { AuthService } from '../../src/auth/auth.service.js';
import { asAdminUser } from '../admin-user.js';
import { confirmAction } from '../features/confirm-action.js';

/**
 * A custom record action in one file (the worked example of docs/extending.md): an admin lifts the
 * sign-in block on a network address. The change is made by a service (permission check, audit
 * entry, one transaction); the action only asks for confirmation and POSTs.
 */
export function clearThrottleAction(auth: AuthService) {
  return confirmAction({
    name: 'clearThrottle',
    icon: 'Unlock',
    variant: 'primary',
    confirm: 'Forget the failed sign-ins of this address? It can try again at once.',
    isAccessible: ({ currentAdmin }: ActionContext) => asAdminUser(currentAdmin)?.role === 'admin',
    run: async (ctx, record) => {
      await auth.clearIpThrottle(ctx, String(record.id()));
      return 'The address can sign in again';
    },
  });
}
