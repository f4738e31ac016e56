import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../helpers/admin-client.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createGrid, createUser, type TestUser } from '../helpers/factories.js';

const definition = (adultsKey: string) => ({
  sections: [
    {
      id: 's_household',
      key: 'household',
      label: 'Household',
      fields: [
        { id: 'f_village', key: 'village', label: 'Village', type: 'text' },
        { id: 'f_adults', key: adultsKey, label: 'Adults', type: 'integer' },
      ],
    },
  ],
});

describe('the form builder notice of a refused definition', () => {
  let t: TestApp;
  let builder: TestUser;
  let gridId: string;
  beforeAll(async () => {
    t = await setupApp();
    builder = await createUser(t.rt.pool, { role: 'builder' });
    gridId = (await createGrid(t.rt, builder, [], { title: 'Households' })).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('names the place in the builder words; errors[].path stays the machine path', async () => {
    const api = await new ApiClient(t.baseUrl).login(builder.email, builder.password);
    const created = await api.post(`/grids/${gridId}/templates`, {
      slug: 'households',
      title: 'Households',
      definition: definition('adults'),
    });
    const id = created.body.data.id as string;
    const admin = new AdminClient(t.baseUrl);
    await admin.login(builder.email, builder.password);
    const res = await admin.postJson(`/admin/api/resources/templates/records/${id}/builder`, {
      op: 'save',
      definition: JSON.stringify(definition('1 adults')),
    });
    expect(res.body.errors[0].path).toBe('sections[0].fields[1].key');
    expect(res.body.notice.type).toBe('error');
    expect(res.body.notice.message).toMatch(/^Section "Household", field "Adults" \(2nd\): key "1 adults" /);
    expect(res.body.notice.message).not.toContain('sections[');
  });
});
