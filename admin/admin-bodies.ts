import querystring from 'node:querystring';
import busboy from 'busboy';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { jsonProblem } from '../src/http/json-guard.js';
import { hasBody } from '../src/http/request-body.js';

/**
 * The admin panel's request bodies, parsed within limits before anything else looks at the
 * request (sessions, authentication, AdminJS). It takes the place of express-formidable, which
 * @adminjs/express expects in front of its routes: formidable 1.x applies its size limits to
 * multipart parts only and buffers urlencoded and JSON bodies whole, so one anonymous request
 * could exhaust the heap. Here:
 * - urlencoded and JSON bodies: at most 1 MiB, refused with 413 from Content-Length before a byte
 *   is read, or as soon as a chunked body passes the limit, and the connection closed;
 * - multipart bodies: fields only (the panel's forms send no files: uploads have their own route
 *   with its own limits), at most 2 MiB in all;
 * - prototype-named keys (`__proto__`, `prototype`, `constructor.x`) in the query or the body:
 *   400, since AdminJS unflattens dotted keys into objects;
 * - the parsed fields land where @adminjs/express reads them (`req.fields`).
 */

export const ADMIN_BODY_LIMITS = { form: 1024 * 1024, multipart: 2 * 1024 * 1024, fields: 2000 } as const;

class BodyRefused extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** The first key (dotted, as AdminJS flattens them) that could reach an object's prototype. */
export function prototypeKey(keys: Iterable<string>): string | null {
  for (const key of keys) {
    const parts = key.split(/[.[\]]/);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part === '__proto__' || part === 'prototype' || (part === 'constructor' && i < parts.length - 1)) return key;
    }
  }
  return null;
}

/** Every key path of a parsed JSON body, dotted. */
function* jsonKeys(value: unknown, prefix = ''): Generator<string> {
  if (value === null || typeof value !== 'object') return;
  for (const key of Object.keys(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    yield path;
    yield* jsonKeys((value as Record<string, unknown>)[key], path);
  }
}

function refuse(req: Request, res: Response, error: BodyRefused): void {
  if (error.status === 413) lingerThenClose(req, res);
  res.status(error.status);
  if (req.path.startsWith('/api/')) res.json({ notice: { message: error.message, type: 'error' } });
  else res.type('text/plain').send(error.message);
}

/** How long the rest of a refused body is read and dropped before the connection is cut. */
const LINGER_MS = 2000;

/**
 * After a 413 the rest of the body is not worth reading. Closing at once would reset the
 * connection while the client is still sending, and a reset can destroy the answer before the
 * client reads it; so, as web servers do ("lingering close"), the rest is read and dropped for a
 * short while (the client stops once it reads the 413), then the connection is cut.
 */
function lingerThenClose(req: Request, res: Response): void {
  res.once('finish', () => {
    if (req.complete) return;
    const cut = setTimeout(() => req.socket?.destroy(), LINGER_MS);
    cut.unref();
    req.once('end', () => clearTimeout(cut));
    req.once('close', () => clearTimeout(cut));
    req.resume();
  });
}

const mib = (bytes: number) => `${bytes / (1024 * 1024)} MB`;

function parseMultipart(req: Request): Promise<Record<string, unknown>> {
  const limit = ADMIN_BODY_LIMITS.multipart;
  return new Promise((resolve, reject) => {
    const fields = Object.create(null) as Record<string, unknown>;
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { files: 0, fields: ADMIN_BODY_LIMITS.fields, fieldSize: limit, parts: ADMIN_BODY_LIMITS.fields },
        defParamCharset: 'utf8',
      });
    } catch {
      reject(new BodyRefused(400, 'The form data is malformed (no multipart boundary)'));
      return;
    }
    let received = 0;
    let failed = false;
    const fail = (error: BodyRefused) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      reject(error);
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) fail(new BodyRefused(413, `The form is larger than ${mib(limit)}`));
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated)
        return fail(new BodyRefused(413, `The form field "${name.slice(0, 100)}" is larger than ${mib(limit)}`));
      const previous = fields[name];
      fields[name] =
        previous === undefined
          ? value
          : Array.isArray(previous)
            ? [...(previous as unknown[]), value]
            : [previous, value];
    });
    parser.on('file', (_name, stream) => {
      stream.resume();
      fail(new BodyRefused(400, 'This form takes no files: attach files from the submission page'));
    });
    parser.on('filesLimit', () =>
      fail(new BodyRefused(400, 'This form takes no files: attach files from the submission page')),
    );
    parser.on('fieldsLimit', () =>
      fail(new BodyRefused(413, `The form has more than ${ADMIN_BODY_LIMITS.fields} fields`)),
    );
    parser.on('partsLimit', () =>
      fail(new BodyRefused(413, `The form has more than ${ADMIN_BODY_LIMITS.fields} parts`)),
    );
    parser.on('error', () => fail(new BodyRefused(400, 'The form data is malformed')));
    parser.on('close', () => {
      if (!failed) resolve(fields);
    });
    req.pipe(parser);
  });
}

