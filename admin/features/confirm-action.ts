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
  /** Where to go once done: the record (default), or the list when the action removes it. */
  after?: 'show' | 'list';
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
    handler: async (
      request: ActionRequest,
      _response: unknown,
      context: ActionContext,
    ): Promise<RecordActionResponse> => {
      const { record, currentAdmin, h, resource } = context;
      if (!record) throw new Error(`${options.name} needs a record`);
      if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
      try {
        const message = await options.run(serviceContextOf(currentAdmin), record, request.payload ?? {});
        if (options.after === 'list') {
          return {
            record: record.toJSON(currentAdmin),
            notice: { message, type: 'success' },
            redirectUrl: h.resourceUrl({ resourceId: resource.id() }),
          };
        }
        const fresh = (await resource.findOne(String(record.id()), context)) ?? record;
        return {
          record: fresh.toJSON(currentAdmin),
          notice: { message, type: 'success' },
          redirectUrl: h.recordActionUrl({
            resourceId: resource.id(),
            recordId: String(record.id()),
            actionName: 'show',
          }),
        };
      } catch (error) {
        return { ...errorNotice(error), record: record.toJSON(currentAdmin) };
      }
    },
  };
}

export interface ConfirmBulkActionOptions extends Omit<ConfirmActionOptions, 'run' | 'isVisible'> {
  /** Applies the change to one record; returns a short message. Throws a domain error to refuse it. */
  runOne: (ctx: ServiceContext, record: BaseRecord, payload: Record<string, unknown>) => Promise<string>;
}

export interface BulkResult {
  id: string;
  title: string;
  ok: boolean;
  message: string;
}

/**
 * The bulk counterpart: GET shows the selected records; POST applies the same rules to each one,
 * record by record (each its own transaction), and reports which were done and which were refused
 * and why, rather than all-or-nothing.
 */
export function confirmBulkAction(options: ConfirmBulkActionOptions): Partial<Action<ActionResponse>> {
  return {
    actionType: 'bulk',
    icon: options.icon,
    variant: options.variant,
    component: Components.ConfirmBulkAction,
    isAccessible: options.isAccessible,
    isVisible: options.isAccessible,
    custom: { confirm: options.confirm, input: options.input ?? null },
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { records = [], currentAdmin } = context;
      const json = records.map((r) => r.toJSON(currentAdmin));
      if (request.method !== 'post') return { records: json };
      const ctx = serviceContextOf(currentAdmin);
      const results: BulkResult[] = [];
      for (const record of records) {
        const base = { id: String(record.id()), title: record.title() };
        try {
          results.push({ ...base, ok: true, message: await options.runOne(ctx, record, request.payload ?? {}) });
        } catch (error) {
          const notice = errorNotice(error);
          results.push({ ...base, ok: false, message: notice.notice?.message ?? 'refused' });
        }
      }
      const done = results.filter((r) => r.ok).length;
      return {
        records: json,
        results,
        notice: {
          message: `${done} of ${results.length} done${done < results.length ? `; ${results.length - done} refused (see the list)` : ''}`,
          type: done === results.length ? 'success' : 'error',
        },
      };
    },
  };
}
