import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { householdPayload, processed, publishedSurvey, type Survey } from '../helpers/forms.js';

/** Issue 17, "undo": a template and its data go to a trash, restorable until purged after the retention period. */

describe('template trash', () => {
  let t: TestApp;
  let s: Survey;
  let submissionId: string;

  const tableExists = async (name: string) =>
    ((await t.rt.pool.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'forms' AND tablename = $1`, [name]))
      .rowCount ?? 0) > 0;
  const views = async () =>
    Number(
      (
        await t.rt.pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'forms_current' AND obj_description(c.oid, 'pg_class') = $1`,
          [`gridbook template ${s.templateId}`],
        )
      ).rows[0]!.n,
    );
  const audits = async () =>
    (
      await t.rt.pool.query<{ action: string }>(
        `SELECT action FROM audit_log WHERE entity_type = 'template' AND entity_id = $1 ORDER BY id`,
        [s.templateId],
      )
    ).rows.map((r) => r.action);

  beforeAll(async () => {
    t = await setupApp({ worker: true, env: { TEMPLATE_TRASH_RETENTION_DAYS: '30' } });
    s = await publishedSurvey(t);
    const res = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(1) });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    submissionId = res.body.data.id;
    await processed(t.rt.pool, submissionId);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('only managers of the grid delete a template', async () => {
    const res = await s.submitterApi.delete(`/templates/${s.templateId}`);
    expect(res.status).toBe(403);
    expect((await s.builderApi.get(`/templates/${s.templateId}`)).status).toBe(200);
  });

  it('deleting hides the template, its submissions and views; its tables and rows stay; restore brings all back', async () => {
    const deleted = await s.builderApi.delete(`/templates/${s.templateId}`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    const days = (Date.parse(deleted.body.data.purgeAfter) - Date.parse(deleted.body.data.deletedOn)) / 86_400_000;
    expect(days).toBe(30);

    expect((await s.builderApi.get(`/templates/${s.templateId}`)).status).toBe(404);
    expect((await s.submitterApi.get(`/submissions/${submissionId}`)).status).toBe(404);
    expect(
      (await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(2) })).status,
    ).toBe(404);
    const listed = await s.builderApi.get(`/grids/${s.gridId}/templates`);
    expect(listed.body.data.map((x: { id: string }) => x.id)).not.toContain(s.templateId);
    const trash = await s.builderApi.get(`/grids/${s.gridId}/templates?deleted=true`);
    expect(trash.body.data.map((x: { id: string }) => x.id)).toEqual([s.templateId]);
    expect(await views()).toBe(0);
    expect(await tableExists(`f${s.templateId}_household`)).toBe(true);
    expect(
      (await t.rt.pool.query(`SELECT count(*)::int AS n FROM forms."f${s.templateId}_household"`)).rows[0]!.n,
    ).toBe(1);
    // Not purged before its time.
    expect(await t.rt.services.templateTrash.purgeExpired()).toEqual({ purged: [] });

    const restored = await s.builderApi.post(`/templates/${s.templateId}/restore`);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.data.deletedOn).toBeNull();
    expect((await s.builderApi.get(`/templates/${s.templateId}`)).status).toBe(200);
    const sub = await s.submitterApi.get(`/submissions/${submissionId}`);
    expect(sub.status).toBe(200);
    expect(await views()).toBe(2);
    expect((await s.builderApi.post(`/templates/${s.templateId}/restore`)).status).toBe(409);
    expect(await audits()).toEqual(expect.arrayContaining(['template.delete', 'template.restore']));
  }, 60_000);

  it('after the retention period the purge drops its tables and submissions; it can no longer be restored', async () => {
    expect((await s.builderApi.delete(`/templates/${s.templateId}`)).status).toBe(200);
    // 31 days ago (the clock of the database decides, as the purge does).
    await t.rt.pool.query(`UPDATE templates SET deleted_on = now() - interval '31 days' WHERE id = $1`, [s.templateId]);
    expect(await t.rt.services.templateTrash.purgeExpired()).toEqual({ purged: [s.templateId] });
    expect(await tableExists(`f${s.templateId}_household`)).toBe(false);
    expect(await tableExists(`f${s.templateId}_household__members`)).toBe(false);
    expect(
      (await t.rt.pool.query('SELECT count(*)::int AS n FROM submissions WHERE template_id = $1', [s.templateId]))
        .rows[0]!.n,
    ).toBe(0);
    const restore = await s.builderApi.post(`/templates/${s.templateId}/restore`);
    expect(restore.status).toBe(409);
    expect(restore.body.error.message).toMatch(/purged from the trash.*its tables and submissions are gone/);
    expect(await audits()).toEqual(expect.arrayContaining(['template.purge']));
    const trash = await s.builderApi.get(`/grids/${s.gridId}/templates?deleted=true`);
    expect(trash.body.data).toEqual([]);
    // Idempotent: nothing left to purge.
    expect(await t.rt.services.templateTrash.purgeExpired()).toEqual({ purged: [] });
  }, 60_000);
});
