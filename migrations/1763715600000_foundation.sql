-- Up Migration

-- Users: global role, bcrypt hash (never leaves the server), active flag and lockout state.
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email = lower(email)),
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'builder', 'reviewer', 'submitter')),
  active boolean NOT NULL DEFAULT true,
  failed_login_count integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_login_at timestamptz,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- Grids (Gridlink's fields): user-owned, slugged, soft-deleted and restorable.
CREATE TABLE grids (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner bigint NOT NULL REFERENCES users (id),
  slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 63),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  created_on timestamptz NOT NULL DEFAULT now(),
  modified_on timestamptz NOT NULL DEFAULT now(),
  deleted_on timestamptz,
  is_deleted boolean NOT NULL DEFAULT false,
  CONSTRAINT grids_deleted_consistent CHECK (is_deleted = (deleted_on IS NOT NULL))
);
CREATE UNIQUE INDEX grids_slug_key ON grids (slug);
CREATE INDEX grids_owner_idx ON grids (owner);

-- A user's role inside one grid.
CREATE TABLE grid_members (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  grid_id bigint NOT NULL REFERENCES grids (id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('manager', 'builder', 'reviewer', 'submitter')),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT grid_members_grid_user_key UNIQUE (grid_id, user_id)
);
CREATE INDEX grid_members_user_idx ON grid_members (user_id);

-- Sessions (connect-pg-simple's table, as its table.sql defines it).
CREATE TABLE session (
  sid varchar NOT NULL COLLATE "default" PRIMARY KEY,
  sess json NOT NULL,
  expire timestamp(6) NOT NULL
);
CREATE INDEX session_expire_idx ON session (expire);

-- Failed sign-ins per client address, one row per address and window.
CREATE TABLE login_ip_failures (
  ip text PRIMARY KEY,
  failures integer NOT NULL,
  window_start timestamptz NOT NULL
);

-- Secrets generated for development when SESSION_SECRET or JWT_SECRET is not set (never in production).
CREATE TABLE instance_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Audit log: append-only. Writers insert inside their own transaction; nothing updates or deletes.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  actor_id bigint REFERENCES users (id),
  actor_label text,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text,
  grid_id bigint,
  before jsonb,
  after jsonb,
  request_id text,
  ip text
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id);
CREATE INDEX audit_log_grid_idx ON audit_log (grid_id, id) WHERE grid_id IS NOT NULL;
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);

-- The hash chain, written by the sealer in the background: one link per entry, in sealing order.
-- hash = sha256(prev_hash || '\n' || audit_entry_canonical(entry)), hex.
CREATE TABLE audit_chain (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  entry_id bigint NOT NULL UNIQUE,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  sealed_at timestamptz NOT NULL DEFAULT now()
);

-- Entries waiting to be sealed. A queue rather than a scan, so that entries committed out of id
-- order (concurrent transactions) are never skipped, and writers never wait on each other.
CREATE TABLE audit_unsealed (
  entry_id bigint PRIMARY KEY
);

CREATE FUNCTION audit_enqueue_for_sealing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_unsealed (entry_id) VALUES (NEW.id);
  RETURN NULL;
END $$;

CREATE TRIGGER audit_log_enqueue AFTER INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_enqueue_for_sealing();

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The exact text an entry's hash covers. jsonb's text form is canonical (keys sorted, no spaces
-- variation), and the timestamp is rendered in UTC so the session time zone cannot change it.
CREATE FUNCTION audit_entry_canonical(e audit_log) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', e.id,
    'at', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'actor', e.actor_id,
    'actorLabel', e.actor_label,
    'action', e.action,
    'entityType', e.entity_type,
    'entityId', e.entity_id,
    'grid', e.grid_id,
    'before', e.before,
    'after', e.after,
    'requestId', e.request_id,
    'ip', e.ip
  )::text
$$;

-- Down Migration
DROP TABLE IF EXISTS audit_unsealed, audit_chain, audit_log, instance_secrets, login_ip_failures,
  session, grid_members, grids, users CASCADE;
DROP FUNCTION IF EXISTS audit_entry_canonical(audit_log), audit_refuse_change(), audit_enqueue_for_sealing();
