import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createGrid, createUser } from '../helpers/factories.js';
import { statusCounts, waitFor } from '../helpers/forms.js';

/**
 * A 202 is a promise, also on a busy machine. 1,500 valid answers to a version with pattern rules
 * (and a unique field), posted at 16 connections while another process keeps a core busy: none is
 * refused, none fails, the worker processes every one. (A wall-clock budget on validation refused
 * and failed answers here; rules are judged once, at the API, in linear time.)
 */

const ANSWERS = 1_500;
const CONNECTIONS = 16;
/** The spinner stops by itself after this long (within the suite's 240 s test limit), whatever happens to the test process. */
const SPIN_MS = 230_000;

const definition = {
  sections: [
    {
      id: 's_site',
      key: 'site',
      label: 'Site',
      fields: [
        {
          id: 'f_ref',
          key: 'ref',
          label: 'Reference',
          type: 'text',
          rules: { required: true, unique: true, pattern: '^[A-Z]{3}-[0-9]{5}$' },
        },
        {
          id: 'f_phone',
          key: 'phone',
          label: 'Phone',
          type: 'text',
          rules: { pattern: '^\\+?[0-9][0-9 ]{6,18}[0-9]$' },
        },
        { id: 'f_email', key: 'email', label: 'Email', type: 'email', rules: { pattern: '@example\\.(org|test)$' } },
        {
          id: 'f_post',
          key: 'postcode',
          label: 'Postcode',
          type: 'text',
          rules: { required: true, pattern: '^([A-Z]{1,2}[0-9][0-9A-Z]?) ?([0-9][A-Z]{2})$' },
        },
        {
          id: 'f_note',
          key: 'note',
          label: 'Note',
          type: 'long_text',
          rules: { pattern: '^[^<>]*$', maxLength: 2000 },
        },
        { id: 'f_count', key: 'count', label: 'Count', type: 'integer', rules: { min: 0, max: 10_000 } },
      ],
      tables: [
        {
          id: 't_items',
          key: 'items',
          label: 'Items',
          maxRows: 20,
          columns: [
            {
              id: 'f_sku',
              key: 'sku',
              label: 'SKU',
              type: 'text',
              rules: { required: true, pattern: '^[a-z]{2,4}-[a-z0-9]{2,6}-[a-z]{2}$' },
            },
            { id: 'f_qty', key: 'qty', label: 'Quantity', type: 'integer', rules: { min: 1 } },
          ],
        },
      ],
    },
  ],
};

function answer(i: number) {
  return {
    site: {
      ref: `ABC-${String(i).padStart(5, '0')}`,
      phone: `+44 20 7946 ${String(i % 10_000).padStart(4, '0')}`,
      email: `site${i}@example.org`,
      postcode: 'SW1A 1AA',
      note: `Visited on round ${i}; ${'all fine. '.repeat(i % 40)}`,
      count: i % 10_000,
      items: Array.from({ length: 1 + (i % 5) }, (_, k) => ({ sku: `ab-${k}x${i % 97}-zz`, qty: k + 1 })),
    },
  };
}

describe('answers with pattern rules on a busy machine', () => {
  let t: TestApp;
  let spinner: ChildProcess | null = null;

  beforeAll(async () => {
    t = await setupApp({ worker: true, env: { AUDIT_SEAL_INTERVAL_MS: '60000' } });
  });

  afterAll(async () => {
    if (spinner && spinner.exitCode === null) spinner.kill('SIGKILL');
    await t?.close();
  });

  it(`accepts and processes ${ANSWERS.toLocaleString('en-US')} answers at ${CONNECTIONS} connections while a core spins: 0 refused, 0 failed`, async () => {
    const builder = await createUser(t.rt.pool, { role: 'builder' });
    const submitter = await createUser(t.rt.pool, { role: 'submitter' });
    const grid = await createGrid(t.rt, builder, [{ user: submitter, role: 'submitter' }]);
    const builderApi = await new ApiClient(t.baseUrl).login(builder.email, builder.password);
    const created = await builderApi.post(`/grids/${grid.id}/templates`, {
      slug: 'sites',
      title: 'Site visits',
      definition,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const templateId = created.body.data.id as string;
    expect((await builderApi.post(`/templates/${templateId}/publish`)).status).toBe(201);
    const api = await new ApiClient(t.baseUrl).login(submitter.email, submitter.password);

    // Another process keeps a core busy for the whole run (bounded: it ends by itself).
    spinner = spawn(process.execPath, ['-e', `const end = Date.now() + ${SPIN_MS}; while (Date.now() < end) {}`], {
      stdio: 'ignore',
    });
    const started = performance.now();
    const refused: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        for (let i = next++; i < ANSWERS; i = next++) {
          const res = await api.post(`/templates/${templateId}/submissions`, { data: answer(i) });
          if (res.status !== 202) refused.push(`${i}: ${res.status} ${JSON.stringify(res.body.error)}`);
        }
      }),
    );
    const postedMs = performance.now() - started;
    expect(refused).toEqual([]);

    const counts = await waitFor(
      () => statusCounts(t.rt.pool, templateId),
      (c) => (c['1'] ?? 0) + (c['2'] ?? 0) === ANSWERS,
      90_000,
      'every answer processed',
    );
    const processedMs = performance.now() - started;
    expect(spinner.exitCode).toBeNull(); // it was still spinning
    spinner.kill('SIGKILL');
    expect(counts).toEqual({ '1': ANSWERS });
    const rows = await t.rt.pool.query(`SELECT count(*) AS n FROM forms."f${templateId}_site"`);
    expect(Number(rows.rows[0].n)).toBe(ANSWERS);
    console.log(
      `${ANSWERS} answers with pattern rules at ${CONNECTIONS} connections, one core busy: posted in ${(postedMs / 1000).toFixed(1)} s ` +
        `(${Math.round(ANSWERS / (postedMs / 1000))}/s), all processed after ${(processedMs / 1000).toFixed(1)} s; 0 refused, 0 failed`,
    );
  });
});
