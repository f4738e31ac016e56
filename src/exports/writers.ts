import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import type { PoolClient } from '../db/pool.js';
import QueryStream from 'pg-query-stream';
import { csvLine, neutralize, type CellKind } from './csv.js';
import type { Sheet } from './export-plan.js';
import { XlsxWriter } from './xlsx.js';
import { openZip } from './zip.js';

/**
 * Streaming writers: rows come from a server-side cursor (pg-query-stream, a few thousand at a
 * time) and leave as they come, with back-pressure, so memory stays flat whatever the row count.
 */

export type Format = 'csv' | 'xlsx' | 'zip';
export type OnRows = (rows: number) => void;

const BATCH = 256;
/** Progress is reported every this many rows. */
const PROGRESS_EVERY = 5000;

async function* sheetRows(client: PoolClient, sheet: Sheet, templateId: string): AsyncGenerator<unknown[]> {
  const stream = client.query(new QueryStream(sheet.sql, [templateId], { batchSize: BATCH, rowMode: 'array' }));
  const present = sheet.present;
  try {
    for await (const row of stream)
      yield present
        ? (row as unknown[]).map((v, i) => (v === null || !present[i] ? v : present[i]!(v)))
        : (row as unknown[]);
  } finally {
    stream.destroy();
  }
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function writeCsv(
  out: Writable,
  client: PoolClient,
  sheet: Sheet,
  templateId: string,
  onRows: OnRows,
): Promise<void> {
  await write(
    out,
    `\uFEFF${csvLine(
      sheet.headers.map(neutralize),
      sheet.headers.map(() => 'text' as CellKind),
    )}`,
  );
  let buffer = '';
  let count = 0;
  for await (const row of sheetRows(client, sheet, templateId)) {
    buffer += csvLine(row, sheet.kinds);
    count++;
    if (buffer.length > 64 * 1024) {
      await write(out, buffer);
      buffer = '';
    }
    if (count % PROGRESS_EVERY === 0) onRows(PROGRESS_EVERY);
  }
  if (buffer) await write(out, buffer);
  onRows(count % PROGRESS_EVERY);
}

async function writeXlsx(
  out: Writable,
  client: PoolClient,
  sheets: Sheet[],
  templateId: string,
  onRows: OnRows,
): Promise<void> {
  const workbook = new XlsxWriter(out);
  for (const sheet of sheets) {
    let count = 0;
    await workbook.addSheet(sheet.name, sheet.headers, sheet.kinds, sheetRows(client, sheet, templateId), () => {
      if (++count % PROGRESS_EVERY === 0) onRows(PROGRESS_EVERY);
    });
    onRows(count % PROGRESS_EVERY);
  }
  await workbook.finish();
}

async function writeZip(
  out: Writable,
  client: PoolClient,
  sheets: Sheet[],
  templateId: string,
  onRows: OnRows,
): Promise<void> {
  const zip = openZip(out);
  for (const sheet of sheets) {
    const entry = new PassThrough();
    zip.archive.append(entry, { name: `${sheet.name}.csv` });
    await writeCsv(entry, client, sheet, templateId, onRows);
    entry.end();
    await once(entry, 'end');
  }
  await zip.finish();
}

/**
 * Writes an export to `out`. `csv` writes one sheet (the main one, or `table`), `xlsx` every sheet
 * as a worksheet, `zip` every sheet as a CSV file.
 */
export async function writeExport(
  out: Writable,
  client: PoolClient,
  sheets: Sheet[],
  format: Format,
  templateId: string,
  onRows: OnRows = () => {},
): Promise<void> {
  if (format === 'xlsx') return writeXlsx(out, client, sheets, templateId, onRows);
  if (format === 'zip') return writeZip(out, client, sheets, templateId, onRows);
  await writeCsv(out, client, sheets[0]!, templateId, onRows);
  out.end();
  await once(out, 'finish');
}

export const CONTENT_TYPES: Record<Format, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
};
