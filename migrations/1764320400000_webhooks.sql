-- Up Migration

-- Webhooks: a grid's managers register URLs to hear about its submissions. The secret signs every
-- delivery (HMAC-SHA256); it is shown to the grid's managers, never logged or audited.
CREATE TABLE webhooks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  grid_id bigint NOT NULL REFERENCES grids (id),
  url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  events text[] NOT NULL CHECK (
    cardinality(events) > 0
    AND events <@ ARRAY['submission.processed', 'submission.failed', 'submission.approved', 'submission.rejected']
  ),
  secret text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_by bigint REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_grid_idx ON webhooks (grid_id) WHERE active;

-- Deliveries are the outbox: written in the same transaction as the event they announce, then
-- sent by the workers (BullMQ, with retries and backoff). PostgreSQL holds the truth: a delivery
-- whose job was lost (Redis flushed, a crash before queueing) is queued again by the sweeper.
CREATE TABLE webhook_deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  webhook_id bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  -- The webhook's grid, kept here so lists scope and filter without a join.
  grid_id bigint NOT NULL REFERENCES grids (id),
  event text NOT NULL,
  submission_id bigint,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'retrying', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  response_code integer,
  response_body text,
  duration_ms integer,
  last_error text,
  -- The delivery this one sends again (a manual redelivery), if any.
  redelivery_of bigint REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  queued_at timestamptz,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id DESC);
CREATE INDEX webhook_deliveries_open_idx ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'retrying');
CREATE INDEX webhook_deliveries_submission_idx ON webhook_deliveries (submission_id) WHERE submission_id IS NOT NULL;

-- Down Migration
DROP TABLE IF EXISTS webhook_deliveries;
DROP TABLE IF EXISTS webhooks;
