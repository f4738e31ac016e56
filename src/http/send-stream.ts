import type { Readable } from 'node:stream';
import type { Response } from 'express';

/**
 * Streams a file to the response. Resolves when the response is done or the client went away (the
 * source is then closed); rejects when the source fails, which the error handler turns into a cut
 * connection, since the headers are already sent.
 */
export function sendStream(stream: Readable, res: Response): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}
