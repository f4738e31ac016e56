import { randomBytes } from 'node:crypto';
import { readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { currentFingerprint } from '../../admin/bundle.js';
import { spawnCli } from '../helpers/process.js';

describe('the admin bundle on a fresh clone', () => {
  const root = path.join(os.tmpdir(), `gridbook-bundle-${randomBytes(4).toString('hex')}`);
  const dir = path.join(root, 'adminjs');
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('two processes starting at once: one bundles, the other waits for it and finds it fresh', async () => {
    const env = { ADMIN_JS_TMP_DIR: dir, NODE_ENV: 'development' };
    const both = [
      spawnCli('test/process/fixtures/ensure-bundle.ts', env),
      spawnCli('test/process/fixtures/ensure-bundle.ts', env),
    ];
    const codes = await Promise.all(both.map((p) => p.exited));
    const outputs = both.map((p) => p.output());
    expect(codes, outputs.join('\n---\n')).toEqual([0, 0]);
    expect(
      outputs.filter((o) => o.includes('Bundling admin components')),
      outputs.join('\n---\n'),
    ).toHaveLength(1);
    expect(outputs.map((o) => o.match(/result: (.+)/)?.[1]).sort()).toEqual(['built', 'found fresh']);
    expect((await readFile(path.join(dir, 'bundle.fingerprint'), 'utf8')).trim()).toBe(await currentFingerprint());
    expect((await readFile(path.join(dir, 'bundle.js'), 'utf8')).length).toBeGreaterThan(1000);
    // The lock is gone once both are done.
    expect(await readdir(root)).toEqual(['adminjs']);
  });
});
