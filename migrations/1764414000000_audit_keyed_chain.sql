-- Up Migration

-- The audit chain becomes keyed: each link is an HMAC-SHA256 under AUDIT_KEY, a key the database
-- never holds, and records the id of its key (a fingerprint, not the key). Links sealed before this
-- migration keep key_id NULL: plain SHA-256, covered by the first keyed link after them.
ALTER TABLE audit_chain ADD COLUMN key_id text CHECK (key_id IS NULL OR key_id ~ '^[0-9a-f]{16}$');

COMMENT ON COLUMN audit_chain.key_id IS
  'id of the audit key of this link (src/audit/audit-key.ts); NULL: an unkeyed SHA-256 link sealed before the chain was keyed';

-- Down Migration
ALTER TABLE audit_chain DROP COLUMN IF EXISTS key_id;
