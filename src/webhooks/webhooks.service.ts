import { changedFields, recordAudit } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import type { Pool, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../errors/app-error.js';
import { findGrid, isId } from '../grids/grids.repository.js';
import { authorizeInGrid } from '../permissions/grid-access.js';
import { can, type Action } from '../permissions/policy.js';
import { compileValidator } from '../validation/validate.js';
import { WEBHOOK_CHANNEL } from './outbox.js';
import { newWebhookSecret } from './signature.js';
import { urlProblem } from './target.js';
import {
  CreateWebhookInput,
  PatchWebhookInput,
  PING_EVENT,
  type DeliveryStatus,
  type DeliveryView,
  type WebhookView,
  type WebhookWithSecret,
} from './webhooks.schema.js';

const validateCreate = compileValidator(CreateWebhookInput);
const validatePatch = compileValidator(PatchWebhookInput);

interface WebhookRow {
  id: string;
  grid_id: string;
  url: string;
  description: string;
  events: string[];
  active: boolean;
  secret: string;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  event: string;
  submission_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  response_code: number | null;
  duration_ms: number | null;
  last_error: string | null;
  created_at: Date;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  redelivery_of: string | null;
}

const WEBHOOK_COLUMNS = 'id, grid_id, url, description, events, active, secret, created_at, updated_at';
const DELIVERY_COLUMNS =
  'id, webhook_id, event, submission_id, status, attempts, response_code, duration_ms, last_error, created_at, next_attempt_at, delivered_at, redelivery_of';

function toView(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    gridId: row.grid_id,
    url: row.url,
    description: row.description,
    events: row.events,
    active: row.active,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toDeliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    event: row.event,
    submissionId: row.submission_id,
    status: row.status,
    attempts: row.attempts,
    responseCode: row.response_code,
    durationMs: row.duration_ms,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    nextAttemptAt:
      row.status === 'pending' || row.status === 'retrying' ? (row.next_attempt_at?.toISOString() ?? null) : null,
    deliveredAt: row.delivered_at?.toISOString() ?? null,
    redeliveryOf: row.redelivery_of,
  };
}

/** What the audit log keeps of a webhook: everything but its secret. */
const snapshot = (row: WebhookRow) => ({
  url: row.url,
  description: row.description,
  events: row.events,
  active: row.active,
});

/**
 * Webhooks of a grid, managed by its managers (and admins): register a URL for submission
 * events, change or disable it, rotate its signing secret, see its deliveries, send one again or
 * send a test ping. Deliveries themselves are written by the services whose changes they
 * announce (see outbox.ts) and sent by the workers (see delivery.ts).
 */
export class WebhooksService {
  constructor(private readonly deps: { pool: Pool; allowPrivate: boolean }) {}

  async list(ctx: ServiceContext, gridId: string): Promise<WebhookView[]> {
    await this.authorizeGrid(this.deps.pool, ctx, gridId, 'read');
    const result = await this.deps.pool.query<WebhookRow>(
      `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE grid_id = $1 ORDER BY id`,
      [gridId],
    );
    return result.rows.map(toView);
  }

  async get(ctx: ServiceContext, id: string): Promise<WebhookView> {
    return toView(await this.load(this.deps.pool, ctx, id, 'read'));
  }

  /** The signing secret, for the grid's managers (the admin panel's "Signing secret" page). */
  async secret(ctx: ServiceContext, id: string): Promise<string> {
    return (await this.load(this.deps.pool, ctx, id, 'edit')).secret;
  }

  async create(ctx: ServiceContext, gridId: string, raw: unknown): Promise<WebhookWithSecret> {
    const input = validateCreate(raw);
    this.checkUrl(input.url);
    return withTransaction(this.deps.pool, async (tx) => {
      await this.authorizeGrid(tx, ctx, gridId, 'create');
      const row = (
        await tx.query<WebhookRow>(
          `INSERT INTO webhooks (grid_id, url, description, events, active, secret, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${WEBHOOK_COLUMNS}`,
          [gridId, input.url, input.description.trim(), input.events, input.active, newWebhookSecret(), ctx.actor!.id],
        )
      ).rows[0]!;
      await recordAudit(tx, ctx, {
        action: 'webhook.create',
        entityType: 'webhook',
        entityId: row.id,
        gridId,
        after: snapshot(row),
      });
      return { ...toView(row), secret: row.secret };
    });
  }

