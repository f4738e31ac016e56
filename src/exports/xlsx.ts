import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import type { CellKind } from './csv.js';
import { openZip, type OpenZip } from './zip.js';

/**
 * A streaming XLSX (Office Open XML spreadsheet) writer: worksheets are written row by row into
 * zip entries, with back-pressure all the way from the output to the rows, so a million-row
 * export holds a few buffers, not the sheet. (exceljs's stream writer ignores back-pressure inside
 * its zip and grows with the row count.) What it writes is the minimum every spreadsheet reads:
 * inline strings, numbers, booleans, dates with a date format, no shared strings.
 *
 * A worksheet holds at most 1,048,576 rows: a longer sheet continues in "<name> (2)", and so on.
 */

export const MAX_SHEET_ROWS = 1_048_576;

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${NS}"><sheetData>`;
const SHEET_TAIL = '</sheetData></worksheet>';
/** Cell styles: 0 general, 1 a date (numFmt 14), 2 a date and time (numFmt 22). */
const STYLES =
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="${NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills ` +
  `count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill ` +
  `patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" ` +
  `fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" ` +
  `borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf ` +
  `numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`;

// Characters XML 1.0 does not allow, even escaped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

const DAY_MS = 86_400_000;
/** Excel's serial day number (1900 date system) of a UTC time. */
const serial = (ms: number) => ms / DAY_MS + 25_569;

/** The column letters of a zero-based column index: 0 is A, 25 is Z, 26 is AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

const textCell = (ref: string, text: string) =>
  `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlEscape(text)}</t></is></c>`;

/**
 * One cell at `ref` (A1 style); empty values write nothing. Text is written as it is: an inline
 * string cell is typed text, which no spreadsheet evaluates as a formula (only CSV, untyped, needs
 * the leading-quote guard), so `=1+1` stays the text the user typed, without a visible `'`.
 */
export function cellXml(ref: string, value: unknown, kind: CellKind): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? '' : `<c r="${ref}" s="2"><v>${serial(value.getTime())}</v></c>`;
  switch (kind) {
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER
        ? `<c r="${ref}"><v>${n}</v></c>`
        : textCell(ref, String(value));
    }
    case 'boolean':
      return `<c r="${ref}" t="b"><v>${value === true || value === 'true' ? 1 : 0}</v></c>`;
    case 'date': {
      const day = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
      if (day)
        return `<c r="${ref}" s="1"><v>${serial(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])))}</v></c>`;
      return textCell(ref, String(value));
    }
    case 'list':
      return textCell(ref, Array.isArray(value) ? value.join('; ') : String(value));
    default:
      return textCell(ref, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** A worksheet name Excel accepts: at most 31 characters, none of []:*?/\, unique in the workbook. */
function sheetName(name: string, used: Set<string>): string {
  let base = name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || 'sheet';
  for (let n = 2; used.has(base.toLowerCase()); n++) base = `${name.replace(/[[\]:*?/\\]/g, '_').slice(0, 26)}_${n}`;
  used.add(base.toLowerCase());
  return base;
}

export class XlsxWriter {
  private readonly zip: OpenZip;
  private readonly names: string[] = [];
  private readonly used = new Set<string>();

  /** `maxRows`: rows per worksheet, header included (Excel's limit unless a test lowers it). */
  constructor(
    out: Writable,
    private readonly maxRows = MAX_SHEET_ROWS,
  ) {
    this.zip = openZip(out);
  }

  private get archive() {
    return this.zip.archive;
  }

  /** Writes one sheet (split every `maxRows` rows); `onRow` is called per data row. */
  async addSheet(
    name: string,
    headers: string[],
    kinds: CellKind[],
    rows: AsyncIterable<unknown[]>,
    onRow: () => void = () => {},
  ): Promise<void> {
    const columns = headers.map((_h, i) => columnName(i));
    const header = `<row r="1">${headers.map((h, i) => textCell(`${columns[i]}1`, h)).join('')}</row>`;
    let part = 0;
    let entry: PassThrough | null = null;
    let inPart = 0;
    let buffer = '';
    const open = async () => {
      part++;
      this.names.push(sheetName(part === 1 ? name : `${name} (${part})`, this.used));
      entry = new PassThrough();
      this.archive.append(entry, { name: `xl/worksheets/sheet${this.names.length}.xml` });
      buffer = SHEET_HEAD + header;
      inPart = 1;
    };
    const close = async () => {
      await write(entry!, buffer + SHEET_TAIL);
      buffer = '';
      const ended = once(entry!, 'end');
      entry!.end();
      await ended;
    };
    await open();
    for await (const row of rows) {
      if (inPart === this.maxRows) {
        await close();
        await open();
      }
      inPart++;
      buffer += `<row r="${inPart}">${row.map((v, i) => cellXml(`${columns[i] ?? columnName(i)}${inPart}`, v, kinds[i] ?? 'text')).join('')}</row>`;
      onRow();
      if (buffer.length > 64 * 1024) {
        await write(entry!, buffer);
        buffer = '';
      }
    }
    await close();
  }

  /** Adds the workbook's parts and finishes the file. */
  async finish(): Promise<void> {
    const sheets = this.names
      .map((n, i) => `<sheet name="${xmlEscape(n)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join('');
    const rels = this.names
      .map(
        (_n, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
      )
      .join('');
    const overrides = this.names
      .map(
        (_n, i) =>
          `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
      )
      .join('');
    const head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
    this.archive.append(
      `${head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ` +
        `ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ` +
        `ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ` +
        `ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override ` +
        `PartName="/xl/styles.xml" ` +
        `ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>${overrides}</Types>`,
      { name: '[Content_Types].xml' },
    );
    this.archive.append(
      `${head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship ` +
        `Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      { name: '_rels/.rels' },
    );
    this.archive.append(`${head}<workbook xmlns="${NS}" xmlns:r="${REL_NS}"><sheets>${sheets}</sheets></workbook>`, {
      name: 'xl/workbook.xml',
    });
    this.archive.append(
      `${head}<Relationships ` +
        `xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}<Relationship ` +
        `Id="rId${this.names.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`,
      { name: 'xl/_rels/workbook.xml.rels' },
    );
    this.archive.append(STYLES, { name: 'xl/styles.xml' });
    await this.zip.finish();
  }
}
