import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { CellKind } from '../../src/exports/csv.js';
import { columnName, xmlEscape, XlsxWriter } from '../../src/exports/xlsx.js';

async function* rowsOf(rows: unknown[][]) {
  for (const row of rows) yield row;
}

/** Writes sheets with our writer and reads them back with exceljs (an independent reader). */
async function roundTrip(
  sheets: { name: string; headers: string[]; kinds: CellKind[]; rows: unknown[][] }[],
  maxRows?: number,
) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const writer = new XlsxWriter(out, maxRows);
  for (const sheet of sheets) await writer.addSheet(sheet.name, sheet.headers, sheet.kinds, rowsOf(sheet.rows));
  await writer.finish();
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  return workbook;
}

describe('the streaming XLSX writer', () => {
  it('names columns like a spreadsheet', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702, 16383].map(columnName)).toEqual([
      'A',
      'B',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
      'XFD',
    ]);
  });

  it('escapes XML and drops the characters XML cannot hold', () => {
    expect(xmlEscape('a < b & "c" > d')).toBe('a &lt; b &amp; &quot;c&quot; &gt; d');
    expect(xmlEscape('bell\u0007 tab\t nl\n')).toBe('bell tab\t nl\n');
  });

  it('writes typed cells that a spreadsheet reads back: numbers, booleans, dates, text as typed text (no formula guard quote)', async () => {
    const workbook = await roundTrip([
      {
        name: 'data',
        headers: ['Id', 'Name', 'Size', 'Ok', 'Visited', 'At', 'Tags', 'Empty'],
        kinds: ['number', 'text', 'number', 'boolean', 'date', 'date', 'list', 'text'],
        rows: [
          [
            '1',
            '=HYPERLINK("http://evil","x")',
            12.5,
            true,
            '2026-03-01',
            new Date('2026-03-01T10:30:00Z'),
            ['a', 'b'],
            null,
          ],
          [
            '2',
            'Ünïcödé <tag> & "quotes"\nsecond line',
            -3,
            false,
            '1999-12-31',
            new Date('2000-01-01T00:00:00Z'),
            [],
            'x',
          ],
        ],
      },
    ]);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('data');
    expect(sheet.rowCount).toBe(3);
    expect(sheet.getRow(1).values).toEqual([undefined, 'Id', 'Name', 'Size', 'Ok', 'Visited', 'At', 'Tags', 'Empty']);
    const first = sheet.getRow(2);
    expect(first.getCell(1).value).toBe(1);
    // An inline string cell is text, never a formula: no visible leading quote (only CSV needs it).
    expect(first.getCell(2).value).toBe(`=HYPERLINK("http://evil","x")`);
    expect(first.getCell(2).type).toBe(ExcelJS.ValueType.String);
    expect(first.getCell(3).value).toBe(12.5);
    expect(first.getCell(4).value).toBe(true);
    expect(first.getCell(5).value).toEqual(new Date('2026-03-01T00:00:00Z'));
    expect(first.getCell(6).value).toEqual(new Date('2026-03-01T10:30:00Z'));
    expect(first.getCell(7).value).toBe('a; b');
    expect(first.getCell(8).value).toBeNull();
    const second = sheet.getRow(3);
    expect(second.getCell(2).value).toBe('Ünïcödé <tag> & "quotes"\nsecond line');
    expect(second.getCell(3).value).toBe(-3);
    expect(second.getCell(4).value).toBe(false);
    expect(second.getCell(8).value).toBe('x');
  });

  it('continues a sheet longer than a worksheet holds in "<name> (2)", each part with its header', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => [i + 1]);
    const workbook = await roundTrip(
      [
        { name: 'data', headers: ['N'], kinds: ['number'], rows },
        { name: 'household.members', headers: ['N'], kinds: ['number'], rows: rows.slice(0, 2) },
      ],
      4,
    );
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['data', 'data (2)', 'data (3)', 'household.members']);
    expect(workbook.worksheets.map((w) => w.rowCount)).toEqual([4, 4, 2, 3]);
    expect(workbook.worksheets[1]!.getRow(1).getCell(1).value).toBe('N');
    const all = workbook.worksheets.slice(0, 3).flatMap((w) =>
      w
        .getSheetValues()
        .slice(2)
        .map((r) => (r as unknown[])[1]),
    );
    expect(all).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
