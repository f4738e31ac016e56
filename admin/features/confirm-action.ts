import type { Action, ActionContext, ActionRequest, ActionResponse, BaseRecord, RecordActionResponse } from 'adminjs';
import type { ServiceContext } from '../../src/context.js';
import { serviceContextOf } from '../admin-user.js';
import { Components } from '../component-loader.js';
import { errorNotice } from '../errors.js';

export interface ConfirmActionOptions {
  name: string;
  icon?: string;
  variant?: 'danger' | 'primary' | 'success';
  /** Shown on the confirmation page. */
  confirm: string;
  /** Ask for a text (a reason) with the confirmation. */
  input?: { name: string; label: string; required: boolean };
  isAccessible: (context: ActionContext) => boolean;
  isVisible?: (context: ActionContext) => boolean;
  /** Performs the change through a service; returns the success message. */
  run: (ctx: ServiceContext, record: BaseRecord, payload: Record<string, unknown>) => Promise<string>;
}

/**
 * A record action that changes state only on POST. AdminJS calls actions without a component with
 * GET (so a cross-site link could trigger them); this one renders a confirmation page on GET and
 * performs the change only when that page POSTs back.
 */
export function confirmAction(options: ConfirmActionOptions): Partial<Action<ActionResponse>> {
  return {
    actionType: 'record',
    icon: options.icon,
    variant: options.variant,
    component: Components.ConfirmAction,
    isAccessible: options.isAccessible,
    isVisible: options.isVisible ?? options.isAccessible,
    custom: { confirm: options.confirm, input: options.input ?? null },
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<RecordActionResponse> => {
      const { record, currentAdmin, h, resource } = context;
      if (!record) throw new Error(`${options.name} needs a record`);
      if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
      try {
        const message = await options.run(serviceContextOf(currentAdmin), record, request.payload ?? {});
        const fresh = (await resource.findOne(String(record.id()), context)) ?? record;
        return {
          record: fresh.toJSON(currentAdmin),
          notice: { message, type: 'success' },
          redirectUrl: h.recordActionUrl({ resourceId: resource.id(), recordId: String(record.id()), actionName: 'show' }),
        };
      } catch (error) {
        return { ...errorNotice(error), record: record.toJSON(currentAdmin) };
      }
    },
  };
}
