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
}

export class BlobMissingError extends Error {}

export const SHA256 = /^[0-9a-f]{64}$/;
