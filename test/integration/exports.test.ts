import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, ctxFor } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';
import { rawRequest } from '../helpers/upload.js';

/** Minimal CSV reader (RFC 4180) for the assertions. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('exports of processed data', () => {
  let t: TestApp;
  let s: Survey;
  const get = (path: string, api: ApiClient) => rawRequest(`${t.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${api.token}` } });

  beforeAll(async () => {
    t = await setupApp({ worker: true, env: { EXPORT_ASYNC_THRESHOLD: '20' } });
    s = await publishedSurvey(t);
    const payloads = [
      householdPayload(1),
      { household: { ...householdPayload(2).household, village: '=HYPERLINK("http://evil.example","click")' } },
      { household: { ...householdPayload(3).household, village: '-2+3, "quoted", and\nnewline', size: 5 } },
      { household: { ...householdPayload(4).household, village: '@SUM(A1:A9)' } },
    ];
    for (const data of payloads) expect((await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data })).status).toBe(202);
    await waitFor(() => statusCounts(t.rt.pool, s.templateId), (c) => c['1'] === 4);
  });
  afterAll(() => t.close());

  it('streams a CSV: labelled columns, one row per submission, escaped, with formulas neutralised', async () => {
    const res = await get(`/templates/${s.templateId}/export?format=csv`, s.builderApi);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="household-\d{4}-\d{2}-\d{2}\.csv"/);
    const rows = parseCsv(res.body.toString('utf8').replace(/^\uFEFF/, ''));
    expect(rows[0]).toEqual(['Submission', 'Submitted by', 'Submitted at', 'Review status', 'Village', 'Household size', 'Water source', 'Members (counted)']);
    expect(rows).toHaveLength(5);
    const villages = rows.slice(1).map((r) => r[4]);
    expect(villages).toEqual(['Village 1', `'=HYPERLINK("http://evil.example","click")`, `'-2+3, "quoted", and\nnewline`, `'@SUM(A1:A9)`]);
    // Numbers stay numbers (a negative number would not be touched either).
    expect(rows[3]![5]).toBe('5');
    expect(rows[1]![1]).toBe(s.submitter.email);
  });

  it('exports a repeating table on its own, and every table as XLSX worksheets or a ZIP of CSVs', async () => {
    const members = await get(`/templates/${s.templateId}/export?format=csv&table=household.members`, s.builderApi);
    const rows = parseCsv(members.body.toString('utf8').replace(/^\uFEFF/, ''));
    expect(rows[0]).toEqual(['Submission', 'Row', 'Name', 'Age']);
    expect(rows).toHaveLength(9);

    const xlsx = await get(`/templates/${s.templateId}/export?format=xlsx`, s.builderApi);
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['data', 'household.members']);
    expect(workbook.worksheets[0]!.rowCount).toBe(5);
    expect(workbook.worksheets[0]!.getRow(2).getCell(6).value).toBe(2);
    expect(workbook.worksheets[1]!.rowCount).toBe(9);

    const zip = await get(`/templates/${s.templateId}/export?format=zip`, s.builderApi);
    expect(zip.status).toBe(200);
    expect(zip.body.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(zip.body.toString('latin1')).toContain('data.csv');
    expect(zip.body.toString('latin1')).toContain('household.members.csv');
  });

  it('runs a large export in the background with progress, then serves the file', async () => {
    for (let i = 0; i < 25; i++) await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(100 + i) });
    await waitFor(() => statusCounts(t.rt.pool, s.templateId), (c) => c['1'] === 29);
    const started = await get(`/templates/${s.templateId}/export?format=csv`, s.builderApi);
    expect(started.status).toBe(202);
    const job = started.json().data;
    expect(job).toMatchObject({ status: 'queued', format: 'csv', statusUrl: `/api/v1/exports/${job.id}` });
    const done = await waitFor(() => s.builderApi.get(`/exports/${job.id}`), (r) => r.body.data.status === 'done');
    expect(done.body.data).toMatchObject({ rowsTotal: 29, rowsDone: 29, progress: 1 });
    const file = await get(`/exports/${job.id}/download`, s.builderApi);
    expect(file.status).toBe(200);
    expect(parseCsv(file.body.toString('utf8').replace(/^\uFEFF/, ''))).toHaveLength(30);
    const audit = await t.rt.pool.query(`SELECT action FROM audit_log WHERE action LIKE 'export.%' ORDER BY id`);
    expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['export.download', 'export.start', 'export.done']));
  });

  it('is for reviewers, builders and managers of the grid: submitters are refused, outsiders see nothing', async () => {
    expect((await get(`/templates/${s.templateId}/export?format=csv`, s.submitterApi)).status).toBe(403);
    const reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: reviewer.id, role: 'reviewer' });
    const asReviewer = await new ApiClient(t.baseUrl).login(reviewer.email, reviewer.password);
    expect((await get(`/templates/${s.templateId}/export?format=csv&background=false`, asReviewer)).status).toBe(202);
    const outsider = await createUser(t.rt.pool, { role: 'builder' });
    const asOutsider = await new ApiClient(t.baseUrl).login(outsider.email, outsider.password);
    expect((await get(`/templates/${s.templateId}/export?format=csv`, asOutsider)).status).toBe(404);
    expect((await get(`/templates/${s.templateId}/export?format=pdf`, s.builderApi)).status).toBe(422);
  });
});
