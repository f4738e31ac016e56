import { buildFeature, type ActionContext, type ActionRequest, type ActionResponse, type FeatureType } from 'adminjs';
import type { SavedViewsService } from '../../src/views/saved-views.service.js';
import { BadRequestError } from '../../src/errors/app-error.js';
import { serviceContextOf } from '../admin-user.js';
import { errorNotice } from '../errors.js';

/** The action the list tools call (admin/components/list-tools): GET lists, POST changes. */
export const SAVED_VIEWS_ACTION = 'savedViews';

const text = (payload: Record<string, unknown>, key: string) => (typeof payload[key] === 'string' ? payload[key] : '');

/** A view's query arrives as JSON in one form field (its keys hold dots, which AdminJS would unflatten). */
function queryOf(payload: Record<string, unknown>): unknown {
  try {
    return JSON.parse(text(payload, 'query') || '{}') as unknown;
  } catch {
    throw new BadRequestError('query: not JSON');
  }
}

/**
 * Saved views on every list: a hidden resource action, open to whoever may open the list. Changes
 * only on POST (AdminJS calls component-less actions with GET; the Origin check of
 * src/http/security.ts guards POSTs). The service keeps each user to their own views.
 */
export function savedViewsFeature(views: SavedViewsService): FeatureType {
  return buildFeature({
    actions: {
      [SAVED_VIEWS_ACTION]: {
        actionType: 'resource',
        isVisible: false,
        component: false,
        showInDrawer: false,
        isAccessible: (context: ActionContext) => Boolean(context.resource.decorate().actions.list?.isAccessible(context.currentAdmin)),
        handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
          const ctx = serviceContextOf(context.currentAdmin);
          const resource = context.resource.id();
          if (request.method !== 'post') return { views: await views.list(ctx, resource) };
          const payload = (request.payload ?? {}) as Record<string, unknown>;
          const id = text(payload, 'id');
          try {
            let message: string;
            switch (text(payload, 'op')) {
              case 'create': {
                const view = await views.create(ctx, resource, { name: text(payload, 'name'), query: queryOf(payload), isDefault: text(payload, 'isDefault') === 'true' });
                message = `View "${view.name}" saved`;
                break;
              }
              case 'rename':
                message = `View renamed to "${(await views.rename(ctx, id, { name: text(payload, 'name') })).name}"`;
                break;
              case 'default': {
                const on = text(payload, 'isDefault') === 'true';
                const view = await views.setDefault(ctx, id, on);
                message = on ? `"${view.name}" opens when you open this list` : `"${view.name}" is no longer your default`;
                break;
              }
              case 'delete':
                await views.remove(ctx, id);
                message = 'View deleted';
                break;
              default:
                throw new BadRequestError('op: one of create, rename, default, delete');
            }
            return { views: await views.list(ctx, resource), notice: { message, type: 'success' } };
          } catch (error) {
            return { ...errorNotice(error), views: await views.list(ctx, resource) };
          }
        },
      },
    },
  });
}
