import { Type, type Static } from '@sinclair/typebox';

/** The submission events a webhook may subscribe to. */
export const WEBHOOK_EVENTS = [
  'submission.processed',
  'submission.failed',
  'submission.approved',
  'submission.rejected',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** Sent on request ("send a test delivery"), to whichever events a webhook listens to. */
export const PING_EVENT = 'ping';

export const DELIVERY_STATUSES = ['pending', 'retrying', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const EventName = Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e)));

export const CreateWebhookInput = Type.Object({
  url: Type.String({ minLength: 8, maxLength: 2000, description: 'http(s) URL that receives a POST per event' }),
  events: Type.Array(EventName, { minItems: 1, uniqueItems: true }),
  description: Type.String({ maxLength: 500, default: '' }),
  active: Type.Boolean({ default: true }),
});
export type CreateWebhookInput = Static<typeof CreateWebhookInput>;

export const PatchWebhookInput = Type.Partial(CreateWebhookInput, { minProperties: 1 });
export type PatchWebhookInput = Static<typeof PatchWebhookInput>;

export const WebhookView = Type.Object({
  id: Type.String(),
  gridId: Type.String(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(Type.String()),
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type WebhookView = Static<typeof WebhookView>;

/** Returned once, when a webhook is created or its secret rotated. */
export const WebhookWithSecret = Type.Intersect([WebhookView, Type.Object({ secret: Type.String() })]);
export type WebhookWithSecret = Static<typeof WebhookWithSecret>;

export const DeliveryView = Type.Object({
  id: Type.String(),
  webhookId: Type.String(),
  event: Type.String(),
  submissionId: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s))),
  attempts: Type.Integer(),
  responseCode: Type.Union([Type.Integer(), Type.Null()]),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  redeliveryOf: Type.Union([Type.String(), Type.Null()]),
});
export type DeliveryView = Static<typeof DeliveryView>;
