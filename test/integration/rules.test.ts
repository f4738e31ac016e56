import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { publishedSurvey, statusCounts, waitFor, type Survey } from '../helpers/forms.js';

/**
 * The rules engine through the API and the worker, against real PostgreSQL and Redis: the verdict
 * of the chain (A checkbox -> B shown if A -> C required if B = "x"), the worker storing
 * NULL for what the API judged hidden, messages for people with paths and labels, and patterns RE2
 * cannot run refused at save and publish.
 */
const chain = {
  sections: [
    {
      id: 's_chain',
      key: 'household',
      label: 'Household',
      fields: [
        { id: 'f_a', key: 'a', label: 'Has a well', type: 'boolean' },
        { id: 'f_b', key: 'b', label: 'Well kind', type: 'text', showIf: { field: 'f_a', equals: true } },
        {
          id: 'f_c',
          key: 'c',
          label: 'Well depth',
          type: 'integer',
          rules: { required: true, min: 0, max: 30 },
          showIf: { field: 'f_b', equals: 'x' },
        },
        {
          id: 'f_permit',
          key: 'permit',
          label: 'Permit',
          type: 'text',
          rules: { pattern: '^WP-\\d{6}$', patternMessage: 'Use the format WP-123456' },
        },
        {
          id: 'f_src',
          key: 'src',
          label: 'Source',
          type: 'single_choice',
          options: [
            { value: 'well', label: 'Well' },
            { value: 'tap', label: 'Tap' },
            { value: 'river', label: 'River' },
          ],
        },
        { id: 'f_email', key: 'email', label: 'Contact', type: 'email' },
        { id: 'f_long', key: 'letters', label: 'Letters', type: 'long_text', rules: { pattern: '^(a+)+$' } },
      ],
    },
  ],
};

describe('one rules engine, through the API and the worker', () => {
  let t: TestApp;
  let s: Survey;

  beforeAll(async () => {
    t = await setupApp({ worker: true });
    s = await publishedSurvey(t, chain);
  });

  afterAll(async () => {
    await t?.close();
  });

  const post = (household: Record<string, unknown>) =>
    s.submitterApi.post(`/templates/${s.templateId}/submissions`, { data: { household } });

  it('accepts a required field nobody can see, and the worker stores NULL for what is hidden', async () => {
    const hidden = await post({ a: false, b: 'x' });
    expect(hidden.status, JSON.stringify(hidden.body)).toBe(202);
    const untouched = await post({ b: 'x', c: 12 });
    expect(untouched.status, JSON.stringify(untouched.body)).toBe(202);
    const shown = await post({ a: true, b: 'x', c: 12 });
    expect(shown.status, JSON.stringify(shown.body)).toBe(202);
    await waitFor(
      () => statusCounts(t.rt.pool, s.templateId),
      (c) => c['1'] === 3,
      30_000,
      'three processed',
    );
    const table = `forms."f${s.templateId}_household"`;
    const rows = await t.rt.pool.query(
      `SELECT submission_id::text AS id, a, b, c FROM ${table} ORDER BY submission_id`,
    );
    expect(rows.rows).toEqual([
      { id: hidden.body.data.id, a: false, b: null, c: null },
      { id: untouched.body.data.id, a: null, b: null, c: null },
      { id: shown.body.data.id, a: true, b: 'x', c: '12' },
    ]);
  });

  it('refuses with every problem at once, each with its path, its label and a message for people', async () => {
    const refused = await post({
      a: true,
      b: 'x',
      permit: 'WP-12',
      src: 'lake',
      email: 'someone',
      letters: `${'a'.repeat(20_000)}!`,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    expect(refused.body.error.details).toEqual([
      { path: 'household.c', label: 'Well depth', message: 'This answer is required', code: 'required' },
      { path: 'household.permit', label: 'Permit', message: 'Use the format WP-123456', code: 'pattern' },
      { path: 'household.src', label: 'Source', message: 'Choose one of: Well, Tap, River', code: 'option' },
      {
        path: 'household.email',
        label: 'Contact',
        message: 'Enter an email address like name@example.org',
        code: 'format',
      },
      {
        path: 'household.letters',
        label: 'Letters',
        message: 'Enter the answer in the format this question asks for',
        code: 'pattern',
      },
    ]);
    expect(refused.body.error.message).toBe('Well depth: This answer is required (and 4 more problems)');
    const range = await post({ a: true, b: 'x', c: 31 });
    expect(range.body.error.details).toEqual([
      { path: 'household.c', label: 'Well depth', message: 'Enter a whole number from 0 to 30', code: 'range' },
    ]);
  });

  it('refuses at save and at publish a pattern RE2 cannot run, on its path', async () => {
    const definition = structuredClone(chain) as { sections: { fields: { rules?: Record<string, unknown> }[] }[] };
    definition.sections[0]!.fields[3]!.rules = { pattern: '^(\\d)\\1$' };
    const saved = await s.builderApi.put(`/templates/${s.templateId}/definition`, definition);
    expect(saved.status).toBe(422);
    expect(saved.body.error.details).toEqual([
      expect.objectContaining({
        path: 'sections[0].fields[3].rules.pattern',
        message: expect.stringMatching(/^uses a construct that cannot be checked in linear time \(a backreference/),
      }),
    ]);
    // A working definition stored before this check existed is refused at publish as well.
    await t.rt.pool.query(`UPDATE templates SET definition = $2 WHERE id = $1`, [
      s.templateId,
      JSON.stringify(definition),
    ]);
    const published = await s.builderApi.post(`/templates/${s.templateId}/publish`);
    expect(published.status).toBe(422);
    expect(JSON.stringify(published.body.error.details)).toContain('sections[0].fields[3].rules.pattern');
  });

  it('publishes the schema as the contract: shape and value rules, conditions in $comment', async () => {
    const schema = await s.builderApi.get(`/templates/${s.templateId}/schema`);
    const household = schema.body.data.properties.household;
    expect(household.additionalProperties).toBe(false);
    expect(household.properties.c.$comment).toBe(
      'Shown, and then required, only when "b" is shown and is "x"; when hidden, its value is not stored.',
    );
    expect(household.properties.c.anyOf[0]).toMatchObject({ type: 'integer', minimum: 0, maximum: 30 });
    expect(household.properties.permit.anyOf[0]).toMatchObject({ type: 'string', pattern: '^WP-\\d{6}$' });
  });
});
