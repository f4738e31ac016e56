import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import busboy from 'busboy';
import { AppError, BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors/app-error.js';
import { SNIFF_BYTES, sniffType } from './sniff.js';

/**
 * Receives a multipart upload (a `field` part naming the file field, then one or more `file`
 * parts), streaming each file to a staged temporary file while hashing it, with a byte limit that
 * aborts as soon as it is crossed. Nothing here trusts the client's file name or Content-Type: the
 * staged name is random and the type is sniffed from the bytes. On any failure every staged file
 * is removed before the error leaves.
 */

export interface StagedFile {
  /** The client's name, for display and downloads only (sanitised). */
  originalName: string;
  stagedPath: string;
  sha256: string;
  size: number;
  detectedType: string;
}

export class StorageFullError extends AppError {
  constructor() {
    super(
      'SERVICE_UNAVAILABLE',
      507,
      'The file store is full: the upload was not stored. Try again later or ask an administrator.',
    );
  }
}

/**
 * Characters a stored name never keeps: C0 and C1 controls, DEL, the double quote, and the
 * bidirectional controls (embeddings, overrides, isolates, marks) with which `\u202Egnp.exe`
 * reads as "exe.png" in a file list.
 */
// Control characters are what this pattern is for.
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME_CHARACTERS = /[\u0000-\u001f\u007f-\u009f"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Keeps a readable name: no path, no control or direction characters, at most 255 characters. */
export function sanitizeFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const clean = base.normalize('NFC').replace(UNSAFE_NAME_CHARACTERS, '').replace(/^\.+/, '').trim().slice(0, 255);
  return clean || 'file';
}

export interface ReceiveOptions<F> {
  stagingDir: string;
  /** Resolves the `field` part to a file field, or throws (unknown field, not a file field). */
  resolveField: (name: string) => F;
  /** Largest file accepted for that field. */
  maxBytesFor: (field: F) => number;
  maxFiles: number;
}

export async function receiveUpload<F>(
  req: Readable & { headers: IncomingHttpHeaders },
  options: ReceiveOptions<F>,
): Promise<{ field: F; files: StagedFile[] }> {
  if (!String(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
    throw new UnsupportedMediaTypeError(
      'Send files as multipart/form-data: a "field" part, then one or more "file" parts',
    );
  }
  await mkdir(options.stagingDir, { recursive: true });
  const staged: StagedFile[] = [];
  const writing: Promise<void>[] = [];
  let field: F | null = null;

  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        req.unpipe(parser);
        reject(error);
      };
      let parser: busboy.Busboy;
      try {
        // Browsers send file names as UTF-8 bytes in the part's header (busboy reads them as Latin-1
        // unless told): "été.pdf" must not come out as "Ã©tÃ©.pdf".
        parser = busboy({
          headers: req.headers,
          defParamCharset: 'utf8',
          limits: { files: options.maxFiles, fields: 5, fieldSize: 1000, parts: options.maxFiles + 5 },
        });
      } catch (error) {
        reject(new BadRequestError(`Malformed multipart request: ${(error as Error).message}`));
        return;
      }
      parser.on('field', (name, value) => {
        if (name !== 'field')
          return fail(new BadRequestError(`Unexpected part "${name}": send "field" then "file" parts`));
        try {
          field = options.resolveField(value);
        } catch (error) {
          fail(error);
        }
      });
      parser.on('file', (name, stream, info) => {
        if (failed) return stream.resume();
        if (name !== 'file')
          return fail(new BadRequestError(`Unexpected part "${name}": send "field" then "file" parts`));
        if (field === null) return fail(new BadRequestError('The "field" part must come before the files'));
        const limit = options.maxBytesFor(field);
        const stagedPath = path.join(options.stagingDir, `${randomUUID()}.part`);
        const out = createWriteStream(stagedPath, { flags: 'wx' });
        const hash = createHash('sha256');
        const head: Buffer[] = [];
        let headBytes = 0;
        let size = 0;
        const file: StagedFile = {
          originalName: sanitizeFileName(info.filename),
          stagedPath,
          sha256: '',
          size: 0,
          detectedType: '',
        };
        staged.push(file);
        writing.push(
          new Promise<void>((done, error) => {
            out.on('error', (e: NodeJS.ErrnoException) => {
              const wrapped = e.code === 'ENOSPC' || e.code === 'EDQUOT' ? new StorageFullError() : e;
              error(wrapped);
              fail(wrapped);
            });
            // 'close' also comes after destroy() (a file over its limit), where 'finish' never does.
            out.on('close', () => done());
          }),
        );
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            stream.unpipe(out);
            out.destroy();
            stream.resume();
            fail(
              new PayloadTooLargeError(
                `${file.originalName} is larger than ${limit} bytes, the most this field accepts`,
              ),
            );
            return;
          }
          hash.update(chunk);
          if (headBytes < SNIFF_BYTES) {
            head.push(chunk);
            headBytes += chunk.length;
          }
        });
        stream.on('end', () => {
          if (failed) return;
          file.sha256 = hash.digest('hex');
          file.size = size;
          file.detectedType = sniffType(Buffer.concat(head).subarray(0, SNIFF_BYTES));
        });
        stream.on('limit', () => fail(new PayloadTooLargeError(`${file.originalName} is too large`)));
        stream.pipe(out);
      });
      parser.on('filesLimit', () => fail(new PayloadTooLargeError(`At most ${options.maxFiles} files per request`)));
      parser.on('partsLimit', () => fail(new PayloadTooLargeError('Too many parts in this request')));
      parser.on('error', (error: Error) => fail(new BadRequestError(`Malformed multipart request: ${error.message}`)));
      parser.on('close', () => {
        if (!failed) resolve();
      });
      req.on('error', (error) => fail(error));
      req.pipe(parser);
    });
    await Promise.all(writing);
    if (field === null) throw new BadRequestError('Name the file field in a "field" part');
    if (staged.length === 0) throw new BadRequestError('Send at least one "file" part');
    return { field, files: staged };
  } catch (error) {
    await Promise.allSettled(writing);
    await discardStaged(staged);
    throw error;
  }
}

export async function discardStaged(files: StagedFile[]): Promise<void> {
  await Promise.all(files.map((f) => rm(f.stagedPath, { force: true })));
}
