import path from 'node:path';
import type { Config } from '../config/config.js';
import type { BlobStore } from './storage.js';
import { LocalBlobStore } from './storage.local.js';
import { S3BlobStore } from './storage.s3.js';

/** The configured store. Uploads are staged under `<STORAGE_DIR>/tmp` whatever the driver. */
export function createBlobStore(config: Config): BlobStore {
  if (config.files.driver === 's3') return new S3BlobStore(config.files.s3);
  return new LocalBlobStore(path.resolve(config.storageDir));
}

export function stagingDir(config: Config): string {
  return path.join(path.resolve(config.storageDir), 'tmp');
}
