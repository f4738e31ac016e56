import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertObjectName, BlobMissingError, SHA256, type BlobStore } from './storage.js';

/**
 * Blobs on the local filesystem: `<root>/blobs/ab/cd/<sha256>`. Staged files are renamed into
 * place (same filesystem: atomic), so a blob is either whole or absent.
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  readonly blobsDir: string;

  constructor(readonly root: string) {
    this.blobsDir = path.join(root, 'blobs');
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return path.join(this.blobsDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async putFile(sha256: string, stagedPath: string): Promise<{ created: boolean }> {
    const target = this.pathOf(sha256);
    if (await this.has(sha256)) {
      await rm(stagedPath, { force: true });
      return { created: false };
    }
    await mkdir(path.dirname(target), { recursive: true });
    await rename(stagedPath, target);
    return { created: true };
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha256))).isFile();
    } catch {
      return false;
    }
  }

  async open(sha256: string): Promise<Readable> {
    if (!(await this.has(sha256))) throw new BlobMissingError(sha256);
    return createReadStream(this.pathOf(sha256));
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** `<root>/<name>`, written to a temporary file and renamed over the old one (atomic). */
  async putObject(name: string, body: string): Promise<void> {
    const target = path.join(this.root, assertObjectName(name));
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, body, { mode: 0o640 });
    await rename(temp, target);
  }

  async getObject(name: string): Promise<string | null> {
    try {
      return await readFile(path.join(this.root, assertObjectName(name)), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async *list(): AsyncIterable<{ sha256: string; modifiedAt: Date }> {
    let first: string[];
    try {
      first = await readdir(this.blobsDir);
    } catch {
      return;
    }
    for (const a of first) {
      for (const b of await readdir(path.join(this.blobsDir, a)).catch(() => [] as string[])) {
        for (const name of await readdir(path.join(this.blobsDir, a, b)).catch(() => [] as string[])) {
          if (!SHA256.test(name)) continue;
          const info = await stat(path.join(this.blobsDir, a, b, name));
          yield { sha256: name, modifiedAt: info.mtime };
        }
      }
    }
  }
}
