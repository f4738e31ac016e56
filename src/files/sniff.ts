/**
 * File types from the content's own first bytes (its signature), never from the client's
 * Content-Type or the file name: a page of HTML named photo.jpg is text/html here.
 */

export const SNIFF_BYTES = 4096;

const startsWith = (head: Buffer, bytes: number[], offset = 0) => bytes.every((b, i) => head[offset + i] === b);
const ascii = (head: Buffer, text: string, offset = 0) =>
  head.subarray(offset, offset + text.length).toString('latin1') === text;

function textOf(head: Buffer): string | null {
  // Text: valid UTF-8 (BOM allowed) with no NUL bytes in what we looked at.
  if (head.includes(0)) return null;
  const text = head.toString('utf8');
  // A truncated multi-byte character at the very end of the sample is not an error.
  const body = text.replace(/\uFFFD$/, '');
  return body.includes('\uFFFD') ? null : body.replace(/^\uFEFF/, '');
}

export function sniffType(head: Buffer): string {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (ascii(head, 'GIF87a') || ascii(head, 'GIF89a')) return 'image/gif';
  if (ascii(head, 'RIFF') && ascii(head, 'WEBP', 8)) return 'image/webp';
  if (ascii(head, '%PDF-')) return 'application/pdf';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    const names = head.toString('latin1');
    if (names.includes('word/')) return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    if (names.includes('xl/')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    return 'application/zip';
  }
  if (startsWith(head, [0x1f, 0x8b])) return 'application/gzip';
  if (ascii(head, 'ftyp', 4)) return 'video/mp4';
  if (ascii(head, 'ID3') || startsWith(head, [0xff, 0xfb])) return 'audio/mpeg';
  const text = textOf(head);
  if (text === null) return 'application/octet-stream';
  const start = text.trimStart().slice(0, 512).toLowerCase();
  if (start.startsWith('<svg') || (start.startsWith('<?xml') && /<svg[\s>]/.test(text.toLowerCase())))
    return 'image/svg+xml';
  if (/^<!doctype html|^<html|^<head|^<body|^<script|^<iframe/.test(start) || /<html[\s>]|<script[\s>]/.test(start))
    return 'text/html';
  if (start.startsWith('<?xml')) return 'application/xml';
  if (start.startsWith('{') || start.startsWith('[')) {
    try {
      JSON.parse(text);
      return 'application/json';
    } catch {
      // a prefix of JSON, or not JSON: plain text
    }
  }
  return 'text/plain';
}

/** `image/*` matches image/png; an exact type matches itself. */
export function typeAccepted(type: string, accept: string[] | undefined): boolean {
  if (!accept || accept.length === 0) return true;
  return accept.some((a) => (a.endsWith('/*') ? type.startsWith(a.slice(0, -1)) : a === type));
}

/** Types shown inline in a browser: raster images and PDF. Never SVG or HTML (they run scripts). */
export const INLINE_SAFE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'application/pdf']);
