import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, ctxFor } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';
import { multipart, png, rawRequest } from '../helpers/upload.js';

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
  const get = (path: string, api: ApiClient) =>
    rawRequest(`${t.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${api.token}` } });

  beforeAll(async () => {
    t = await setupApp({ worker: true, env: { EXPORT_ASYNC_THRESHOLD: '20' } });
    s = await publishedSurvey(t);
    const payloads = [
      householdPayload(1),
      { household: { ...householdPayload(2).household, village: '=HYPERLINK("http://evil.example","click")' } },
      { household: { ...householdPayload(3).household, village: '-2+3, "quoted", and\nnewline', size: 5 } },
      { household: { ...householdPayload(4).household, village: '@SUM(A1:A9)' } },
    ];
    for (const data of payloads)
      expect((await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data })).status).toBe(202);
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 4,
    );
  });
  afterAll(() => t.close());

  it('streams a CSV: labelled columns, one row per submission, escaped, with formulas neutralised', async () => {
    const res = await get(`/templates/${s.templateId}/export?format=csv`, s.builderApi);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="household-\d{4}-\d{2}-\d{2}\.csv"/);
    const rows = parseCsv(res.body.toString('utf8').replace(/^\uFEFF/, ''));
    expect(rows[0]).toEqual([
      'Submission',
      'Submitted by',
      'Submitted at',
      'Review status',
      'Village',
      'Household size',
      'Water source',
      'Members (counted)',
    ]);
    expect(rows).toHaveLength(5);
    const villages = rows.slice(1).map((r) => r[4]);
    expect(villages).toEqual([
      'Village 1',
      `'=HYPERLINK("http://evil.example","click")`,
      `'-2+3, "quoted", and\nnewline`,
      `'@SUM(A1:A9)`,
    ]);
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
    for (let i = 0; i < 25; i++)
      await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(100 + i) });
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 29,
    );
    const started = await get(`/templates/${s.templateId}/export?format=csv`, s.builderApi);
    expect(started.status).toBe(202);
    const job = started.json().data;
    expect(job).toMatchObject({ status: 'queued', format: 'csv', statusUrl: `/api/v1/exports/${job.id}` });
    const done = await waitFor(
      () => s.builderApi.get(`/exports/${job.id}`),
      (r) => r.body.data.status === 'done',
    );
    expect(done.body.data).toMatchObject({ rowsTotal: 29, rowsDone: 29, progress: 1 });
    const file = await get(`/exports/${job.id}/download`, s.builderApi);
    expect(file.status).toBe(200);
    expect(parseCsv(file.body.toString('utf8').replace(/^\uFEFF/, ''))).toHaveLength(30);
    const audit = await t.rt.pool.query(`SELECT action FROM audit_log WHERE action LIKE 'export.%' ORDER BY id`);
    expect(audit.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['export.download', 'export.start', 'export.done']),
    );
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

