import { Type } from '@sinclair/typebox';
import { route, type RouteSpec } from '../http/routes.js';
import type { WebhooksService } from './webhooks.service.js';
import {
  CreateWebhookInput,
  DELIVERY_STATUSES,
  DeliveryView,
  PatchWebhookInput,
  WebhookView,
  WebhookWithSecret,
} from './webhooks.schema.js';

export function webhooksRoutes(services: { webhooks: WebhooksService }): RouteSpec[] {
  const { webhooks } = services;
  return [
    route({
      method: 'get',
      path: '/grids/:gridId/webhooks',
      tag: 'webhooks',
      summary: "A grid's webhooks (its managers)",
      response: Type.Array(WebhookView),
      handler: ({ ctx, params }) => webhooks.list(ctx, params.gridId!),
    }),
    route({
      method: 'post',
      path: '/grids/:gridId/webhooks',
      tag: 'webhooks',
      summary:
        'Register a URL for submission events (processed, failed, approved, rejected). The answer holds the signing secret: ' +
        'every delivery is signed with it (header Gridbook-Signature: t=<unix seconds>,v1=<HMAC-SHA256 hex of "<t>.<body>">).',
      body: CreateWebhookInput,
      bodyCheckedBy: 'service',
      response: WebhookWithSecret,
      status: 201,
      handler: ({ ctx, params, body }) => webhooks.create(ctx, params.gridId!, body),
    }),
    route({
      method: 'get',
      path: '/webhooks/:webhookId',
      tag: 'webhooks',
      summary: 'One webhook',
      response: WebhookView,
      handler: ({ ctx, params }) => webhooks.get(ctx, params.webhookId!),
    }),
    route({
      method: 'patch',
      path: '/webhooks/:webhookId',
      tag: 'webhooks',
      summary: 'Change its URL, events, description, or disable it (active: false)',
      body: PatchWebhookInput,
      bodyCheckedBy: 'service',
      response: WebhookView,
      handler: ({ ctx, params, body }) => webhooks.update(ctx, params.webhookId!, body),
    }),
    route({
      method: 'delete',
      path: '/webhooks/:webhookId',
      tag: 'webhooks',
      summary: 'Delete a webhook and its delivery log',
      handler: async ({ ctx, params }) => {
        await webhooks.delete(ctx, params.webhookId!);
        return { deleted: true };
      },
    }),
    route({
      method: 'post',
      path: '/webhooks/:webhookId/rotate-secret',
      tag: 'webhooks',
      summary: 'A new signing secret, used from the next delivery on',
      response: WebhookWithSecret,
      handler: ({ ctx, params }) => webhooks.rotateSecret(ctx, params.webhookId!),
    }),
    route({
      method: 'post',
      path: '/webhooks/:webhookId/ping',
      tag: 'webhooks',
      summary: 'Send a test delivery (event "ping")',
      response: DeliveryView,
      status: 202,
      handler: ({ ctx, params }) => webhooks.ping(ctx, params.webhookId!),
    }),
    route({
      method: 'get',
      path: '/webhooks/:webhookId/deliveries',
      tag: 'webhooks',
      summary: 'Its deliveries, newest first, with status, attempts and response code',
      query: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        before: Type.Optional(
          Type.String({ pattern: '^[0-9]{1,18}$', description: 'deliveries older than this id (paging)' }),
        ),
        status: Type.Optional(Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s)))),
      }),
      response: Type.Array(DeliveryView),
      handler: ({ ctx, params, query }) => webhooks.deliveries(ctx, params.webhookId!, query),
    }),
    route({
      method: 'post',
      path: '/webhook-deliveries/:deliveryId/redeliver',
      tag: 'webhooks',
      summary: 'Send a settled delivery again (a new delivery, same body and event id)',
      response: DeliveryView,
      status: 202,
      handler: ({ ctx, params }) => webhooks.redeliver(ctx, params.deliveryId!),
    }),
  ];
}
