import http from 'node:http';
import { deflateSync } from 'node:zlib';

/** A valid 1x1 PNG, optionally with extra bytes in a text chunk (to vary the content or the size). */
export function png(extra = ''): Buffer {
  const crc = (buf: Buffer) => {
    let c = ~0;
    for (const byte of buf) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(extra ? [chunk('tEXt', Buffer.from(`Comment\0${extra}`, 'latin1'))] : []),
    chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const HTML_PAGE = Buffer.from(
  '<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>',
);
export const SVG_WITH_SCRIPT = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="4"/></svg>',
);
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

export interface Part {
  name: string;
  value?: string;
  filename?: string;
  /** RFC 5987 form (`filename*=UTF-8''...`): can carry any character, NUL included. */
  filenameStar?: string;
  contentType?: string;
  data?: Buffer;
}

/** A multipart/form-data body, built by hand so file names can be anything (NUL, paths...). */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----gridbook${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    if (part.filenameStar !== undefined) head += `; filename*=UTF-8''${encodeURIComponent(part.filenameStar)}`;
    head += '\r\n';
    if (part.contentType) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'latin1'), part.data ?? Buffer.from(part.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json: () => any;
}

/**
 * Sends a request with node:http, reading the response as soon as it comes (a server may answer
 * 413 and close before the whole body was sent). `stream` sends the body in chunks.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer; chunkDelayMs?: number },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: options.method ?? 'GET',
      headers: { ...options.headers, ...(options.body ? { 'content-length': String(options.body.length) } : {}) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString()) });
      });
    });
    // The server may close the connection after answering early: that is not a failure of the test.
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
    });
    const body = options.body;
    if (!body) return req.end();
    if (!options.chunkDelayMs) return req.end(body);
    let offset = 0;
    const step = 64 * 1024;
    const write = () => {
      if (req.destroyed) return;
      if (offset >= body.length) return req.end();
      req.write(body.subarray(offset, offset + step));
      offset += step;
      setTimeout(write, options.chunkDelayMs);
    };
    write();
  });
}