describe("exports speak the form's language unless asked for codes", () => {
  let t: TestApp;
  let s: Survey;
  let fileIds: string[];
  const get = (path: string, api: ApiClient) =>
    rawRequest(`${t.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${api.token}` } });
  const csv = async (path: string) =>
    parseCsv((await get(path, s.builderApi)).body.toString('utf8').replace(/^\uFEFF/, ''));
  const definition = {
    sections: [
      {
        id: 's_visit',
        key: 'visit',
        label: 'Visit',
        fields: [
          { id: 'f_note', key: 'note', label: 'Note', type: 'text' },
          {
            id: 'f_src',
            key: 'source',
            label: 'Source',
            type: 'single_choice',
            options: [
              { value: 'piped_tap', label: 'Piped tap' },
              { value: 'well', label: 'Well' },
            ],
          },
          {
            id: 'f_tags',
            key: 'tags',
            label: 'Tags',
            type: 'multiple_choice',
            options: [
              { value: 'clean', label: 'Clean' },
              { value: 'shared', label: 'Shared by <b>all</b>' },
            ],
          },
          {
            id: 'f_photos',
            key: 'photos',
            label: 'Photos',
            type: 'file',
            multiple: true,
            rules: { accept: ['image/*'] },
          },
        ],
        tables: [
          {
            id: 't_taps',
            key: 'taps',
            label: 'Taps',
            columns: [
              {
                id: 'f_state',
                key: 'state',
                label: 'State',
                type: 'single_choice',
                options: [
                  { value: 'ok', label: 'Working' },
                  { value: 'broken', label: 'Broken' },
                ],
              },
            ],
          },
        ],
      },
    ],
  };

  beforeAll(async () => {
    t = await setupApp({ worker: true });
    s = await publishedSurvey(t, definition);
    const data = {
      visit: {
        note: '=1+1',
        source: 'piped_tap',
        tags: ['clean', 'shared'],
        taps: [{ state: 'ok' }, { state: 'broken' }],
      },
    };
    const id = (await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { draft: true, data })).body.data
      .id as string;
    const { body, contentType } = multipart([
      { name: 'field', value: 'visit.photos' },
      { name: 'file', filename: 'front door, 1.png', contentType: 'image/png', data: png('front') },
      { name: 'file', filename: 'back.png', contentType: 'image/png', data: png('back') },
    ]);
    const uploaded = await rawRequest(`${t.baseUrl}/api/v1/submissions/${id}/files`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${s.submitterApi.token}` },
      body,
    });
    expect(uploaded.status, uploaded.body.toString()).toBe(201);
    fileIds = uploaded.json().data.files.map((f: { id: string }) => f.id);
    expect((await s.submitterApi.post(`/submissions/${id}/submit`)).status).toBe(200);
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 1,
    );
  });
  afterAll(() => t.close());

  it('writes option labels, file names and status labels by default, and the stored codes with values=codes', async () => {
    const labels = await csv(`/templates/${s.templateId}/export?format=csv`);
    expect(labels[0]).toEqual([
      'Submission',
      'Submitted by',
      'Submitted at',
      'Review status',
      'Note',
      'Source',
      'Tags',
      'Photos',
    ]);
    expect(labels[1]!.slice(3)).toEqual([
      'Submitted',
      `'=1+1`,
      'Piped tap',
      'Clean; Shared by <b>all</b>',
      'front door, 1.png; back.png',
    ]);
    expect(labels[1]![1]).toBe(s.submitter.email);
    const codes = await csv(`/templates/${s.templateId}/export?format=csv&values=codes`);
    expect(codes[1]!.slice(3)).toEqual(['submitted', `'=1+1`, 'piped_tap', 'clean; shared', fileIds.join('; ')]);

    expect((await csv(`/templates/${s.templateId}/export?format=csv&table=visit.taps`)).slice(1)).toEqual([
      [expect.any(String), '1', 'Working'],
      [expect.any(String), '2', 'Broken'],
    ]);
    expect(
      (await csv(`/templates/${s.templateId}/export?format=csv&table=visit.taps&values=codes`))
        .slice(1)
        .map((r) => r[2]),
    ).toEqual(['ok', 'broken']);
    expect((await get(`/templates/${s.templateId}/export?format=csv&values=names`, s.builderApi)).status).toBe(422);
  });

  it('writes XLSX text as typed text cells: labels, and no formula guard quote', async () => {
    const xlsx = await get(`/templates/${s.templateId}/export?format=xlsx`, s.builderApi);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const row = workbook.worksheets[0]!.getRow(2);
    expect([4, 5, 6, 7, 8].map((c) => row.getCell(c).value)).toEqual([
      'Submitted',
      '=1+1',
      'Piped tap',
      'Clean; Shared by <b>all</b>',
      'front door, 1.png; back.png',
    ]);
    expect(row.getCell(5).type).toBe(ExcelJS.ValueType.String);
    expect(workbook.worksheets[1]!.getRow(2).getCell(3).value).toBe('Working');
  });

  it('keeps the choice in a background export', async () => {
    const started = await s.builderApi.post(`/templates/${s.templateId}/exports`, { format: 'csv', values: 'codes' });
    expect(started.status).toBe(202);
    expect(started.body.data.values).toBe('codes');
    const job = started.body.data;
    await waitFor(
      () => s.builderApi.get(`/exports/${job.id}`),
      (r) => r.body.data.status === 'done',
    );
    const file = await get(`/exports/${job.id}/download`, s.builderApi);
    expect(parseCsv(file.body.toString('utf8').replace(/^\uFEFF/, ''))[1]![5]).toBe('piped_tap');
    const byDefault = await s.builderApi.post(`/templates/${s.templateId}/exports`, { format: 'csv' });
    await waitFor(
      () => s.builderApi.get(`/exports/${byDefault.body.data.id}`),
      (r) => r.body.data.status === 'done',
    );
    const labelled = await get(`/exports/${byDefault.body.data.id}/download`, s.builderApi);
    expect(parseCsv(labelled.body.toString('utf8').replace(/^\uFEFF/, ''))[1]![5]).toBe('Piped tap');
  });
});
