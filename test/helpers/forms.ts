import { expect } from 'vitest';
import type { Pool } from '../../src/db/pool.js';
import { ApiClient } from './api-client.js';
import type { TestApp } from './app.js';
import { createGrid, createUser, type TestUser } from './factories.js';

/** A small household survey: a unique village, an integer, a choice, a repeating table with a row counter. */
export function householdDefinition() {
  return {
    sections: [
      {
        id: 's_household',
        key: 'household',
        label: 'Household',
        fields: [
          {
            id: 'f_village',
            key: 'village',
            label: 'Village',
            type: 'text',
            rules: { required: true, unique: true, maxLength: 100 },
          },
          { id: 'f_size', key: 'size', label: 'Household size', type: 'integer', rules: { min: 1, max: 50 } },
          {
            id: 'f_water',
            key: 'water',
            label: 'Water source',
            type: 'single_choice',
            options: [
              { value: 'well', label: 'Well' },
              { value: 'tap', label: 'Tap' },
            ],
          },
          { id: 'f_mcount', key: 'members_count', label: 'Members (counted)', type: 'integer' },
        ],
        tables: [
          {
            id: 't_members',
            key: 'members',
            label: 'Members',
            maxRows: 30,
            columns: [
              { id: 'f_mname', key: 'name', label: 'Name', type: 'text', rules: { required: true } },
              { id: 'f_mage', key: 'age', label: 'Age', type: 'integer' },
            ],
          },
        ],
      },
    ],
  };
}

export function householdPayload(i: number) {
  return {
    household: {
      village: `Village ${i}`,
      size: (i % 9) + 1,
      water: i % 2 ? 'well' : 'tap',
      members: [
        { name: `Ann ${i}`, age: 30 },
        { name: `Bob ${i}`, age: 7 },
      ],
    },
  };
}

export interface Survey {
  templateId: string;
  gridId: string;
  builder: TestUser;
  submitter: TestUser;
  builderApi: ApiClient;
  submitterApi: ApiClient;
  sectionTable: string;
  membersTable: string;
}

/** A grid with a builder and a submitter, and the household template published. */
export async function publishedSurvey(t: TestApp, definition: unknown = householdDefinition()): Promise<Survey> {
  const builder = await createUser(t.rt.pool, { role: 'builder' });
  const submitter = await createUser(t.rt.pool, { role: 'submitter' });
  const grid = await createGrid(t.rt, builder, [{ user: submitter, role: 'submitter' }]);
  const builderApi = await new ApiClient(t.baseUrl).login(builder.email, builder.password);
  const created = await builderApi.post(`/grids/${grid.id}/templates`, {
    slug: 'household',
    title: 'Household survey',
    definition,
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const templateId = created.body.data.id as string;
  const published = await builderApi.post(`/templates/${templateId}/publish`);
  if (published.status !== 201) throw new Error(JSON.stringify(published.body));
  const submitterApi = await new ApiClient(t.baseUrl).login(submitter.email, submitter.password);
  return {
    templateId,
    gridId: grid.id,
    builder,
    submitter,
    builderApi,
    submitterApi,
    sectionTable: `forms."f${templateId}_household"`,
    membersTable: `forms."f${templateId}_household__members"`,
  };
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} not reached within ${timeoutMs} ms (last: ${JSON.stringify(value).slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function statusCounts(pool: Pool, templateId: string): Promise<Record<string, number>> {
  const rows = await pool.query<{ s: number; n: string }>(
    'SELECT processing_status AS s, count(*) AS n FROM submissions WHERE template_id = $1 GROUP BY 1',
    [templateId],
  );
  return Object.fromEntries(rows.rows.map((r) => [String(r.s), Number(r.n)]));
}

/** Waits until the worker has processed submission `id` (processing status 1). */
export async function processed(pool: Pool, id: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () =>
      (await pool.query<{ processing_status: number }>('SELECT processing_status FROM submissions WHERE id = $1', [id]))
        .rows[0]?.processing_status,
    (status) => status === 1,
    timeoutMs,
    `submission ${id} processed`,
  );
}

/** Saves `definition` as the survey's draft and publishes it; returns the new version. */
export async function publishDefinition(s: Survey, definition: unknown): Promise<number> {
  const put = await s.builderApi.put(`/templates/${s.templateId}/definition`, definition);
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const res = await s.builderApi.post(`/templates/${s.templateId}/publish`);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.version as number;
}

/** A definition of one section, "Visit" (`s_visit`), holding `fields`. */
export function visitDefinition(fields: Record<string, unknown>[]) {
  return { sections: [{ id: 's_visit', key: 'visit', label: 'Visit', fields }] };
}
