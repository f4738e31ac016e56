import { flat, type ActionContext, type ActionRequest } from 'adminjs';
import type { Knex } from 'knex';
import { can, type Action } from '../../src/permissions/policy.js';
import { DELIVERY_STATUSES, WEBHOOK_EVENTS } from '../../src/webhooks/webhooks.schema.js';
import { GridbookResource } from '../adapter/gridbook-resource.js';
import { actorOf, asAdminUser, gridRoleFor, serviceContextOf, type AdminUser } from '../admin-user.js';
import { Components } from '../component-loader.js';
import { confirmAction } from '../features/confirm-action.js';
import { inMenu } from '../features/in-menu.js';
import { historyFeature } from '../features/history.feature.js';
import { boolParam, NAV, param, type AdminDeps, type TableResource } from './types.js';
import { isIdLike } from '../../src/search/search.js';

const refused = { isAccessible: false, isVisible: false };

/** The grids the user manages (admins: all, signalled by null). */
function managedGrids(user: AdminUser): string[] | null {
  if (user.role === 'admin') return null;
  return Object.entries(user.memberships)
    .filter(([, role]) => role === 'manager')
    .map(([grid]) => grid);
}

/** Webhooks and deliveries are seen by the managers of their grid. */
function managerScope(gridColumn: string) {
  return (user: AdminUser): ((qb: Knex.QueryBuilder) => void) | 'all' | 'none' => {
    const grids = managedGrids(user);
    if (grids === null) return 'all';
    if (grids.length === 0) return 'none';
    return (qb) => qb.whereIn(gridColumn, grids);
  };
}

/** Without a record: does the user manage any grid? With one: the permission module on its grid. */
const allowed = (action: Action) => (ctx: ActionContext) => {
  const user = asAdminUser(ctx.currentAdmin);
  if (!user) return false;
  const gridId: unknown = ctx.record?.params.grid_id;
  if (gridId === undefined) return managedGrids(user)?.length !== 0;
  return can(actorOf(ctx.currentAdmin), action, { type: 'webhook', gridRole: gridRoleFor(ctx.currentAdmin, gridId) });
};

const isActive = (ctx: ActionContext) => boolParam(ctx.record?.params ?? {}, 'active') === true;

/** A webhook's fields from the admin form (events arrive flattened: events.0, events.1, ...). */
function webhookInput(p: Record<string, unknown>) {
  const events: unknown = flat.get(p as Record<string, never>, 'events');
  return {
    url: param(p, 'url'),
    description: param(p, 'description') ?? '',
    events: Array.isArray(events)
      ? (events as unknown[]).filter((e): e is string => typeof e === 'string' && e !== '')
      : [],
  };
}

