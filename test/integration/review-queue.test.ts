import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/admin-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createGrid, createUser, ctxFor, type TestUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, type Survey } from '../helpers/forms.js';

const TWO_SECTIONS = {
  sections: [
    { id: 's_one', key: 'one', label: 'One', fields: [{ id: 'f_a', key: 'a', label: 'A', type: 'text' }] },
    { id: 's_two', key: 'two', label: 'Two', fields: [{ id: 'f_b', key: 'b', label: 'B', type: 'integer' }] },
  ],
};

describe('the review queue and decisions on the whole submission', () => {
  let t: TestApp;
  let s: Survey;
  let sec: Survey;
  let reviewer: TestUser;
  let reviewer2: TestUser;
  let outsider: TestUser;
  let n = 0;

  beforeAll(async () => {
    t = await setupApp();
    s = await publishedSurvey(t);
    sec = await publishedSurvey(t, TWO_SECTIONS);
    await sec.builderApi.patch(`/templates/${sec.templateId}`, { reviewMode: 'section' });
    reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    reviewer2 = await createUser(t.rt.pool, { role: 'reviewer' });
    outsider = await createUser(t.rt.pool, { role: 'reviewer' });
    for (const survey of [s, sec]) {
      for (const user of [reviewer, reviewer2])
        await t.rt.services.grids.addMember(ctxFor(survey.builder), survey.gridId, {
          userId: user.id,
          role: 'reviewer',
        });
    }
    // A reviewer of another grid only: sees none of these.
    await createGrid(t.rt, await createUser(t.rt.pool, { role: 'builder' }), [{ user: outsider, role: 'reviewer' }]);
  });
  afterAll(() => t?.close());

  const submitWhole = async () =>
    (await s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(n++) })).body.data
      .id as string;
  const submitSections = async () =>
    (
      await sec.submitterApi.post(`/templates/${sec.templateId}/submissions`, {
        data: { one: { a: `x${n++}` }, two: { b: 1 } },
      })
    ).body.data.id as string;
  const queueOf = (user: TestUser) => t.rt.services.reviewQueue.queue(ctxFor(user));
  const ids = (items: { id: string }[]) => items.map((i) => i.id);
  const sectionStates = async (id: string) =>
    Object.fromEntries(
      (
        await t.rt.pool.query('SELECT section_id, status FROM submission_section_reviews WHERE submission_id = $1', [
          id,
        ])
      ).rows.map((r) => [r.section_id, r.status]),
    );
  const statusOf = async (id: string) =>
    (await t.rt.pool.query('SELECT review_status FROM submissions WHERE id = $1', [id])).rows[0]
      .review_status as string;

  it('lists what waits, overdue first, and what I claimed; claim next takes the first waiting; nobody sees their own or other grids', async () => {
    const first = await submitWhole();
    const second = await submitWhole();
    const late = await submitWhole();
    await t.rt.pool.query('UPDATE submissions SET review_overdue_at = now() WHERE id = $1', [late]);

    const q = await queueOf(reviewer);
    expect(ids(q.waiting.items)).toEqual([late, first, second]);
    expect(q.waiting).toMatchObject({ count: 3, overdue: 1 });
    expect(q.waiting.items[0]).toMatchObject({
      templateTitle: 'Household survey',
      overdue: true,
      reviewMode: 'submission',
      submitterName: s.submitter.name,
    });
    expect(q.claimed.count).toBe(0);
    expect((await queueOf(outsider)).waiting.count).toBe(0);
    expect((await queueOf(s.submitter)).waiting.count).toBe(0);
    await expect(t.rt.services.reviewQueue.claimNext(ctxFor(outsider))).resolves.toBeNull();
    await expect(t.rt.services.reviewQueue.claimNext(ctxFor(s.submitter))).rejects.toThrow(/review in no grid/);

    const taken = await t.rt.services.reviewQueue.claimNext(ctxFor(reviewer));
    expect(taken).toMatchObject({ id: late, reviewStatus: 'in_review', reviewerId: reviewer.id });
    const taken2 = await t.rt.services.reviewQueue.claimNext(ctxFor(reviewer2));
    expect(taken2?.id).toBe(first);

    const after = await queueOf(reviewer);
    expect(ids(after.waiting.items)).toEqual([second]);
    expect(ids(after.claimed.items)).toEqual([late]);
    expect(ids((await queueOf(reviewer2)).claimed.items)).toEqual([first]);
  });

  it('keeps a resubmitted section-reviewed submission in the queue until its rejected section is claimed', async () => {
    const id = await submitSections();
    expect(ids((await queueOf(reviewer)).waiting.items)).toContain(id);
    // Claim next on a section-reviewed submission takes every section nobody has claimed.
    await t.rt.pool.query(`UPDATE submissions SET review_overdue_at = now() WHERE id = $1`, [id]);
    expect((await t.rt.services.reviewQueue.claimNext(ctxFor(reviewer)))?.id).toBe(id);
    expect(await sectionStates(id)).toEqual({ s_one: 'in_review', s_two: 'in_review' });
    expect(ids((await queueOf(reviewer)).claimed.items)).toContain(id);

    await t.rt.services.review.approve(ctxFor(reviewer), id, { sectionId: 's_one' });
    await t.rt.services.review.reject(ctxFor(reviewer), id, { sectionId: 's_two', reason: 'b must be larger' });
    expect(await statusOf(id)).toBe('rejected');
    expect(ids((await queueOf(reviewer)).waiting.items)).not.toContain(id);

    expect(
      (
        await sec.submitterApi.patch(`/submissions/${id}`, {
          data: {
            one: {
              a: (await t.rt.pool.query('SELECT payload FROM submissions WHERE id = $1', [id])).rows[0].payload.one.a,
            },
            two: { b: 5 },
          },
        })
      ).status,
    ).toBe(200);
    expect((await sec.submitterApi.post(`/submissions/${id}/submit`)).body.data.reviewStatus).toBe('in_review');

    const q = await queueOf(reviewer2);
    const item = q.waiting.items.find((i) => i.id === id);
    expect(item).toMatchObject({ reviewStatus: 'in_review', reviewMode: 'section', openSections: 1, mySections: 0 });
    await t.rt.pool.query(`UPDATE submissions SET review_overdue_at = now() WHERE id = $1`, [id]);
    expect((await t.rt.services.reviewQueue.claimNext(ctxFor(reviewer2)))?.id).toBe(id);
    expect(await sectionStates(id)).toEqual({ s_one: 'approved', s_two: 'in_review' });
    expect(ids((await queueOf(reviewer2)).waiting.items)).not.toContain(id);
    expect((await queueOf(reviewer2)).claimed.items.find((i) => i.id === id)).toMatchObject({ mySections: 1 });
  });

  it('approves every section of a section-reviewed submission at once, or refuses and changes nothing', async () => {
    const id = await submitSections();
    await t.rt.services.review.claim(ctxFor(reviewer), id, { sectionId: 's_one' });
    const audits = async () =>
      Number(
        (
          await t.rt.pool.query(`SELECT count(*) FROM audit_log WHERE entity_id = $1 AND entity_type = 'submission'`, [
            id,
          ])
        ).rows[0].count,
      );
    const before = await audits();

    // A section nobody claimed: refused, with its label; nothing changed.
    await expect(t.rt.services.review.approveWhole(ctxFor(reviewer), id)).rejects.toThrow(
      /Claim every section before deciding on the whole submission: "Two" is not claimed/,
    );
    expect(await sectionStates(id)).toEqual({ s_one: 'in_review', s_two: 'submitted' });
    // Another reviewer's section: refused for the whole, nothing changed.
    await t.rt.services.review.claim(ctxFor(reviewer2), id, { sectionId: 's_two' });
    await expect(t.rt.services.review.approveWhole(ctxFor(reviewer), id)).rejects.toThrow(
      /Only the reviewer who claimed it/,
    );
    expect(await sectionStates(id)).toEqual({ s_one: 'in_review', s_two: 'in_review' });
    expect(await audits()).toBe(before + 1);

    const other = await submitSections();
    await t.rt.services.review.claimWhole(ctxFor(reviewer), other);
    const approved = await t.rt.services.review.approveWhole(ctxFor(reviewer), other);
    expect(approved.reviewStatus).toBe('approved');
    expect(await sectionStates(other)).toEqual({ s_one: 'approved', s_two: 'approved' });

    const third = await submitSections();
    await t.rt.services.review.claimWhole(ctxFor(reviewer), third);
    await expect(t.rt.services.review.rejectWhole(ctxFor(reviewer), third, { reason: ' ' })).rejects.toThrow(
      /needs a reason/,
    );
    const rejected = await t.rt.services.review.rejectWhole(ctxFor(reviewer), third, { reason: 'all wrong' });
    expect(rejected.reviewStatus).toBe('rejected');
    expect(await sectionStates(third)).toEqual({ s_one: 'rejected', s_two: 'rejected' });
  });

  it("the list's bulk Approve decides section-reviewed submissions through the same rule", async () => {
    const admin = new AdminClient(t.baseUrl);
    expect((await admin.login(reviewer.email, reviewer.password)).status).toBe(302);
    const ready = await submitSections();
    await t.rt.services.review.claimWhole(ctxFor(reviewer), ready);
    const unclaimed = await submitSections();
    const whole = await submitWhole();
    await t.rt.services.review.claim(ctxFor(reviewer), whole);

    const res = await admin.postJson(
      `/admin/api/resources/submissions/bulk/approveBulk?recordIds=${[ready, unclaimed, whole].join(',')}`,
    );
    expect(res.status, res.text).toBe(200);
    const results = Object.fromEntries(
      (res.body.results as { id: string; ok: boolean; message: string }[]).map((r) => [r.id, r]),
    );
    expect(results[ready]).toMatchObject({ ok: true });
    expect(results[whole]).toMatchObject({ ok: true });
    expect(results[unclaimed]).toMatchObject({ ok: false });
    expect(results[unclaimed]!.message).toMatch(/Claim every section/);
    expect(await statusOf(ready)).toBe('approved');
    expect(await statusOf(whole)).toBe('approved');
    expect(await statusOf(unclaimed)).toBe('submitted');
  });
});
