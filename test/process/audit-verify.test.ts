import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sealedChain, type SealedChain } from '../helpers/audit-chain.js';
import { spawnCli } from '../helpers/process.js';

describe('npm run audit:verify', () => {
  let chain: SealedChain;
  beforeEach(async () => {
    chain = await sealedChain();
  });
  afterEach(() => chain.close());

  /** The command against the chain's database, with its key and its file store: exit code and output. */
  const verify = async () => {
    const run = spawnCli('src/cli/audit-verify.ts', {
      DATABASE_URL: chain.db.url,
      NODE_ENV: 'test',
      AUDIT_KEY: chain.key,
      STORAGE_DIR: chain.storageDir,
    });
    return { code: await run.exited, output: run.output() };
  };

  it('passes on an untouched chain', async () => {
    const result = await verify();
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/Audit chain OK: 10 sealed entries verified/);
    expect(result.output).toMatch(/Newest checkpoint: link 10, written/);
  });

  it('names an entry altered by a superuser', async () => {
    await chain.tamper(`UPDATE audit_log SET after = '{"i": 999}' WHERE id = $1`, [chain.ids[6]]);
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      `Audit chain BROKEN (altered): audit entry ${chain.ids[6]} (chain link 7) was altered after it was sealed`,
    );
  });

  it('names an entry removed by a superuser', async () => {
    await chain.tamper('DELETE FROM audit_log WHERE id = $1', [chain.ids[3]]);
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      `Audit chain BROKEN (removed): audit entry ${chain.ids[3]} (chain link 4) was removed`,
    );
  });
});