  async update(ctx: ServiceContext, id: string, raw: unknown): Promise<WebhookView> {
    const patch = validatePatch(raw);
    if (patch.url !== undefined) this.checkUrl(patch.url);
    return withTransaction(this.deps.pool, async (tx) => {
      const before = await this.load(tx, ctx, id, 'edit', { forUpdate: true });
      const after = (
        await tx.query<WebhookRow>(
          `UPDATE webhooks SET url = COALESCE($2, url), description = COALESCE($3, description), events = COALESCE($4, events),
                  active = COALESCE($5, active), updated_at = now()
            WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
          [id, patch.url ?? null, patch.description?.trim() ?? null, patch.events ?? null, patch.active ?? null],
        )
      ).rows[0]!;
      const diff = changedFields(snapshot(before), snapshot(after));
      if (Object.keys(diff.after).length > 0) {
        await recordAudit(tx, ctx, {
          action: 'webhook.update',
          entityType: 'webhook',
          entityId: id,
          gridId: before.grid_id,
          ...diff,
        });
      }
      return toView(after);
    });
  }

  /** Deletes a webhook and its delivery log; deliveries not yet sent are dropped. */
  async delete(ctx: ServiceContext, id: string): Promise<void> {
    await withTransaction(this.deps.pool, async (tx) => {
      const before = await this.load(tx, ctx, id, 'delete', { forUpdate: true });
      await tx.query('DELETE FROM webhooks WHERE id = $1', [id]);
      await recordAudit(tx, ctx, {
        action: 'webhook.delete',
        entityType: 'webhook',
        entityId: id,
        gridId: before.grid_id,
        before: snapshot(before),
      });
    });
  }

  /** A new signing secret, effective for every delivery sent from now on (retries included). */
  async rotateSecret(ctx: ServiceContext, id: string): Promise<WebhookWithSecret> {
    return withTransaction(this.deps.pool, async (tx) => {
      const before = await this.load(tx, ctx, id, 'edit', { forUpdate: true });
      const row = (
        await tx.query<WebhookRow>(
          `UPDATE webhooks SET secret = $2, updated_at = now() WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
          [id, newWebhookSecret()],
        )
      ).rows[0]!;
      await recordAudit(tx, ctx, {
        action: 'webhook.rotate_secret',
        entityType: 'webhook',
        entityId: id,
        gridId: before.grid_id,
        after: { secretRotated: true },
      });
      return { ...toView(row), secret: row.secret };
    });
  }

