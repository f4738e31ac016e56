import type { Writable } from 'node:stream';
import { ZipArchive } from 'archiver';

export interface OpenZip {
  archive: ZipArchive;
  /** Finalises the archive and resolves once `out` has everything. */
  finish(): Promise<void>;
}

/** A ZIP archive streaming into `out`, with its errors and the end of `out` in one promise. */
export function openZip(out: Writable): OpenZip {
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const done = new Promise<void>((resolve, reject) => {
    archive.on('error', reject);
    out.on('error', reject);
    out.on('finish', () => resolve());
    out.on('close', () => resolve());
  });
  archive.pipe(out);
  return {
    archive,
    finish: async () => {
      await archive.finalize();
      await done;
    },
  };
}
