import type { ActionRequest, CurrentAdmin, PageHandler } from 'adminjs';
import { AppError } from '../../src/errors/app-error.js';
import { gridsAllowing } from '../../src/permissions/policy.js';
import { actorOf, asAdminUser, serviceContextOf } from '../admin-user.js';
import { Components } from '../component-loader.js';
import type { AdminDeps } from '../resources/types.js';

export const REVIEW_QUEUE_PAGE = 'reviewQueue';

/** The page is in a user's navigation when the permission module lets them claim in some grid. */
export function mayUseReviewQueue(currentAdmin: CurrentAdmin | undefined): boolean {
  const user = asAdminUser(currentAdmin);
  if (!user) return false;
  const grids = gridsAllowing(actorOf(currentAdmin), user.memberships, 'claim', (gridRole) => ({
    type: 'submission',
    gridRole,
    own: false,
  }));
  return grids === 'all' || grids.length > 0;
}

/**
 * "Review queue": what waits for my review and what I claimed, overdue first (the queue service
 * decides both). POST `{op: 'claimNext'}` takes the first waiting submission and answers its id,
 * for the page (and the review page's "next" shortcut) to open it.
 */
export function reviewQueuePage(deps: AdminDeps): { component: string; icon: string; handler: PageHandler } {
  return {
    component: Components.ReviewQueue,
    icon: 'CheckSquare',
    handler: async (request: ActionRequest, _response, context) => {
      const ctx = serviceContextOf(context.currentAdmin);
      if (!ctx.actor) return { notice: { message: 'Sign in first', type: 'error' } };
      try {
        if (request.method === 'post') {
          const op = (request.payload as Record<string, unknown> | undefined)?.op;
          if (op !== 'claimNext') return { notice: { message: 'Unknown operation', type: 'error' } };
          const claimed = await deps.services.reviewQueue.claimNext(ctx);
          if (!claimed) return { claimedId: null, notice: { message: 'Nothing waits for your review', type: 'info' } };
          return {
            claimedId: claimed.id,
            notice: { message: `Claimed #${claimed.id}: you are its reviewer`, type: 'success' },
          };
        }
        return { queue: await deps.services.reviewQueue.queue(ctx) };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return { notice: { message: error.message, type: 'error' } };
      }
    },
  };
}
