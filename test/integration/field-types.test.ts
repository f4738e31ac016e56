import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';
import { HTML_PAGE, multipart, png, rawRequest, type Part } from '../helpers/upload.js';
import { FORMS } from '../rules/forms.js';

/**
 * Geopoint, signature and note through the API, the files pipeline and the worker, against real
 * PostgreSQL and Redis: a geopoint stored in typed columns (one per part), an out-of-range part
 * refused with 422 at its path, a signature uploaded as a PNG and referenced by the answer, a
 * note with no column and no answer.
 */
describe('geopoint, signature and note, through the API and the worker', () => {
  let t: TestApp;
  let s: Survey;
  let table: string;

  beforeAll(async () => {
    t = await setupApp({ worker: true });
    s = await publishedSurvey(t, structuredClone(FORMS.places));
    table = `forms."f${s.templateId}_g"`;
  });
  afterAll(() => t?.close());

  const upload = (submissionId: string, parts: Part[]) => {
    const { body, contentType } = multipart(parts);
    return rawRequest(`${t.baseUrl}/api/v1/submissions/${submissionId}/files`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${s.submitterApi.token}` },
      body,
    });
  };
  const LOC = { latitude: -1.286389, longitude: 36.817223, altitude: 1661.5, accuracy: 12 };

  it('publishes a double precision column per part of a geopoint, and no column for a note', async () => {
    const columns = await t.rt.pool.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'forms' AND table_name = $1 ORDER BY ordinal_position`,
      [`f${s.templateId}_g`],
    );
    expect(columns.rows.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
      'submission_id bigint',
      'loc_lat double precision',
      'loc_lon double precision',
      'loc_alt double precision',
      'loc_acc double precision',
      'spring_lat double precision',
      'spring_lon double precision',
      'spring_alt double precision',
      'spring_acc double precision',
      'consent boolean',
      'sig ARRAY',
      'wit ARRAY',
      'signed boolean',
    ]);
  });

  it('refuses an out-of-range latitude with 422 at the path of the part, storing nothing', async () => {
    const before = await t.rt.pool.query('SELECT count(*)::int AS n FROM submissions WHERE template_id = $1', [
      s.templateId,
    ]);
    const refused = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { g: { loc: { latitude: 91, longitude: 0 }, spring: { latitude: 0, longitude: -190 }, consent: true } },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual([
      { path: 'g.loc.latitude', label: 'Location', message: 'Enter a latitude from -90 to 90', code: 'range' },
      { path: 'g.spring.longitude', label: 'Spring', message: 'Enter a longitude from -180 to 180', code: 'range' },
      { path: 'g.sig', label: 'Signature', message: 'This answer is required: sign in the box', code: 'required' },
    ]);
    const after = await t.rt.pool.query('SELECT count(*)::int AS n FROM submissions WHERE template_id = $1', [
      s.templateId,
    ]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('takes a signature as an uploaded PNG (and nothing else), refers to it from the answer, and projects the point into its columns', async () => {
    const draft = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      draft: true,
      data: { g: { loc: LOC, consent: true, intro: 'echoed back' } },
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const id = draft.body.data.id as string;

    // The same content checks as any file: HTML named .png is refused by its content.
    const html = await upload(id, [
      { name: 'field', value: 'g.sig' },
      { name: 'file', filename: 'signature.png', contentType: 'image/png', data: HTML_PAGE },
    ]);
    expect(html.status).toBe(415);
    expect(html.json().error.message).toMatch(
      /text\/html by its content, which g\.sig does not accept \(accepted: image\/png\)/,
    );

    const res = await upload(id, [
      { name: 'field', value: 'g.sig' },
      { name: 'file', filename: 'signature.png', contentType: 'image/png', data: png('signed by Ann') },
    ]);
    expect(res.status, res.body.toString()).toBe(201);
    const fileId = res.json().data.files[0].id as string;

    const got = await s.submitterApi.get(`/submissions/${id}`);
    // The note's value was dropped at the door; the upload put the signature's file id in the answer.
    expect(got.body.data.data.g).toMatchObject({ loc: LOC, consent: true, sig: [fileId] });
    expect(got.body.data.data.g).not.toHaveProperty('intro');
    const submitted = await s.submitterApi.post(`/submissions/${id}/submit`);
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);

    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 1,
      30_000,
      'projected',
    );
    const row = await t.rt.pool.query(
      `SELECT loc_lat, loc_lon, loc_alt, loc_acc, spring_lat, sig::text[] AS sig, signed FROM ${table} WHERE submission_id = $1`,
      [id],
    );
    expect(row.rows).toEqual([
      {
        loc_lat: -1.286389,
        loc_lon: 36.817223,
        loc_alt: 1661.5,
        loc_acc: 12,
        spring_lat: null,
        sig: [fileId],
        signed: true,
      },
    ]);

    // The signature is served by our own files route, to whoever may read the submission.
    const image = await rawRequest(`${t.baseUrl}/api/v1/files/${fileId}?inline=1`, {
      headers: { authorization: `Bearer ${s.builderApi.token}` },
    });
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
  });

  it('refuses a file id that was not uploaded to the submission as its signature', async () => {
    const draft = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      draft: true,
      data: { g: { loc: LOC, consent: true } },
    });
    const id = draft.body.data.id as string;
    const edit = await s.submitterApi.patch(`/submissions/${id}`, {
      data: { g: { loc: LOC, consent: true, sig: ['1'] } },
    });
    expect(edit.status).toBe(422);
    expect(edit.body.error.details[0]).toMatchObject({
      path: 'g.sig',
      message: 'file 1 is not attached to this submission',
    });
  });

  it('shows the point in the current view and the export, one column per part', async () => {
    const view = await t.rt.pool.query(
      `SELECT loc_lat, loc_lon FROM forms_current."${(await slugOf()).grid}__household__g"`,
    );
    expect(view.rows).toEqual([{ loc_lat: -1.286389, loc_lon: 36.817223 }]);
    const csv = await rawRequest(`${t.baseUrl}/api/v1/templates/${s.templateId}/export?format=csv`, {
      headers: { authorization: `Bearer ${s.builderApi.token}` },
    });
    expect(csv.status).toBe(200);
    const [header, first] = csv.body
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(header).toBe(
      'Submission,Submitted by,Submitted at,Review status,Location (latitude),Location (longitude),Location ' +
        '(altitude),Location (accuracy),Spring (latitude),Spring (longitude),Spring (altitude),Spring ' +
        '(accuracy),Consent,Signature,Witness,Signed',
    );
    expect(first!.split(',').slice(4, 8)).toEqual(['-1.286389', '36.817223', '1661.5', '12']);
  });

  it('projects a geopoint part by part when PostgreSQL builds the rows from the payloads (a version without conditions)', async () => {
    const plain = await publishedSurvey(t, {
      sections: [
        {
          id: 's_plain',
          key: 'spot',
          label: 'Spot',
          fields: [
            { id: 'f_pnote', key: 'intro', label: 'Record where you stand.', type: 'note' },
            { id: 'f_ppoint', key: 'point', label: 'Point', type: 'geopoint', rules: { required: true } },
            { id: 'f_pdepth', key: 'depth', label: 'Depth', type: 'integer' },
          ],
        },
      ],
    });
    const sent = await plain.submitterApi.post(`/templates/${plain.templateId}/submissions`, {
      data: { spot: { intro: 'dropped', point: { latitude: 51.5, longitude: -0.12, altitude: null }, depth: 3 } },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    await waitFor(
      () => statusCounts(t.rt.pool, plain.templateId),
      (c) => c['1'] === 1,
      30_000,
      'projected',
    );
    const row = await t.rt.pool.query(`SELECT * FROM forms."f${plain.templateId}_spot"`);
    expect(row.rows).toEqual([
      {
        submission_id: sent.body.data.id,
        point_lat: 51.5,
        point_lon: -0.12,
        point_alt: null,
        point_acc: null,
        depth: '3',
      },
    ]);
  });

  const slugOf = async () => {
    const grid = await t.rt.pool.query<{ slug: string }>('SELECT slug FROM grids WHERE id = $1', [s.gridId]);
    return { grid: grid.rows[0]!.slug.replace(/-/g, '_') };
  };
});
