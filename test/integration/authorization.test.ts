import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/admin-client.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createGrid, createUser, ctxFor, type TestUser } from '../helpers/factories.js';
import { householdDefinition, householdPayload } from '../helpers/forms.js';

/**
 * The written policy (docs/permissions.md, "Submissions and templates"), tested as a table: every
 * role times every action, on records inside the actor's grid and in a grid they do not belong
 * to, through the JSON API and through the admin panel's API. Each cell gets a fresh record in the
 * state the action needs, so a refusal can only be about permission; a refused change must leave
 * the record as it was.
 */

type Role = 'anonymous' | 'submitter' | 'reviewer' | 'builder' | 'manager' | 'admin';
type Place = 'inside' | 'outside';
type Act =
  | 'read'
  | 'list'
  | 'create'
  | 'edit own'
  | 'edit other'
  | 'delete own'
  | 'delete other'
  | 'submit own'
  | 'submit other'
  | 'claim'
  | 'approve'
  | 'reject'
  | 'reopen'
  | 'export'
  | 'publish'
  | 'read audit';

const ROLES: Role[] = ['anonymous', 'submitter', 'reviewer', 'builder', 'manager', 'admin'];
const PLACES: Place[] = ['inside', 'outside'];

/** Inside the actor's grid (the grid role is the role's name; admins belong to no grid). */
// prettier-ignore
const POLICY: Record<Act, Record<Role, boolean>> = {
  //               anonymous   submitter   reviewer  builder   manager   admin
  'read':         { anonymous: false, submitter: false, reviewer: true,  builder: true,  manager: true,  admin: true },
  'list':         { anonymous: false, submitter: false, reviewer: true,  builder: true,  manager: true,  admin: true },
  'create':       { anonymous: false, submitter: true,  reviewer: false, builder: true,  manager: true,  admin: true },
  'edit own':     { anonymous: false, submitter: true,  reviewer: true,  builder: true,  manager: true,  admin: true },
  'edit other':   { anonymous: false, submitter: false, reviewer: false, builder: false, manager: false, admin: true },
  'delete own':   { anonymous: false, submitter: true,  reviewer: true,  builder: true,  manager: true,  admin: true },
  'delete other': { anonymous: false, submitter: false, reviewer: false, builder: false, manager: false, admin: true },
  'submit own':   { anonymous: false, submitter: true,  reviewer: true,  builder: true,  manager: true,  admin: true },
  'submit other': { anonymous: false, submitter: false, reviewer: false, builder: false, manager: false, admin: true },
  'claim':        { anonymous: false, submitter: false, reviewer: true,  builder: false, manager: true,  admin: true },
  'approve':      { anonymous: false, submitter: false, reviewer: true,  builder: false, manager: true,  admin: true },
  'reject':       { anonymous: false, submitter: false, reviewer: true,  builder: false, manager: true,  admin: true },
  'reopen':       { anonymous: false, submitter: false, reviewer: false, builder: false, manager: false, admin: true },
  'export':       { anonymous: false, submitter: false, reviewer: true,  builder: true,  manager: true,  admin: true },
  'publish':      { anonymous: false, submitter: false, reviewer: false, builder: true,  manager: true,  admin: true },
  'read audit':   { anonymous: false, submitter: false, reviewer: true,  builder: true,  manager: true,  admin: true },
};
const ACTS = Object.keys(POLICY) as Act[];

/** Outside the actor's grids only admins may do anything. */
const expected = (role: Role, act: Act, place: Place) => (place === 'outside' ? role === 'admin' : POLICY[act][role]);

interface Target {
  submissionId?: string;
  templateId: string;
}

interface Outcome {
  allowed: boolean;
  detail: string;
}

