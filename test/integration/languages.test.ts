import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, ctxFor } from '../helpers/factories.js';
import { publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';
import { rawRequest } from '../helpers/upload.js';
import { FORMS } from '../rules/forms.js';

/**
 * A form in several languages through the API and the worker, against real PostgreSQL and Redis:
 * the schema in ?lang=, a constraint refused (422) with its message in the language asked for
 * (?lang= or Accept-Language), an export's headers in lang=, and missing translations returned as
 * warnings by save and plan, never as errors.
 */
describe('a form in several languages', () => {
  let t: TestApp;
  let s: Survey;
  const raw = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(`${t.baseUrl}/api/v1${path}`, {
      headers: { authorization: `Bearer ${s.builderApi.token}`, ...headers },
    });

  beforeAll(async () => {
    t = await setupApp({ worker: true });
    s = await publishedSurvey(t, structuredClone(FORMS.lang));
  });

  afterAll(async () => {
    await t?.close();
  });

  const bad = { h: { adults: 1, start: '2024-05-02', end: '2024-05-01' } };

  it('serves the schema in ?lang=, in Accept-Language, and as published in the default language', async () => {
    const sw = await s.submitterApi.get(`/templates/${s.templateId}/schema?lang=sw`);
    expect(sw.status).toBe(200);
    expect(sw.body.data.properties.h.title).toBe('Kaya');
    expect(sw.body.data.properties.h.properties.end.title).toBe('Mwisho');
    expect(sw.body.data.properties.h.properties.children.description).toBe('Chini ya miaka 18');
    const byHeader = await s.submitterApi.request('GET', `/templates/${s.templateId}/schema`, undefined, {
      'accept-language': 'sw-KE,sw;q=0.9,en;q=0.5',
    });
    expect(byHeader.body.data.properties.h.title).toBe('Kaya');
    const fr = await s.submitterApi.get(`/templates/${s.templateId}/schema?lang=fr`);
    expect(fr.body.data.properties.h.properties.adults.title).toBe('Adults'); // no French: the default's
    const plain = await s.submitterApi.get(`/templates/${s.templateId}/schema`);
    expect(plain.body.data.properties.h.title).toBe('Household');
    expect((await s.submitterApi.get(`/templates/${s.templateId}/schema?lang=not%20a%20code`)).status).toBe(422);
  });

  it('refuses a constraint violation with 422 and the message in the language asked for, by ?lang= or Accept-Language', async () => {
    const sw = await s.submitterApi.post(`/templates/${s.templateId}/submissions?lang=sw`, { data: bad });
    expect(sw.status).toBe(422);
    expect(sw.body.error.details).toEqual([
      { path: 'h.end', label: 'Mwisho', message: 'Mwisho ni siku ya mwanzo au baadaye', code: 'constraint' },
    ]);
    expect(sw.body.error.message).toBe('Mwisho: Mwisho ni siku ya mwanzo au baadaye');
    const header = await s.submitterApi.post(
      `/templates/${s.templateId}/submissions`,
      { data: bad },
      { 'accept-language': 'fr-CA, fr;q=0.9' },
    );
    expect(header.body.error.details[0]).toMatchObject({ label: 'Fin', message: 'La fin vient après le début' });
    const none = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: bad });
    expect(none.body.error.details[0]).toMatchObject({ label: 'End', message: 'The end comes on or after the start' });
    // The batch endpoint answers in the same language as the single one.
    const batch = await s.submitterApi.post(`/templates/${s.templateId}/submissions/batch?lang=sw`, {
      items: [{ idempotencyKey: 'lang-0', data: bad }],
    });
    expect(batch.body.data.items[0].error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'h.end', label: 'Mwisho', message: 'Mwisho ni siku ya mwanzo au baadaye' }],
    });
    const count = await t.rt.pool.query('SELECT count(*)::int AS n FROM submissions WHERE template_id = $1', [
      s.templateId,
    ]);
    expect(count.rows[0].n).toBe(0);
  });

  it("refuses with the engine's own messages (required, range, options) in the negotiated language, English for one it has none in", async () => {
    const wrong = { h: { adults: 30, water: 'lake' } };
    const sw = await s.submitterApi.post(
      `/templates/${s.templateId}/submissions`,
      { data: wrong },
      { 'accept-language': 'sw-KE,sw;q=0.9' },
    );
    expect(sw.status).toBe(422);
    expect(sw.body.error.details.map((d: { path: string; message: string }) => `${d.path}: ${d.message}`)).toEqual([
      'h.adults: Weka namba kamili kuanzia 0 hadi 20',
      'h.water: Chagua moja kati ya: Kisima, Bomba',
      'h: Watu wasiozidi 12',
    ]);
    const fr = await s.submitterApi.post(`/templates/${s.templateId}/submissions?lang=fr`, {
      data: { h: { children: 1 } },
    });
    expect(fr.body.error.details).toEqual([
      { path: 'h.adults', label: 'Adults', message: 'Cette réponse est obligatoire', code: 'required' },
    ]);
    const de = await s.submitterApi.post(
      `/templates/${s.templateId}/submissions`,
      { data: { h: { children: 1 } } },
      { 'accept-language': 'de-DE' },
    );
    expect(de.body.error.details).toEqual([
      { path: 'h.adults', label: 'Adults', message: 'This answer is required', code: 'required' },
    ]);
    const batch = await s.submitterApi.post(`/templates/${s.templateId}/submissions/batch?lang=sw`, {
      items: [{ idempotencyKey: 'lang-builtin', data: { h: { children: 1 } } }],
    });
    expect(batch.body.data.items[0].error.details).toEqual([
      { path: 'h.adults', label: 'Watu wazima', message: 'Jibu hili linahitajika', code: 'required' },
    ]);
  });

  it('exports with headers in lang=, the default without it', async () => {
    const ok = await s.submitterApi.post(`/templates/${s.templateId}/submissions?lang=sw`, {
      data: { h: { adults: 2, children: 1, water: 'well' } },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 1,
      30_000,
      'projected',
    );
    const sw = await raw(`/templates/${s.templateId}/export?format=csv&lang=sw`);
    expect(sw.status).toBe(200);
    const head = (body: Buffer) =>
      body
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/)[0];
    expect(head(sw.body)).toBe(
      'Submission,Submitted by,Submitted at,Review status,Watu wazima,Watoto,Jumla,Mwanzo,Mwisho,Water,Kibali',
    );
    const en = await raw(`/templates/${s.templateId}/export?format=csv`);
    expect(head(en.body)).toBe(
      'Submission,Submitted by,Submitted at,Review status,Adults,Children,Total,Start,End,Water,Permit',
    );
    // Option labels in the export's language; `values=codes` the stored value in every language.
    const water = (body: Buffer) =>
      body
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/)[1]!
        .split(',')[9];
    expect(water(sw.body)).toBe('Kisima');
    expect(water(en.body)).toBe('Well');
    expect(water((await raw(`/templates/${s.templateId}/export?format=csv&lang=sw&values=codes`)).body)).toBe('well');
  });

  it('saves a definition with a missing translation, returning it as a warning; refuses an undeclared language on its path', async () => {
    const definition = structuredClone(FORMS.lang) as unknown as { sections: { fields: { label: unknown }[] }[] };
    definition.sections[0]!.fields[1]!.label = { en: 'Children' };
    const saved = await s.builderApi.request('PUT', `/templates/${s.templateId}/definition`, definition);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.data.warnings).toContainEqual({
      path: 'sections[0].fields[1].label',
      message: 'no sw translation: the en text is shown',
    });
    const plan = await s.builderApi.post(`/templates/${s.templateId}/plan`);
    expect(plan.status).toBe(200);
    expect(plan.body.data.warnings).toContainEqual({
      path: 'sections[0].fields[1].label',
      message: 'no sw translation: the en text is shown',
    });
    definition.sections[0]!.fields[1]!.label = { en: 'Children', de: 'Kinder' };
    const refused = await s.builderApi.request('PUT', `/templates/${s.templateId}/definition`, definition);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toContainEqual({
      path: 'sections[0].fields[1].label.de',
      message: '"de" is not one of the form\'s languages (en, sw, fr)',
    });
  });

  it("names sections by their label in a section review: the caller's language in a refusal, the default in the stored reason", async () => {
    const form = await publishedSurvey(t, structuredClone(FORMS.lang));
    await form.builderApi.patch(`/templates/${form.templateId}`, { reviewMode: 'section' });
    const reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    await t.rt.services.grids.addMember(ctxFor(form.builder), form.gridId, { userId: reviewer.id, role: 'reviewer' });
    const asReviewer = await new ApiClient(t.baseUrl).login(reviewer.email, reviewer.password);
    const created = await form.submitterApi.post(`/templates/${form.templateId}/submissions`, {
      data: { h: { adults: 2 } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.data.id;
    // Deciding on the whole submission (the review page's shortcut) before claiming its section.
    await expect(t.rt.services.review.approveWhole({ ...ctxFor(reviewer), languages: ['sw'] }, id)).rejects.toThrow(
      '"Kaya" is not claimed',
    );
    await asReviewer.post(`/submissions/${id}/claim`, { sectionId: 's_lang' });
    const rejected = await asReviewer.post(`/submissions/${id}/reject`, {
      sectionId: 's_lang',
      reason: 'too few adults',
    });
    expect(rejected.body.data).toMatchObject({ reviewStatus: 'rejected', reviewReason: 'Household: too few adults' });
  });
});
