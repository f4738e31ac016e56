import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-chain.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createGrid, createUser } from '../helpers/factories.js';

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the worker', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await setupApp({ worker: true, env: { AUDIT_SEAL_INTERVAL_MS: '200' } });
  });
  afterAll(() => t.close());

  it('seals the audit chain in the background, in order, without writers waiting', async () => {
    const builder = await createUser(t.rt.pool, { role: 'builder' });
    await Promise.all(Array.from({ length: 10 }, () => createGrid(t.rt, builder)));
    await waitUntil(async () => Number((await t.rt.pool.query('SELECT count(*) AS n FROM audit_unsealed')).rows[0].n) === 0);
    const report = await verifyAuditChain(t.rt.pool);
    expect(report.ok).toBe(true);
    expect(report.checked).toBeGreaterThanOrEqual(10);
    expect(report.pending).toBe(0);
  });
});