describe('authorization, as a table: role x action x inside/outside, through the API and the admin panel', () => {
  let t: TestApp;
  const users = {} as Record<Exclude<Role, 'anonymous'>, TestUser>;
  let author: TestUser; // submits the "other" submissions, member of both grids
  let thirdReviewer: TestUser; // claims when the actor may not
  let owner: TestUser; // manager of both grids, creates templates
  const grids = {} as Record<Place, string>;
  const templates = {} as Record<Place, string>;
  let n = 0;

  beforeAll(async () => {
    t = await setupApp();
    owner = await createUser(t.rt.pool, { role: 'builder' });
    author = await createUser(t.rt.pool, { role: 'submitter' });
    thirdReviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    users.submitter = await createUser(t.rt.pool, { role: 'submitter' });
    users.reviewer = await createUser(t.rt.pool, { role: 'reviewer' });
    users.builder = await createUser(t.rt.pool, { role: 'builder' });
    users.manager = await createUser(t.rt.pool, { role: 'builder' });
    users.admin = await createUser(t.rt.pool, { role: 'admin' });
    const common = [
      { user: author, role: 'submitter' as const },
      { user: thirdReviewer, role: 'reviewer' as const },
    ];
    grids.inside = (
      await createGrid(t.rt, owner, [
        ...common,
        { user: users.submitter, role: 'submitter' },
        { user: users.reviewer, role: 'reviewer' },
        { user: users.builder, role: 'builder' },
        { user: users.manager, role: 'manager' },
      ])
    ).id;
    grids.outside = (await createGrid(t.rt, owner, common)).id;
    for (const place of PLACES) templates[place] = await publishedTemplate(place);
  });
  afterAll(() => t?.close());

  async function publishedTemplate(place: Place, publish = true): Promise<string> {
    const ctx = ctxFor(owner);
    const template = await t.rt.services.templates.create(ctx, grids[place], {
      slug: `household-${n++}`,
      title: 'Household',
      definition: householdDefinition(),
    });
    if (publish) await t.rt.services.publisher.publish(ctx, template.id, {});
    return template.id;
  }

  const payload = () => householdPayload(1000 + n++);
  const submitted = async (place: Place) =>
    (await t.rt.services.submissions.create(ctxFor(author), templates[place], { data: payload() })).submission.id;
  const draftOf = async (place: Place, who: TestUser) => {
    const id = (
      await t.rt.services.submissions.create(ctxFor(author), templates[place], { data: payload(), draft: true })
    ).submission.id;
    if (who.id !== author.id)
      await t.rt.pool.query('UPDATE submissions SET submitted_by = $2 WHERE id = $1', [id, who.id]);
    return id;
  };
  const mayClaim = (role: Role, place: Place) =>
    role === 'admin' || (place === 'inside' && (role === 'reviewer' || role === 'manager'));
  const inReview = async (role: Role, place: Place) => {
    const id = await submitted(place);
    const claimer = mayClaim(role, place) ? users[role as Exclude<Role, 'anonymous'>] : thirdReviewer;
    await t.rt.services.review.claim(ctxFor(claimer), id);
    return id;
  };
  const approved = async (place: Place) => {
    const id = await submitted(place);
    await t.rt.services.review.claim(ctxFor(thirdReviewer), id);
    await t.rt.services.review.approve(ctxFor(thirdReviewer), id);
    return id;
  };

  /** A fresh record in the state `act` needs, for `role` in `place`. */
  async function fixture(role: Role, act: Act, place: Place): Promise<Target> {
    const self = role === 'anonymous' ? author : users[role];
    const templateId = templates[place];
    switch (act) {
      case 'read':
      case 'list':
      case 'read audit':
      case 'claim':
        return { templateId, submissionId: await submitted(place) };
      case 'create':
      case 'export':
        return { templateId };
      case 'edit own':
      case 'delete own':
      case 'submit own':
        return { templateId, submissionId: await draftOf(place, self) };
      case 'edit other':
      case 'delete other':
      case 'submit other':
        return { templateId, submissionId: await draftOf(place, author) };
      case 'approve':
      case 'reject':
        return { templateId, submissionId: await inReview(role, place) };
      case 'reopen':
        return { templateId, submissionId: await approved(place) };
      case 'publish':
        return { templateId: await publishedTemplate(place, false) };
    }
  }

  /** What a change would touch, to check that a refused one touched nothing. */
  async function state(act: Act, target: Target): Promise<unknown> {
    if (act === 'create')
      return (
        await t.rt.pool.query('SELECT count(*)::int AS n FROM submissions WHERE template_id = $1', [target.templateId])
      ).rows[0];
    if (act === 'publish')
      return (await t.rt.pool.query('SELECT current_version FROM templates WHERE id = $1', [target.templateId]))
        .rows[0];
    if (!target.submissionId) return null;
    return (
      (
        await t.rt.pool.query(
          'SELECT review_status, reviewer_id, review_reason, payload, submitted_by FROM submissions WHERE id = $1',
          [target.submissionId],
        )
      ).rows[0] ?? 'deleted'
    );
  }

  const api = async (role: Role): Promise<ApiClient> => {
    const client = new ApiClient(t.baseUrl);
    return role === 'anonymous' ? client : client.login(users[role].email, users[role].password);
  };
  const admin = async (role: Role): Promise<AdminClient> => {
    const client = new AdminClient(t.baseUrl);
    if (role !== 'anonymous') await client.login(users[role].email, users[role].password);
    return client;
  };

  const status = (allowedStatus: number) => (res: { status: number; body?: unknown }) => ({
    allowed: res.status === allowedStatus,
    detail: `${res.status} ${JSON.stringify(res.body).slice(0, 160)}`,
  });

  async function viaApi(client: ApiClient, act: Act, target: Target): Promise<Outcome> {
    const s = target.submissionId;
    switch (act) {
      case 'read':
        return status(200)(await client.get(`/submissions/${s}`));
      case 'read audit':
        return status(200)(await client.get(`/submissions/${s}/history`));
      case 'list': {
        const res = await client.get(`/templates/${target.templateId}/submissions?limit=200`);
        const ids = res.status === 200 ? (res.body.data.items as { id: string }[]).map((r) => r.id) : [];
        return { allowed: ids.includes(s!), detail: `${res.status}, ${ids.length} rows` };
      }
      case 'create':
        return status(202)(await client.post(`/templates/${target.templateId}/submissions`, { data: payload() }));
      case 'edit own':
      case 'edit other':
        return status(200)(await client.patch(`/submissions/${s}`, { data: payload() }));
      case 'delete own':
      case 'delete other':
        return status(200)(await client.delete(`/submissions/${s}`));
      case 'submit own':
      case 'submit other':
        return status(200)(await client.post(`/submissions/${s}/submit`));
      case 'claim':
      case 'approve':
        return status(200)(await client.post(`/submissions/${s}/${act}`));
      case 'reject':
      case 'reopen':
        return status(200)(await client.post(`/submissions/${s}/${act}`, { reason: 'Because the table says so' }));
      case 'export': {
        const res = await fetch(`${t.baseUrl}/api/v1/templates/${target.templateId}/export?format=csv`, {
          headers: client.token ? { authorization: `Bearer ${client.token}` } : {},
        });
        const text = await res.text();
        return {
          allowed: res.status === 200 && res.headers.get('content-type')?.startsWith('text/csv') === true,
          detail: `${res.status} ${text.slice(0, 120)}`,
        };
      }
      case 'publish':
        return status(201)(await client.post(`/templates/${target.templateId}/publish`));
    }
  }

  async function viaAdmin(client: AdminClient, act: Act, target: Target): Promise<Outcome> {
    const s = target.submissionId;
    const record = (path: string) => `/admin/api/resources/${path}`;
    const success = (res: { status: number; body: any; text: string }) => ({
      allowed: res.status === 200 && res.body?.notice?.type === 'success',
      detail: `${res.status} ${res.text.slice(0, 160)}`,
    });
    switch (act) {
      case 'read': {
        const res = await client.getJson(record(`submissions/records/${s}/show`));
        return {
          allowed: res.status === 200 && res.body?.record?.id === s,
          detail: `${res.status} ${res.text.slice(0, 160)}`,
        };
      }
      case 'read audit': {
        const res = await client.getJson(record(`submissions/records/${s}/history`));
        return {
          allowed: res.status === 200 && Array.isArray(res.body?.entries) && res.body.entries.length > 0,
          detail: `${res.status} ${res.text.slice(0, 160)}`,
        };
      }
      case 'list': {
        const res = await client.getJson(
          record(`submissions/actions/list?filters.template_id=${target.templateId}&perPage=500`),
        );
        const ids = res.status === 200 ? ((res.body?.records ?? []) as { id: string }[]).map((r) => r.id) : [];
        return { allowed: ids.includes(s!), detail: `${res.status}, ${ids.length} rows` };
      }
      case 'create':
        return success(
          await client.postJson(record(`templates/records/${target.templateId}/fill`), {
            data: JSON.stringify(payload()),
            submit: 'true',
          }),
        );
      case 'edit own':
      case 'edit other':
        return success(
          await client.postJson(record(`submissions/records/${s}/answer`), { data: JSON.stringify(payload()) }),
        );
      case 'delete own':
      case 'delete other':
        return success(await client.postJson(record(`submissions/records/${s}/deleteDraft`)));
      case 'submit own':
      case 'submit other':
        return success(await client.postJson(record(`submissions/records/${s}/submit`)));
      case 'claim':
      case 'approve':
        return success(await client.postJson(record(`submissions/records/${s}/${act}`)));
      case 'reject':
      case 'reopen':
        return success(
          await client.postJson(record(`submissions/records/${s}/${act}`), { reason: 'Because the table says so' }),
        );
      case 'export': {
        const res = await client.getJson(record(`templates/records/${target.templateId}/export`));
        return {
          allowed: res.status === 200 && typeof res.body?.rows === 'number',
          detail: `${res.status} ${res.text.slice(0, 160)}`,
        };
      }
      case 'publish': {
        const res = await client.postJson(record(`templates/records/${target.templateId}/builder`), { op: 'publish' });
        return {
          allowed: res.status === 200 && res.body?.published !== undefined,
          detail: `${res.status} ${res.text.slice(0, 160)}`,
        };
      }
    }
  }

  for (const role of ROLES) {
    it(`${role}: every action inside and outside their grids matches the policy, through both APIs`, async () => {
      const channels = { api: await api(role), admin: await admin(role) };
      const mismatches: string[] = [];
      for (const [channel, client] of Object.entries(channels)) {
        for (const act of ACTS) {
          for (const place of PLACES) {
            const target = await fixture(role, act, place);
            const before = await state(act, target);
            const outcome =
              channel === 'api'
                ? await viaApi(client as ApiClient, act, target)
                : await viaAdmin(client as AdminClient, act, target);
            const want = expected(role, act, place);
            if (outcome.allowed !== want) {
              mismatches.push(
                `${channel} ${role} ${act} ${place}: expected ${want ? 'allowed' : 'refused'}, got ${outcome.detail}`,
              );
            } else if (!want && !['read', 'list', 'read audit', 'export'].includes(act)) {
              const after = await state(act, target);
              if (JSON.stringify(after) !== JSON.stringify(before))
                mismatches.push(
                  `${channel} ${role} ${act} ${place}: refused, but changed ${JSON.stringify(before)} -> ${JSON.stringify(after)}`,
                );
            }
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  }

  it('a submitter lists and reads their own submissions only', async () => {
    const own = (await t.rt.services.submissions.create(ctxFor(users.submitter), templates.inside, { data: payload() }))
      .submission.id;
    const other = await submitted('inside');
    const client = await api('submitter');
    const ids = (await client.get(`/templates/${templates.inside}/submissions?limit=200`)).body.data.items.map(
      (r: { id: string }) => r.id,
    );
    expect(ids).toContain(own);
    expect(ids).not.toContain(other);
    expect((await client.get(`/submissions/${own}`)).status).toBe(200);
    expect((await client.get(`/submissions/${other}`)).status).toBe(404);
    const panel = await admin('submitter');
    const listed = (
      await panel.getJson(
        `/admin/api/resources/submissions/actions/list?filters.template_id=${templates.inside}&perPage=500`,
      )
    ).body.records.map((r: { id: string }) => r.id);
    expect(listed).toContain(own);
    expect(listed).not.toContain(other);
  });

  it('nobody reviews their own submission, admins included', async () => {
    for (const role of ['manager', 'admin'] as const) {
      const own = (await t.rt.services.submissions.create(ctxFor(users[role]), templates.inside, { data: payload() }))
        .submission.id;
      const client = await api(role);
      const res = await client.post(`/submissions/${own}/claim`);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe('Nobody reviews their own submission');
    }
  });

  it('a role change applies on the next request, for tokens and admin sessions alike', async () => {
    const user = await createUser(t.rt.pool, { role: 'reviewer' });
    await t.rt.services.grids.addMember(ctxFor(owner), grids.inside, { userId: user.id, role: 'reviewer' });
    const client = await new ApiClient(t.baseUrl).login(user.email, user.password);
    const panel = new AdminClient(t.baseUrl);
    await panel.login(user.email, user.password);
    const id = await submitted('inside');
    expect((await client.get(`/submissions/${id}`)).status).toBe(200);
    expect((await panel.getJson(`/admin/api/resources/submissions/records/${id}/show`)).body.record.id).toBe(id);
    await t.rt.services.grids.changeMemberRole(ctxFor(owner), grids.inside, user.id, { role: 'submitter' });
    expect((await client.get(`/submissions/${id}`)).status).toBe(404);
    expect(
      (await panel.getJson(`/admin/api/resources/submissions/records/${id}/show`)).body?.record?.id,
    ).toBeUndefined();
  });
});
