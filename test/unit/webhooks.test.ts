import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/webhooks/delivery.js';
import { signatureHeader, verifySignature } from '../../src/webhooks/signature.js';
import { BlockedTargetError, guardedLookup, isPrivateAddress, urlProblem } from '../../src/webhooks/target.js';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"1","event":"ping"}';

  it('signs the timestamp and the body; a receiver verifies both', () => {
    const header = signatureHeader(secret, body, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, header, body, { now: 1_700_000_100 })).toEqual({
      ok: true,
      timestamp: 1_700_000_000,
    });
    expect(verifySignature(secret, header, `${body} `, { now: 1_700_000_100 }).ok).toBe(false);
    expect(verifySignature('whsec_wrong', header, body, { now: 1_700_000_100 }).ok).toBe(false);
    // The same signature with another timestamp does not verify: the timestamp is signed.
    expect(
      verifySignature(secret, header.replace('t=1700000000', 't=1700000050'), body, { now: 1_700_000_100 }).ok,
    ).toBe(false);
  });

  it('refuses replays outside the tolerance and malformed headers', () => {
    const header = signatureHeader(secret, body, 1_700_000_000);
    expect(verifySignature(secret, header, body, { now: 1_700_000_301 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/replay/),
    });
    expect(verifySignature(secret, header, body, { now: 1_700_000_301, toleranceSeconds: 600 }).ok).toBe(true);
    for (const bad of [undefined, '', 'v1=abc', 't=abc,v1=00', 't=1700000000']) {
      expect(verifySignature(secret, bad, body, { now: 1_700_000_000 }).ok).toBe(false);
    }
  });

  it('accepts any of several v1 signatures (a receiver during a secret rotation)', () => {
    const header = `${signatureHeader(secret, body, 1_700_000_000)},v1=${'0'.repeat(64)}`;
    expect(verifySignature(secret, header, body, { now: 1_700_000_000 }).ok).toBe(true);
  });

  it('backs off exponentially', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(10_000, n))).toEqual([10_000, 20_000, 40_000, 80_000]);
  });
});

describe('webhook targets', () => {
  it('knows private, loopback, link-local and mapped addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '172.32.0.1', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('refuses URLs to private hosts unless allowed, and URLs that are not plain http(s)', () => {
    expect(urlProblem('https://hooks.example.com/in', false)).toBeNull();
    expect(urlProblem('http://127.0.0.1:8080/x', false)).toMatch(/private or loopback/);
    expect(urlProblem('http://[::1]/x', false)).toMatch(/private or loopback/);
    expect(urlProblem('http://localhost/x', false)).toMatch(/private or loopback/);
    expect(urlProblem('http://169.254.169.254/latest/meta-data', false)).toMatch(/private or loopback/);
    expect(urlProblem('http://127.0.0.1:8080/x', true)).toBeNull();
    expect(urlProblem('file:///etc/passwd', true)).toMatch(/http/);
    expect(urlProblem('https://a:b@example.com/', true)).toMatch(/user name/);
    expect(urlProblem('https://example.com/#x', true)).toMatch(/fragment/);
  });

  it('refuses, at connection time, a host name that resolves to a private address', async () => {
    const server = http.createServer((_req, res) => res.end('reached'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const get = (allowPrivate: boolean) =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(
          { host: 'localhost', port, family: 4, lookup: guardedLookup(allowPrivate) as never },
          (res) => {
            res.resume();
            res.on('end', () => resolve(String(res.statusCode)));
          },
        );
        req.on('error', reject);
        req.end();
      });
    try {
      await expect(get(false)).rejects.toBeInstanceOf(BlockedTargetError);
      await expect(get(true)).resolves.toBe('200');
    } finally {
      server.close();
    }
  });
});