/** Webhooks: grid managers register URLs for submission events; the secret is never listed. */
export function webhooksResource(deps: AdminDeps): TableResource {
  const { webhooks } = deps.services;
  return {
    table: 'webhooks',
    hiddenColumns: ['secret'],
    availableValues: { events: [...WEBHOOK_EVENTS] },
    build: (metadata) => ({
      resource: new GridbookResource(metadata, {
        id: 'webhooks',
        search: { hint: 'URL or description', text: ['url', 'description'] },
        scope: managerScope('webhooks.grid_id'),
        writer: {
          fieldMap: { url: 'url', events: 'events', gridId: 'grid_id' },
          create: async (ctx, p) => (await webhooks.create(ctx, param(p, 'grid_id') ?? '', webhookInput(p))).id,
          update: async (ctx, id, p) => {
            await webhooks.update(ctx, id, webhookInput(p));
          },
          delete: async (ctx, id) => webhooks.delete(ctx, id),
        },
      }),
      options: {
        navigation: NAV.integrations,
        titleProperty: 'url',
        sort: { sortBy: 'id', direction: 'asc' },
        listProperties: ['id', 'grid_id', 'url', 'events', 'active', 'updated_at'],
        filterProperties: ['grid_id', 'url', 'events', 'active'],
        showProperties: [
          'id',
          'grid_id',
          'url',
          'description',
          'events',
          'active',
          'created_by',
          'created_at',
          'updated_at',
        ],
        // Enabling and disabling are actions of their own (a checkbox on "new" would read as off).
        editProperties: ['grid_id', 'url', 'description', 'events'],
        properties: {
          url: {
            description:
              'Receives a signed JSON POST per event (header Gridbook-Signature: t=<unix seconds>,v1=<HMAC-SHA256 of "<t>.<body>">).',
          },
          description: { type: 'textarea' },
          events: { description: 'Submission events to send.' },
          grid_id: { isDisabled: false },
        },
        actions: {
          list: { isAccessible: allowed('list') },
          show: { isAccessible: allowed('read') },
          new: { isAccessible: allowed('create') },
          edit: { isAccessible: allowed('edit') },
          delete: { isAccessible: allowed('delete') },
          bulkDelete: refused,
          secret: {
            actionType: 'record',
            icon: 'Key',
            component: Components.WebhookSecret,
            isAccessible: allowed('edit'),
            handler: async (_request: ActionRequest, _response: unknown, context: ActionContext) => ({
              record: context.record!.toJSON(context.currentAdmin),
              secret: await webhooks.secret(serviceContextOf(context.currentAdmin), String(context.record!.id())),
            }),
          },
          deliveries: {
            actionType: 'record',
            icon: 'Send',
            component: false,
            isAccessible: allowed('read'),
            handler: async (_request: ActionRequest, _response: unknown, context: ActionContext) => ({
              record: context.record!.toJSON(context.currentAdmin),
              redirectUrl: `${context.h.resourceUrl({ resourceId: 'webhook_deliveries' })}?filters.webhook_id=${encodeURIComponent(String(context.record!.id()))}`,
            }),
          },
          ping: inMenu(
            'More',
            confirmAction({
              name: 'ping',
              icon: 'Zap',
              confirm: 'Send a test delivery (event "ping") to this URL now? Its outcome shows in the deliveries.',
              isAccessible: (ctx) => allowed('edit')(ctx) && isActive(ctx),
              run: async (ctx, record) => {
                const delivery = await webhooks.ping(ctx, String(record.id()));
                return `Test delivery ${delivery.id} queued`;
              },
            }),
          ),
          disable: inMenu(
            'More',
            confirmAction({
              name: 'disable',
              icon: 'PauseCircle',
              confirm:
                'Stop sending deliveries to this URL? Events are not queued while it is disabled, and deliveries waiting to be retried are dropped.',
              isAccessible: (ctx) => allowed('edit')(ctx) && isActive(ctx),
              run: async (ctx, record) => {
                await webhooks.update(ctx, String(record.id()), { active: false });
                return 'The webhook is disabled';
              },
            }),
          ),
          enable: inMenu(
            'More',
            confirmAction({
              name: 'enable',
              icon: 'PlayCircle',
              variant: 'success',
              confirm: 'Send deliveries to this URL again, for events from now on?',
              isAccessible: (ctx) => allowed('edit')(ctx) && !isActive(ctx),
              run: async (ctx, record) => {
                await webhooks.update(ctx, String(record.id()), { active: true });
                return 'The webhook is enabled';
              },
            }),
          ),
          rotateSecret: inMenu(
            'More',
            confirmAction({
              name: 'rotateSecret',
              icon: 'RefreshCw',
              variant: 'danger',
              confirm:
                'Replace the signing secret? Deliveries sent from now on are signed with the new one: update the receiver with it.',
              isAccessible: allowed('edit'),
              run: async (ctx, record) => {
                await webhooks.rotateSecret(ctx, String(record.id()));
                return 'New secret in place: open "Signing secret" to copy it';
              },
            }),
          ),
        },
      },
      features: [historyFeature(deps.pool, 'webhook')],
    }),
  };
}

/** Deliveries: what was sent where, when, how often, and what the receiver answered. Read-only. */
export function webhookDeliveriesResource(deps: AdminDeps): TableResource {
  const { webhooks } = deps.services;
  return {
    table: 'webhook_deliveries',
    availableValues: { status: [...DELIVERY_STATUSES] },
    build: (metadata) => ({
      resource: new GridbookResource(metadata, {
        id: 'webhook_deliveries',
        search: {
          hint: 'event or submission id',
          text: ['event'],
          more: (term) => [isIdLike(term) ? (qb) => qb.orWhere('webhook_deliveries.submission_id', term) : null],
        },
        scope: managerScope('webhook_deliveries.grid_id'),
      }),
      options: {
        navigation: NAV.integrations,
        sort: { sortBy: 'id', direction: 'desc' },
        listProperties: [
          'id',
          'webhook_id',
          'event',
          'submission_id',
          'status',
          'attempts',
          'response_code',
          'duration_ms',
          'created_at',
        ],
        filterProperties: ['webhook_id', 'grid_id', 'event', 'status', 'submission_id', 'response_code', 'created_at'],
        showProperties: [
          'id',
          'webhook_id',
          'grid_id',
          'event',
          'submission_id',
          'status',
          'attempts',
          'response_code',
          'duration_ms',
          'last_error',
          'response_body',
          'payload',
          'created_at',
          'next_attempt_at',
          'delivered_at',
          'redelivery_of',
        ],
        properties: {
          payload: { components: { show: Components.CodeBlock } },
          response_body: { type: 'textarea' },
        },
        actions: {
          list: { isAccessible: allowed('read') },
          show: { isAccessible: allowed('read') },
          new: refused,
          edit: refused,
          delete: refused,
          bulkDelete: refused,
          redeliver: confirmAction({
            name: 'redeliver',
            icon: 'Send',
            confirm:
              'Send this delivery again? A new delivery goes out with the same event and body (and the same event id).',
            isAccessible: (ctx) =>
              allowed('edit')(ctx) && ['succeeded', 'failed'].includes(String(ctx.record?.params.status)),
            run: async (ctx, record) => {
              const delivery = await webhooks.redeliver(ctx, String(record.id()));
              return `Delivery ${delivery.id} queued`;
            },
          }),
        },
      },
    }),
  };
}
