/**
 * CSV cells (RFC 4180) made safe for spreadsheets: a text cell starting with =, +, -, @, a tab or a
 * carriage return would be read as a formula by Excel, LibreOffice or Google Sheets (CSV injection),
 * so it is prefixed with a single quote. Numbers, dates and booleans are written as they are (a
 * negative number is data, not a formula).
 */

export type CellKind = 'text' | 'number' | 'boolean' | 'date' | 'list';

const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralize(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvCell(value: unknown, kind: CellKind): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (kind === 'list' && Array.isArray(value)) return quote(neutralize(value.join('; ')));
  if (kind === 'number' || kind === 'boolean' || kind === 'date') return quote(String(value));
  return quote(neutralize(typeof value === 'object' ? JSON.stringify(value) : String(value)));
}

export function csvLine(values: unknown[], kinds: CellKind[]): string {
  return `${values.map((v, i) => csvCell(v, kinds[i] ?? 'text')).join(',')}\r\n`;
}
