import type { ActionRequest, PageHandler } from 'adminjs';
import { AppError } from '../../src/errors/app-error.js';
import { serviceContextOf } from '../admin-user.js';
import { Components } from '../component-loader.js';
import type { AdminDeps } from '../resources/types.js';

/** "My account": who I am, and changing my own password (POST only; other sessions end). */
export function accountPage(deps: AdminDeps): { component: string; icon: string; handler: PageHandler } {
  return {
    component: Components.AccountPage,
    icon: 'User',
    handler: async (request: ActionRequest, _response, context) => {
      const ctx = serviceContextOf(context.currentAdmin);
      if (!ctx.actor) return { notice: { message: 'Sign in first', type: 'error' } };
      const me = await deps.services.users.get(ctx, ctx.actor.id);
      if (request.method !== 'post') return { me };
      try {
        const payload = (request.payload ?? {}) as Record<string, unknown>;
        const sessionId = (request as unknown as { sessionID?: string }).sessionID;
        await deps.services.users.changeOwnPassword(
          ctx,
          { currentPassword: payload.currentPassword, newPassword: payload.newPassword },
          sessionId,
        );
        return {
          me,
          notice: { message: 'Your password is changed; your other sessions are signed out', type: 'success' },
        };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return { me, errors: error.details, notice: { message: error.message, type: 'error' } };
      }
    },
  };
}
