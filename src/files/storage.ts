import type { Readable } from 'node:stream';

/**
 * Where blobs live, by SHA-256 of their content: the local filesystem by default, or an
 * S3-compatible bucket. Uploads are first staged in a local temporary file (to hash and check
 * them); only complete, accepted content reaches the store, under a name derived from its hash,
 * never from anything the client sent.
 */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  /** Stores the staged file as blob `sha256`; a no-op when that content is already stored. */
  putFile(sha256: string, stagedPath: string, size: number, contentType: string): Promise<{ created: boolean }>;
  has(sha256: string): Promise<boolean>;
  open(sha256: string): Promise<Readable>;
  delete(sha256: string): Promise<void>;
  /** Every stored blob (for the clean-up's search for orphans). */
  list(): AsyncIterable<{ sha256: string; modifiedAt: Date }>;
  /** Releases connections (the S3 client's sockets); the local store has none. */
  destroy?(): void;
  /**
   * Small named records beside the blobs, under `<name>` (lower-case path segments), written
   * whole or not at all: the audit chain's checkpoints (src/audit/checkpoints.ts).
   */
  putObject?(name: string, body: string): Promise<void>;
  /** A named record's content, or null when there is none. */
  getObject?(name: string): Promise<string | null>;
}

/** Names of records: `audit-checkpoints/latest.json`, never anything a client sent. */
export const OBJECT_NAME = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9.-]*)+$/;

export function assertObjectName(name: string): string {
  if (!OBJECT_NAME.test(name) || name.includes('..')) throw new Error(`not a record name: ${name}`);
  return name;
}

export class BlobMissingError extends Error {}

export const SHA256 = /^[0-9a-f]{64}$/;