  async deliveries(
    ctx: ServiceContext,
    webhookId: string,
    opts: { limit?: number; before?: string; status?: DeliveryStatus } = {},
  ): Promise<DeliveryView[]> {
    await this.load(this.deps.pool, ctx, webhookId, 'read');
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
    const result = await this.deps.pool.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
        WHERE webhook_id = $1 AND ($2::bigint IS NULL OR id < $2) AND ($3::text IS NULL OR status = $3)
        ORDER BY id DESC LIMIT $4`,
      [webhookId, opts.before ?? null, opts.status ?? null, limit],
    );
    return result.rows.map(toDeliveryView);
  }

  /** Sends a delivery again, as a new delivery with the same event and body (and the same event id). */
  async redeliver(ctx: ServiceContext, deliveryId: string): Promise<DeliveryView> {
    if (!isId(deliveryId)) throw new NotFoundError('Delivery', deliveryId);
    return withTransaction(this.deps.pool, async (tx) => {
      const original = (
        await tx.query<{ webhook_id: string; status: DeliveryStatus }>(
          'SELECT webhook_id, status FROM webhook_deliveries WHERE id = $1',
          [deliveryId],
        )
      ).rows[0];
      if (!original) throw new NotFoundError('Delivery', deliveryId);
      const hook = await this.load(tx, ctx, original.webhook_id, 'edit').catch((error: unknown) => {
        throw error instanceof NotFoundError ? new NotFoundError('Delivery', deliveryId) : error;
      });
      if (!hook.active) throw new ConflictError('This webhook is disabled: enable it before sending deliveries again');
      if (original.status === 'pending' || original.status === 'retrying') {
        throw new ConflictError(
          `This delivery is still ${original.status}: wait for it to settle before sending it again`,
        );
      }
      const row = (
        await tx.query<DeliveryRow>(
          `INSERT INTO webhook_deliveries (webhook_id, grid_id, event, submission_id, payload, redelivery_of)
           SELECT webhook_id, grid_id, event, submission_id, payload, COALESCE(redelivery_of, id) FROM webhook_deliveries WHERE id = $1
           RETURNING ${DELIVERY_COLUMNS}`,
          [deliveryId],
        )
      ).rows[0]!;
      await tx.query('SELECT pg_notify($1, $2)', [WEBHOOK_CHANNEL, row.event]);
      await recordAudit(tx, ctx, {
        action: 'webhook.redeliver',
        entityType: 'webhook',
        entityId: hook.id,
        gridId: hook.grid_id,
        after: { delivery: row.id, of: deliveryId, event: row.event },
      });
      return toDeliveryView(row);
    });
  }

  /** Queues a `ping` delivery, to check the receiver and its signature check. */
  async ping(ctx: ServiceContext, id: string): Promise<DeliveryView> {
    return withTransaction(this.deps.pool, async (tx) => {
      const hook = await this.load(tx, ctx, id, 'edit');
      if (!hook.active) throw new ConflictError('This webhook is disabled: enable it before sending a ping');
      const row = (
        await tx.query<DeliveryRow>(
          `INSERT INTO webhook_deliveries (webhook_id, grid_id, event, payload) VALUES ($1, $2, $3, $4) RETURNING ${DELIVERY_COLUMNS}`,
          [
            id,
            hook.grid_id,
            PING_EVENT,
            JSON.stringify({
              webhook: { id: hook.id, gridId: hook.grid_id, events: hook.events },
              message: 'Hello from Gridbook',
            }),
          ],
        )
      ).rows[0]!;
      await tx.query('SELECT pg_notify($1, $2)', [WEBHOOK_CHANNEL, PING_EVENT]);
      return toDeliveryView(row);
    });
  }

  private checkUrl(url: string): void {
    const problem = urlProblem(url, this.deps.allowPrivate);
    if (problem) throw ValidationError.field('url', problem);
  }

  private async authorizeGrid(db: Queryable, ctx: ServiceContext, gridId: string, action: Action): Promise<void> {
    if (!ctx.actor) throw new UnauthenticatedError();
    const grid = isId(gridId) ? await findGrid(db, gridId) : null;
    if (!grid) throw new NotFoundError('Grid', gridId);
    await this.authorize(db, ctx, gridId, action, () => new NotFoundError('Grid', gridId));
  }

  /** Members of the grid see that its webhooks exist (404 for others); only its managers touch them (403). */
  private async authorize(
    db: Queryable,
    ctx: ServiceContext,
    gridId: string,
    action: Action,
    notFound: () => NotFoundError,
  ): Promise<void> {
    const role = await authorizeInGrid(db, ctx, gridId, 'grid', 'read', notFound);
    if (!can(ctx.actor, action, { type: 'webhook', gridRole: role }))
      throw new ForbiddenError("Only the grid's managers manage its webhooks");
  }

  private async load(
    db: Queryable,
    ctx: ServiceContext,
    id: string,
    action: Action,
    opts: { forUpdate?: boolean } = {},
  ): Promise<WebhookRow> {
    if (!ctx.actor) throw new UnauthenticatedError();
    const row = isId(id)
      ? (
          await db.query<WebhookRow>(
            `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
            [id],
          )
        ).rows[0]
      : undefined;
    if (!row) throw new NotFoundError('Webhook', id);
    await this.authorize(db, ctx, row.grid_id, action, () => new NotFoundError('Webhook', id));
    return row;
  }
}
