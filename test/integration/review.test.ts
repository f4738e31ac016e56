import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, ctxFor, type TestUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, type Survey } from '../helpers/forms.js';

describe('the review workflow', () => {
  let t: TestApp;
  let s: Survey;
  let reviewer: TestUser;
  let reviewer2: TestUser;
  let manager: TestUser;
  let admin: TestUser;
  let asReviewer: ApiClient;
  let asReviewer2: ApiClient;
  let asManager: ApiClient;
  let asAdmin: ApiClient;
  let n = 0;

  beforeAll(async () => {
    t = await setupApp({ worker: true });
    s = await publishedSurvey(t);
    reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    reviewer2 = await createUser(t.rt.pool, { role: 'reviewer' });
    manager = await createUser(t.rt.pool, { role: 'builder' });
    admin = await createUser(t.rt.pool, { role: 'admin' });
    for (const [user, role] of [
      [reviewer, 'reviewer'],
      [reviewer2, 'reviewer'],
      [manager, 'manager'],
    ] as const) {
      await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: user.id, role });
    }
    asReviewer = await new ApiClient(t.baseUrl).login(reviewer.email, reviewer.password);
    asReviewer2 = await new ApiClient(t.baseUrl).login(reviewer2.email, reviewer2.password);
    asManager = await new ApiClient(t.baseUrl).login(manager.email, manager.password);
    asAdmin = await new ApiClient(t.baseUrl).login(admin.email, admin.password);
  });
  afterAll(() => t.close());

  const submit = async (api = s.submitterApi) =>
    (await api.post(`/templates/${s.templateId}/submissions`, { data: householdPayload(10_000 + n++) })).body.data
      .id as string;
  const actions = async (id: string) =>
    (
      await t.rt.pool.query(
        `SELECT action FROM audit_log WHERE entity_type = 'submission' AND entity_id = $1 AND action LIKE 'submission.%' ORDER BY id`,
        [id],
      )
    ).rows.map((r) => r.action);

  it('goes submitted -> in_review -> rejected (with a reason) -> edited -> submitted -> in_review -> approved, audited', async () => {
    const id = await submit();
    const claimed = await asReviewer.post(`/submissions/${id}/claim`);
    expect(claimed.body.data).toMatchObject({ reviewStatus: 'in_review', reviewerId: reviewer.id });

    const noReason = await asReviewer.post(`/submissions/${id}/reject`, {});
    expect(noReason.status).toBe(422);
    const rejected = await asReviewer.post(`/submissions/${id}/reject`, {
      reason: 'Household size does not match the members',
    });
    expect(rejected.body.data).toMatchObject({
      reviewStatus: 'rejected',
      reviewReason: 'Household size does not match the members',
    });

    // Not again without an edit.
    const early = await s.submitterApi.post(`/submissions/${id}/submit`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/Edit the submission before sending it back/);
    const payload = householdPayload(99_000);
    expect((await s.submitterApi.patch(`/submissions/${id}`, { data: payload })).status).toBe(200);
    const resubmitted = await s.submitterApi.post(`/submissions/${id}/submit`);
    expect(resubmitted.body.data).toMatchObject({ reviewStatus: 'submitted', reviewerId: null, processingStatus: 0 });

    await asReviewer2.post(`/submissions/${id}/claim`);
    const approved = await asReviewer2.post(`/submissions/${id}/approve`);
    expect(approved.body.data.reviewStatus).toBe('approved');
    expect((await actions(id)).filter((a) => a !== 'submission.processed')).toEqual([
      'submission.create',
      'submission.claim',
      'submission.reject',
      'submission.update',
      'submission.submit',
      'submission.claim',
      'submission.approve',
    ]);
    const history = await s.submitterApi.get(`/submissions/${id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.data.map((e: { action: string }) => e.action)).toContain('submission.reject');
  });

  it('never lets anyone review their own submission, nor decide on one claimed by another reviewer', async () => {
    const own = await submit(asManager);
    const self = await asManager.post(`/submissions/${own}/claim`);
    expect(self.status).toBe(403);
    expect(self.body.error.message).toBe('Nobody reviews their own submission');

    const id = await submit();
    await asReviewer.post(`/submissions/${id}/claim`);
    const other = await asReviewer2.post(`/submissions/${id}/approve`);
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(/Only the reviewer who claimed it/);
    // A manager of the grid may decide on it; a submitter may not review at all.
    expect((await s.submitterApi.post(`/submissions/${id}/approve`)).status).toBe(403);
    expect((await asManager.post(`/submissions/${id}/approve`)).body.data.reviewStatus).toBe('approved');
  });

  it('keeps approved final except for an admin reopen, with a reason', async () => {
    const id = await submit();
    await asReviewer.post(`/submissions/${id}/claim`);
    await asReviewer.post(`/submissions/${id}/approve`);
    expect((await asReviewer.post(`/submissions/${id}/reject`, { reason: 'changed my mind' })).status).toBe(409);
    expect((await asManager.post(`/submissions/${id}/reopen`, { reason: 'x' })).status).toBe(403);
    expect((await asAdmin.post(`/submissions/${id}/reopen`, {})).status).toBe(422);
    const reopened = await asAdmin.post(`/submissions/${id}/reopen`, { reason: 'Audit found an error in reading 4' });
    expect(reopened.body.data).toMatchObject({ reviewStatus: 'submitted', reviewerId: null });
    expect(await actions(id)).toContain('submission.reopen');
  });

  it('answers a conflict with the current state to the loser of two reviewers acting at once: 50 races, 50 winners', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const id = await submit();
      await asManager.post(`/submissions/${id}/claim`);
      ids.push(id);
    }
    // The claiming manager approves while the second manager... we use the manager and an admin, both entitled.
    const results = await Promise.all(
      ids.flatMap((id) => [
        asManager.post(`/submissions/${id}/approve`),
        asAdmin.post(`/submissions/${id}/reject`, { reason: 'race' }),
      ]),
    );
    for (let i = 0; i < ids.length; i++) {
      const pair = [results[2 * i]!, results[2 * i + 1]!];
      const statuses = pair.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
      const loser = pair.find((r) => r.status === 409)!;
      expect(loser.body.error.code).toBe('CONFLICT');
      expect(loser.body.error.details[0].path).toBe('reviewStatus');
      expect(['approved', 'rejected']).toContain(loser.body.error.details[0].message);
    }
    const decided = await t.rt.pool.query(
      `SELECT entity_id, count(*)::int AS n FROM audit_log WHERE action IN ('submission.approve', ` +
        `'submission.reject') AND entity_id = ANY ($1) GROUP BY entity_id`,
      [ids],
    );
    expect(decided.rows).toHaveLength(50);
    expect(decided.rows.every((r) => r.n === 1)).toBe(true);
  });

  it('supports comments and follow-ups, and flags overdue ones and slow reviews', async () => {
    const id = await submit();
    expect(
      (await s.submitterApi.post(`/submissions/${id}/comments`, { body: 'Reading 4 was taken at night' })).status,
    ).toBe(201);
    const followUp = await asReviewer.post(`/submissions/${id}/follow-ups`, {
      title: 'Re-measure reading 4',
      assigneeId: s.submitter.id,
      dueOn: '2020-01-01',
    });
    expect(followUp.status).toBe(201);
    expect((await s.submitterApi.post(`/submissions/${id}/follow-ups`, { title: 'I may not' })).status).toBe(403);
    const outsider = await createUser(t.rt.pool, { role: 'builder' });
    expect(
      (await asReviewer.post(`/submissions/${id}/follow-ups`, { title: 'x', assigneeId: outsider.id })).status,
    ).toBe(422);

    // Make this submission wait "too long", then run the overdue job.
    await t.rt.pool.query(`UPDATE submissions SET submitted_at = now() - interval '1000 hours' WHERE id = $1`, [id]);
    const marked = await t.rt.services.followUps.markOverdue();
    expect(marked.followUps).toBeGreaterThanOrEqual(1);
    expect(marked.submissions).toBeGreaterThanOrEqual(1);
    const mine = await s.submitterApi.get('/me/follow-ups');
    expect(mine.body.data[0]).toMatchObject({ title: 'Re-measure reading 4', overdue: true });
    expect((await s.submitterApi.get(`/submissions/${id}`)).body.data.reviewOverdue).toBe(true);

    const resolved = await s.submitterApi.post(`/follow-ups/${followUp.body.data.id}/resolve`, {
      resolution: 'Re-measured: 12.4',
    });
    expect(resolved.body.data).toMatchObject({ overdue: false, resolution: 'Re-measured: 12.4' });
    // Claiming clears the overdue flag.
    await asReviewer.post(`/submissions/${id}/claim`);
    expect((await s.submitterApi.get(`/submissions/${id}`)).body.data.reviewOverdue).toBe(false);
    expect(await actions(id)).toEqual(expect.arrayContaining(['submission.comment', 'submission.review_overdue']));
    const followUpActions = await t.rt.pool.query(
      `SELECT action FROM audit_log WHERE entity_id = $1 AND action LIKE 'follow_up.%' ORDER BY id`,
      [id],
    );
    expect(followUpActions.rows.map((r) => r.action)).toEqual([
      'follow_up.create',
      'follow_up.overdue',
      'follow_up.resolve',
    ]);
  });
});

describe('section-wise review', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupApp({ worker: true });
  });
  afterAll(() => t.close());

  it('reviews each section, derives the status, and lets the submitter resubmit only the rejected sections', async () => {
    const definition = {
      sections: [
        { id: 's_one', key: 'one', label: 'One', fields: [{ id: 'f_a', key: 'a', label: 'A', type: 'text' }] },
        { id: 's_two', key: 'two', label: 'Two', fields: [{ id: 'f_b', key: 'b', label: 'B', type: 'integer' }] },
      ],
    };
    const s = await publishedSurvey(t, definition);
    await s.builderApi.patch(`/templates/${s.templateId}`, { reviewMode: 'section' });
    const reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    await t.rt.services.grids.addMember(ctxFor(s.builder), s.gridId, { userId: reviewer.id, role: 'reviewer' });
    const asReviewer = await new ApiClient(t.baseUrl).login(reviewer.email, reviewer.password);

    const created = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: { one: { a: 'x' }, two: { b: 1 } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.data.id;
    const sections = await asReviewer.get(`/submissions/${id}/sections`);
    expect(sections.body.data.map((x: { status: string }) => x.status)).toEqual(['submitted', 'submitted']);
    expect((await asReviewer.post(`/submissions/${id}/claim`)).status).toBe(422);

    const claimed = await asReviewer.post(`/submissions/${id}/claim`, { sectionId: 's_one' });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(claimed.body.data.reviewStatus).toBe('in_review');
    await asReviewer.post(`/submissions/${id}/approve`, { sectionId: 's_one' });
    await asReviewer.post(`/submissions/${id}/claim`, { sectionId: 's_two' });
    const rejected = await asReviewer.post(`/submissions/${id}/reject`, {
      sectionId: 's_two',
      reason: 'b must be larger',
    });
    expect(rejected.body.data).toMatchObject({ reviewStatus: 'rejected', reviewReason: 'Two: b must be larger' });

    // Changing the approved section is refused; changing the rejected one is fine.
    const touchApproved = await s.submitterApi.patch(`/submissions/${id}`, {
      data: { one: { a: 'changed' }, two: { b: 5 } },
    });
    expect(touchApproved.status).toBe(409);
    expect(touchApproved.body.error.message).toMatch(/Section "One" was not rejected/);
    expect(
      (await s.submitterApi.patch(`/submissions/${id}`, { data: { one: { a: 'x' }, two: { b: 5 } } })).status,
    ).toBe(200);
    const resubmitted = await s.submitterApi.post(`/submissions/${id}/submit`);
    expect(resubmitted.body.data.reviewStatus).toBe('in_review');
    const after = (await asReviewer.get(`/submissions/${id}/sections`)).body.data;
    expect(
      Object.fromEntries(after.map((x: { sectionId: string; status: string }) => [x.sectionId, x.status])),
    ).toEqual({ s_one: 'approved', s_two: 'submitted' });

    await asReviewer.post(`/submissions/${id}/claim`, { sectionId: 's_two' });
    const approved = await asReviewer.post(`/submissions/${id}/approve`, { sectionId: 's_two' });
    expect(approved.body.data.reviewStatus).toBe('approved');
  });
});