/**
 * Reads a body of at most `limit` bytes. A declared Content-Length over the limit is refused
 * before a byte is read; a chunked body as soon as it passes the limit. (body-parser refuses at
 * the same points but then reads the rest of the body off the wire before answering, so a
 * 300 MB upload still went through whole; here the answer goes at once and the connection closes.)
 */
function readBounded(req: Request, limit: number): Promise<Buffer> {
  if ((req.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity') {
    return Promise.reject(new BodyRefused(415, 'This content encoding is not accepted'));
  }
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    return Promise.reject(new BodyRefused(413, `The form is larger than ${mib(limit)}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      cleanup();
      req.pause();
      reject(new BodyRefused(413, `The form is larger than ${mib(limit)}`));
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = () => {
      cleanup();
      reject(new BodyRefused(400, 'The request body was cut short'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function parseUrlencoded(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  const pairs = text === '' ? 0 : text.split('&').length;
  if (pairs > ADMIN_BODY_LIMITS.fields)
    throw new BodyRefused(413, `The form has more than ${ADMIN_BODY_LIMITS.fields} fields`);
  return querystring.parse(text, '&', '=', { maxKeys: ADMIN_BODY_LIMITS.fields }) as Record<string, unknown>;
}

function parseJson(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new BodyRefused(400, 'The request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new BodyRefused(400, 'The request body must be a JSON object');
  const problem = jsonProblem(parsed);
  if (problem) throw new BodyRefused(400, `${problem.path}: ${problem.message}`);
  return parsed as Record<string, unknown>;
}

export function adminBodies(): RequestHandler {
  return async (req, res, next: NextFunction) => {
    try {
      const badQueryKey = prototypeKey(Object.keys(req.query));
      if (badQueryKey) throw new BodyRefused(400, `The parameter "${badQueryKey.slice(0, 100)}" is not accepted`);
      if (typeof req.query.sortBy === 'string' && prototypeKey([req.query.sortBy]))
        throw new BodyRefused(400, 'This sort is not accepted');
      if (!hasBody(req)) {
        req.fields = {};
        return next();
      }
      const type = req.headers['content-type'] ?? '';
      let fields: Record<string, unknown>;
      if (/^multipart\/form-data/i.test(type)) {
        const declared = Number(req.headers['content-length'] ?? 0);
        if (declared > ADMIN_BODY_LIMITS.multipart)
          throw new BodyRefused(413, `The form is larger than ${mib(ADMIN_BODY_LIMITS.multipart)}`);
        if ((req.headers['content-encoding'] ?? 'identity') !== 'identity')
          throw new BodyRefused(415, 'This content encoding is not accepted');
        fields = await parseMultipart(req);
      } else if (/^application\/x-www-form-urlencoded/i.test(type)) {
        fields = parseUrlencoded(await readBounded(req, ADMIN_BODY_LIMITS.form));
      } else if (/^application\/(.+\+)?json/i.test(type)) {
        fields = parseJson(await readBounded(req, ADMIN_BODY_LIMITS.form));
        // What a JSON body parser leaves for later middleware (bull-board's API reads req.body).
        req.body = fields;
      } else {
        throw new BodyRefused(415, 'The admin panel takes form data or JSON');
      }
      const badKey = prototypeKey(/^application\/(.+\+)?json/i.test(type) ? jsonKeys(fields) : Object.keys(fields));
      if (badKey) throw new BodyRefused(400, `The form field "${badKey.slice(0, 100)}" is not accepted`);
      req.fields = fields;
      next();
    } catch (error) {
      if (error instanceof BodyRefused) return refuse(req, res, error);
      next(error);
    }
  };
}
