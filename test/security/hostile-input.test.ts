import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { ProcessingService } from '../../src/submissions/processing.service.js';
import { ApiClient } from '../helpers/api-client.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { householdPayload, publishedSurvey, type Survey } from '../helpers/forms.js';
import { DEFINITION_MUTATIONS, isRaw, PAYLOAD_INVALIDITIES, Rng, validDefinition, validPayload } from './generators.js';
import { expectRefused, Findings, notAClearRefusal, send, type Reply } from './lib.js';
import { countIgnored, countOutcome, Tally } from './tally.js';

/**
 * Hostile input against the in-process app: every malformed or hostile request gets a clear 4xx in
 * the envelope (`{"success":false,"error":{"code","message","details"}}`, no stack), the database is
 * exactly as before (row counts and checksums), and the process keeps serving (a later request
 * works). Property-based where it fits (fast-check drives the seeds; FAST_CHECK_SEED reproduces a
 * run); the rest is table-driven. Every input tried is counted; the totals are printed.
 *
 * The "found and fixed" tests are regressions: each was a bug this suite found, says what was wrong
 * and how it was fixed.
 */

const SEED = Number(process.env.FAST_CHECK_SEED ?? 20251121);
const deep = (n: number, open = '[', close = ']', inner = '') => open.repeat(n) + inner + close.repeat(n);
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

describe('hostile input', () => {
  let t: TestApp;
  let s: Survey;
  let admin: TestUser;
  let adminApi: ApiClient;
  let processing: ProcessingService;
  const tally = new Tally('security: hostile input');
  let livenessChecks = 0;
  let n = 0;

  const ctx = (findings: Findings) => ({ baseUrl: t.baseUrl, pool: t.rt.pool, tally, findings });
  const submissionsPath = () => `/api/v1/templates/${s.templateId}/submissions`;

  beforeAll(async () => {
    t = await setupApp({ env: { LOGIN_MAX_FAILURES_PER_IP: '100000' } });
    s = await publishedSurvey(t);
    admin = await createUser(t.rt.pool, { role: 'admin' });
    adminApi = await new ApiClient(t.baseUrl).login(admin.email, admin.password);
    processing = new ProcessingService({ pool: t.rt.pool, catalog: t.rt.catalog, logger: createLogger('silent') });
  });

  afterAll(async () => {
    tally.set('liveness checks after hostile input (all answered)', livenessChecks);
    tally.publish();
    await t?.close();
  });

  // The process stays up and keeps serving after every test: health, a read and a valid write.
  afterEach(async () => {
    const health = await send(t.baseUrl, 'GET', '/healthz');
    expect(health.status).toBe(200);
    const ok = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
      data: householdPayload(1_000_000 + n++),
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    livenessChecks++;
  });

  it('random and malformed template definitions (PUT /templates/:id/definition) are refused with a clear 4xx, changing nothing (property)', async () => {
    const findings = new Findings();
    const knownBugs = new Findings();
    const created = await s.builderApi.post(`/grids/${s.gridId}/templates`, {
      slug: 'hostile-definitions',
      title: 'Hostile definitions',
    });
    expect(created.status).toBe(201);
    const templateId = created.body.data.id as string;
    const path = `/api/v1/templates/${templateId}/definition`;

    // A valid definition with one to three mutations, each of which makes it invalid.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: DEFINITION_MUTATIONS.length - 1 }),
        fc.integer({ min: 0, max: 2 }),
        async (seed, first, extra) => {
          const r = new Rng(seed);
          let def = validDefinition(r);
          const applied = [
            DEFINITION_MUTATIONS[first]!,
            ...Array.from({ length: extra }, () => r.pick(DEFINITION_MUTATIONS)),
          ];
          const names: string[] = [];
          let known: string | undefined;
          for (const m of applied) {
            try {
              def = m.apply(def, r);
              names.push(m.name);
              if (m.knownBug) known ??= m.name;
            } catch {
              // a mutation that does not fit what an earlier one left: skip it
            }
          }
          const label = known ? `definition with ${known}` : `definition with ${names.join(' + ')}`;
          const reply = await expectRefused(ctx(known ? knownBugs : findings), label, 'PUT', path, {
            token: s.builderApi.token!,
            body: def,
          });
          if (
            reply.status === 422 &&
            !(reply.json?.error?.details ?? []).every(
              (d: { path?: unknown; message?: unknown }) => typeof d.path === 'string' && typeof d.message === 'string',
            )
          ) {
            findings.add('422 without a path per problem', reply.text.slice(0, 200));
          }
        },
      ),
      { numRuns: 150, seed: SEED },
    );

    // Arbitrary JSON as a definition, to both routes that take one.
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), async (value, put) => {
        if (put) {
          await expectRefused(ctx(findings), 'arbitrary JSON as a definition', 'PUT', path, {
            token: s.builderApi.token!,
            body: JSON.stringify(value),
          });
        } else {
          await expectRefused(
            ctx(findings),
            'arbitrary JSON as a new template definition',
            'POST',
            `/api/v1/grids/${s.gridId}/templates`,
            {
              token: s.builderApi.token!,
              body: { slug: `arbitrary-${n++}`, title: 'Arbitrary', definition: value === null ? 'null' : value },
            },
          );
        }
      }),
      { numRuns: 80, seed: SEED + 1 },
    );
    for (const k of knownBugs.list()) tally.note(`known bug seen by the property test: ${k.slice(0, 240)}`);
    expect(findings.list()).toEqual([]);
  });

  it('random payloads against random published templates: valid ones stored and projected, hostile ones refused with 4xx (property)', async () => {
    const findings = new Findings();
    const knownBugs = new Findings();
    let templates = 0;
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const r = new Rng(seed);
        const definition = validDefinition(r);
        const created = await send(t.baseUrl, 'POST', `/api/v1/grids/${s.gridId}/templates`, {
          token: s.builderApi.token!,
          body: { slug: `generated-${seed}-${n++}`, title: `Generated ${seed}`, definition },
        });
        if (created.status !== 201) {
          findings.add(
            'a valid generated definition is refused',
            `seed ${seed}: ${created.status} ${created.text.slice(0, 300)}`,
          );
          return;
        }
        const templateId = created.json.data.id as string;
        const published = await send(t.baseUrl, 'POST', `/api/v1/templates/${templateId}/publish`, {
          token: s.builderApi.token!,
          body: {},
        });
        if (published.status !== 201) {
          findings.add(
            'a definition accepted as working copy cannot be published',
            `seed ${seed}: ${published.status} ${published.text.slice(0, 300)}`,
          );
          return;
        }
        templates++;
        const stored = created.json.data.definition;
        const path = `/api/v1/templates/${templateId}/submissions`;
        for (let i = 0; i < 3; i++) {
          const payload = validPayload(r, stored);
          const reply = await send(t.baseUrl, 'POST', path, { token: s.builderApi.token!, body: { data: payload } });
          valid++;
          if (reply.status !== 202) {
            // A field named like an Object.prototype member, left out, is seen through the prototype
            // (the "prototype-named fields" product bug below).
            const prototypeNamed = /\.(constructor|toString|hasOwnProperty|valueOf|prototype)\b/.test(
              reply.json?.error?.message ?? '',
            );
            (prototypeNamed ? knownBugs : findings).add(
              `a valid payload is refused (${reply.status})${prototypeNamed ? ': a prototype-named field' : ''}`,
              `seed ${seed}: ${JSON.stringify(payload).slice(0, 200)} -> ${reply.text.slice(0, 200)}`,
            );
            continue;
          }
          const outcome = (await processing.processBatch([reply.json.data.id])).get(reply.json.data.id)!;
          if (outcome.status !== 'processed') {
            findings.add(
              'a payload accepted with 202 is not projected',
              `seed ${seed}: ${JSON.stringify(payload).slice(0, 200)} -> ${JSON.stringify(outcome)}`,
            );
          }
        }
        for (const invalidity of r.pickSome(PAYLOAD_INVALIDITIES, 3, 7)) {
          const bad = invalidity.apply(validPayload(r, stored), stored, r);
          if (bad === null) continue;
          const body = isRaw(bad) ? `{"data": ${bad.raw}}` : { data: bad };
          const into = invalidity.knownBug ? knownBugs : findings;
          const reply = await expectRefused(ctx(into), `payload with ${invalidity.name}`, 'POST', path, {
            token: s.builderApi.token!,
            body,
          });
          if (reply.status === 202) {
            const outcome = (await processing.processBatch([reply.json.data.id])).get(reply.json.data.id)!;
            into.add(
              `payload with ${invalidity.name}: accepted, then processing says ${outcome.status}`,
              JSON.stringify(outcome).slice(0, 300),
            );
          }
        }
      }),
      { numRuns: 30, seed: SEED + 2 },
    );
    tally.set('random templates published', templates);
    tally.set('valid random payloads stored and projected', valid);
    for (const k of knownBugs.list()) tally.note(`known bug seen by the property test: ${k.slice(0, 240)}`);
    expect(templates).toBeGreaterThan(20);
    expect(findings.list()).toEqual([]);
  });

  it('JSON nested 10,000 (and 300,000) deep is refused with a 4xx where the route refuses its shape', async () => {
    const findings = new Findings();
    const token = s.builderApi.token!;
    const cases: [string, string, string][] = [
      ['PUT', `/api/v1/templates/${s.templateId}/definition`, `{"sections": ${deep(10_000)}}`],
      ['PUT', `/api/v1/templates/${s.templateId}/definition`, `{"sections": [{"fields": ${deep(300_000)}}]}`],
      [
        'POST',
        `/api/v1/grids/${s.gridId}/templates`,
        `{"slug": "deep", "title": "Deep", "definition": {"sections": ${deep(10_000)}}}`,
      ],
      ['POST', '/api/v1/grids', `{"slug": "deep", "title": ${deep(10_000)}}`],
      ['POST', '/api/v1/auth/token', `{"email": ${deep(10_000)}, "password": "x"}`],
      ['POST', '/api/v1/auth/refresh', `{"refreshToken": ${deepObject(10_000)}}`],
      ['POST', `/api/v1/templates/${s.templateId}/plan`, deep(10_000)],
      ['POST', '/api/v1/submissions/retry', `{"ids": ${deep(10_000)}}`],
    ];
    for (const [method, path, body] of cases)
      await expectRefused(ctx(findings), `${(body.length / 1000).toFixed(0)} kB nested`, method, path, { token, body });
    expect(findings.list()).toEqual([]);
  });

  it('bodies of 10 MB (declared, chunked, or gzip bombs) are refused with 413 without being read whole', async () => {
    const findings = new Findings();
    const big = Buffer.from(JSON.stringify({ data: { household: { village: 'x'.repeat(10 * 1024 * 1024) } } }));
    for (const path of [
      submissionsPath(),
      '/api/v1/auth/token',
      `/api/v1/templates/${s.templateId}/definition`,
      '/api/v1/grids',
      '/api/v1/nothing-here',
    ]) {
      const reply = await expectRefused(
        ctx(findings),
        '10 MB JSON body',
        path.endsWith('definition') ? 'PUT' : 'POST',
        path,
        { token: s.submitterApi.token!, body: big },
      );
      if (reply.status !== 413 && !path.endsWith('nothing-here'))
        findings.add('10 MB answered other than 413', `${path} -> ${reply.status}`);
    }
    // 50 MB of JSON whitespace in 50 kB of gzip: refused once the inflated size passes the limit.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('{"data":'), Buffer.alloc(50 * 1024 * 1024, ' '), Buffer.from('{}}')]),
    );
    const started = Date.now();
    const reply = await expectRefused(ctx(findings), 'gzip bomb', 'POST', submissionsPath(), {
      token: s.submitterApi.token!,
      body: bomb,
      headers: { 'content-encoding': 'gzip' },
    });
    if (reply.status !== 413) findings.add('a gzip bomb answered other than 413', String(reply.status));
    if (Date.now() - started > 5000) findings.add('a gzip bomb took long to refuse', `${Date.now() - started} ms`);
    expect(findings.list()).toEqual([]);
  });

  it('__proto__, constructor and prototype keys pollute nothing, and are refused where unknown keys are', async () => {
    const findings = new Findings();
    const token = s.submitterApi.token!;
    const polluters = [
      `{"data": {"__proto__": {"polluted": true}, "household": {"village": "p1"}}}`,
      `{"data": {"household": {"village": "p2", "__proto__": {"polluted": true}}}}`,
      `{"data": {"household": {"village": "p3", "constructor": {"prototype": {"polluted": true}}}}}`,
      `{"data": {"constructor": {"prototype": {"polluted": true}}}}`,
      `{"data": {"household": {"village": "p4", "members": [{"name": "x", "__proto__": {"polluted": true}}]}}}`,
      `{"data": {"household": {"village": "p5", "toString": "x", "hasOwnProperty": 1, "valueOf": null}}}`,
      `{"__proto__": {"polluted": true}, "data": {"household": {"village": "p6", "constructor": 1}}}`,
    ];
    for (const body of polluters)
      await expectRefused(ctx(findings), 'payload with prototype keys', 'POST', submissionsPath(), { token, body });
    await expectRefused(
      ctx(findings),
      'definition with prototype keys',
      'PUT',
      `/api/v1/templates/${s.templateId}/definition`,
      {
        token: s.builderApi.token!,
        body:
          `{"__proto__": {"polluted": true}, "sections": [{"id": "s_household", "key": "household", "label": "H", ` +
          `"fields": [], "constructor": {"prototype": {"polluted": true}}}]}`,
      },
    );
    // Routes that drop unknown properties: dropped, never applied, nothing polluted.
    const signIn = await send(t.baseUrl, 'POST', '/api/v1/auth/token', {
      body: `{"email": ${JSON.stringify(s.submitter.email)}, "password": ${JSON.stringify(s.submitter.password)}, "__proto__": {"role": "admin"}}`,
    });
    if (signIn.status === 200) countIgnored(tally);
    else countOutcome(tally, signIn.status);
    const me = await send(t.baseUrl, 'GET', '/api/v1/me', { token: signIn.json?.data?.accessToken });
    if (me.json?.data?.user?.role !== 'submitter')
      findings.add('a __proto__ key in the sign-in changed the role', me.text.slice(0, 200));
    const grid = await send(t.baseUrl, 'POST', '/api/v1/grids', {
      token: adminApi.token!,
      body: `{"slug": "proto-grid", "title": "Proto", "__proto__": {"owner": "1", "polluted": true}, "constructor": {"prototype": {"polluted": true}}}`,
    });
    if (grid.status === 201) countIgnored(tally);
    else countOutcome(tally, grid.status);
    if (grid.status >= 500 || (grid.json?.data && ('polluted' in grid.json.data || grid.json.data.owner !== admin.id)))
      findings.add('a __proto__ key in a grid changed it', grid.text.slice(0, 200));
    for (const query of [
      '__proto__[polluted]=1',
      'constructor[prototype][polluted]=1',
      '__proto__.polluted=1',
      'limit[__proto__]=1',
    ]) {
      await expectRefusedOrIgnored(findings, 'GET', `${submissionsPath()}?${query}`, token);
    }
    expect(({} as Record<string, unknown>).polluted, 'Object.prototype is not polluted').toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).role).toBeUndefined();
    expect(findings.list()).toEqual([]);
  });

  /** A request that may be refused (4xx) or answered while ignoring the hostile part, but never 5xx. */
  async function expectRefusedOrIgnored(
    findings: Findings,
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<Reply> {
    const reply = await send(t.baseUrl, method, path, { token, body });
    if (reply.status < 400) countIgnored(tally);
    else countOutcome(tally, reply.status);
    if (reply.status >= 500 || /\n\s+at /.test(reply.text))
      findings.add(`${method} ${path.split('?')[0]}: ${reply.status}`, `${path} -> ${reply.text.slice(0, 200)}`);
    else if (reply.status >= 400 && notAClearRefusal(reply))
      findings.add('a refusal outside the envelope', `${path} -> ${notAClearRefusal(reply)}`);
    return reply;
  }

  it('wrong content types are refused with 415 (or 400), whatever the body', async () => {
    const findings = new Findings();
    const token = s.submitterApi.token!;
    const body = JSON.stringify({ data: householdPayload(77_001) });
    const cases: [string | null, Record<string, string>][] = [
      ['text/plain', {}],
      ['application/x-www-form-urlencoded', {}],
      ['application/xml', {}],
      ['text/html', {}],
      ['multipart/form-data; boundary=x', {}],
      [null, {}],
      ['application/json; charset=utf-16', {}],
      ['application/json; charset=iso-2022-jp', {}],
      ['application/json', { 'content-encoding': 'gzip' }],
      ['application/json', { 'content-encoding': 'br' }],
      ['application/json', { 'content-encoding': 'zstd' }],
      ['application/json', { 'content-encoding': 'identity, gzip, deflate' }],
    ];
    for (const [contentType, headers] of cases) {
      const reply = await expectRefused(
        ctx(findings),
        `body as ${contentType ?? 'no content type'} ${JSON.stringify(headers)}`,
        'POST',
        submissionsPath(),
        {
          token,
          body,
          contentType,
          headers,
        },
      );
      if (![400, 413, 415, 422].includes(reply.status))
        findings.add('wrong content type answered with an unexpected status', `${contentType} -> ${reply.status}`);
    }
    // Malformed JSON in every way a parser can be surprised.
    for (const text of [
      '{',
      '{"data": }',
      "{'data': {}}",
      '{"data": {},}',
      '{"data": NaN}',
      '{"data": Infinity}',
      '\ufeff{"data": {}}',
      'null',
      '[]',
      '"x"',
      '1',
      '{"data": {"household": {"village": "x"}}} trailing',
      '\u0000',
    ]) {
      await expectRefused(ctx(findings), 'malformed JSON', 'POST', submissionsPath(), { token, body: text });
    }
    expect(findings.list()).toEqual([]);
  });

  it('huge strings, huge objects and valid unicode: refused when too long, stored intact when valid', async () => {
    const findings = new Findings();
    const token = s.submitterApi.token!;
    await expectRefused(ctx(findings), '1 MB string in a 100-character field', 'POST', submissionsPath(), {
      token,
      body: { data: { household: { village: 'v'.repeat(1024 * 1024) } } },
    });
    await expectRefused(ctx(findings), '1 MB key', 'POST', submissionsPath(), {
      token,
      body: { data: { household: { ['k'.repeat(1024 * 1024)]: 1, village: 'k' } } },
    });
    await expectRefused(ctx(findings), 'an Idempotency-Key of 300 characters', 'POST', submissionsPath(), {
      token,
      body: { data: householdPayload(77_002) },
      headers: { 'idempotency-key': 'i'.repeat(300) },
    });
    // Headers over Node's 16 kB limit are refused by the HTTP parser itself (431, no body, outside
    // the envelope: Express never sees the request). A clear 4xx all the same.
    const hugeHeader = await send(t.baseUrl, 'POST', submissionsPath(), {
      token,
      body: { data: householdPayload(77_003) },
      headers: { 'idempotency-key': 'i'.repeat(32 * 1024) },
    });
    countOutcome(tally, hugeHeader.status);
    if (hugeHeader.status !== 431) findings.add('a 32 kB header is not refused with 431', String(hugeHeader.status));
    const many = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    const started = Date.now();
    const wide = await expectRefused(ctx(findings), '50,000 unknown properties', 'POST', submissionsPath(), {
      token,
      body: { data: { household: { village: 'wide', ...many } } },
    });
    tally.note(
      `50,000 unknown properties: refused in ${Date.now() - started} ms with a ${(wide.text.length / 1024).toFixed(0)} kB answer`,
    );
    // The answer names the first problems and counts the rest: it does not echo 50,000 of them.
    if (wide.text.length > 64 * 1024)
      findings.add('the answer to 50,000 unknown properties is larger than 64 kB', `${wide.text.length} bytes`);
    if (!/and 49,9\d\d more problems/.test(wide.text))
      findings.add(
        'the answer to 50,000 unknown properties does not count the problems it leaves out',
        wide.text.slice(0, 300),
      );
    await expectRefused(ctx(findings), '100,000 table rows', 'POST', submissionsPath(), {
      token,
      body: {
        data: { household: { village: 'rows', members: Array.from({ length: 100_000 }, () => ({ name: 'x' })) } },
      },
    });
    await expectRefused(ctx(findings), 'a member name of 200,000 emoji', 'POST', submissionsPath(), {
      token,
      body: { data: { household: { village: 'emoji', members: [{ name: '😀'.repeat(200_000) }] } } },
    });

    // Valid unicode is accepted and comes back byte for byte from the typed table.
    const tricky = [
      '\u202eRTL override',
      'zero\u200bwidth',
      'e\u0301 combining',
      '名前 😀 𝕏',
      '\ufeffBOM',
      '"quotes" \'and\' \\back',
      "'; DROP TABLE users; --",
      '<script>alert(1)</script>',
    ];
    for (const [i, village] of tricky.entries()) {
      const reply = await send(t.baseUrl, 'POST', submissionsPath(), {
        token,
        body: { data: { household: { village: `${village} ${i}`, members: [{ name: village }] } } },
      });
      if (reply.status !== 202) {
        findings.add(
          'valid unicode refused',
          `${JSON.stringify(village)} -> ${reply.status} ${reply.text.slice(0, 200)}`,
        );
        continue;
      }
      const id = reply.json.data.id as string;
      await processing.processBatch([id]);
      const row = await t.rt.pool.query(`SELECT village FROM ${s.sectionTable} WHERE submission_id = $1`, [id]);
      if (row.rows[0]?.village !== `${village} ${i}`)
        findings.add(
          'valid unicode not stored intact',
          `${JSON.stringify(village)} -> ${JSON.stringify(row.rows[0]?.village)}`,
        );
    }
    // Bytes that are not UTF-8: decoded with replacement characters or refused, never a 500.
    const badUtf8 = Buffer.concat([
      Buffer.from('{"data": {"household": {"village": "'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
      Buffer.from('"}}}'),
    ]);
    await expectRefusedOrIgnored(findings, 'POST', submissionsPath(), token, badUtf8);
    expect(findings.list()).toEqual([]);
  });

  it('numbers and dates at the edges of their column types: stored when PostgreSQL can hold them, refused with 4xx when not', async () => {
    const findings = new Findings();
    const { templateId, token } = await edgeTemplate();
    const path = `/api/v1/templates/${templateId}/submissions`;
    const accepted: [string, string][] = [
      ['int', '9007199254740991'],
      ['int', '-9007199254740991'],
      ['int', '0'],
      ['int', '-0'],
      ['dec', '1e15'],
      ['dec', '-1e15'],
      ['dec', '5e-324'],
      ['dec', '0.1'],
      ['dec', '123456789.123456'],
      ['date', '"0001-01-01"'],
      ['date', '"9999-12-31"'],
      ['date', '"2024-02-29"'],
      ['dt', '"0001-01-01T00:00:00Z"'],
      ['dt', '"9999-12-31T23:59:59.999999Z"'],
      ['dt', '"2024-06-30T12:00:00+14:00"'],
      ['dt', '"2024-06-30T12:00:00-12:00"'],
      ['time', '"00:00"'],
      ['time', '"23:59:59.999999"'],
    ];
    for (const [field, value] of accepted) {
      const reply = await send(t.baseUrl, 'POST', path, { token, body: `{"data": {"e": {"${field}": ${value}}}}` });
      if (reply.status !== 202) {
        findings.add(
          'an edge value PostgreSQL holds is refused',
          `${field}=${value} -> ${reply.status} ${reply.text.slice(0, 200)}`,
        );
        continue;
      }
      const outcome = (await processing.processBatch([reply.json.data.id])).get(reply.json.data.id)!;
      if (outcome.status !== 'processed')
        findings.add('an accepted edge value is not projected', `${field}=${value} -> ${JSON.stringify(outcome)}`);
    }
    const refused: [string, string][] = [
      ['int', '9007199254740993'],
      ['int', '9223372036854775807'],
      ['int', '9223372036854775808'],
      ['int', '-9223372036854775809'],
      ['int', '1e308'],
      ['int', '1e999'],
      ['int', '1.5'],
      ['int', '"1"'],
      ['dec', '1e16'],
      ['dec', '-1e16'],
      ['dec', '1e999'],
      ['dec', '"0.1"'],
      ['date', '"275760-09-13"'],
      ['date', '"+275760-09-13"'],
      ['date', '"10000-01-01"'],
      ['date', '"2023-02-29"'],
      ['date', '"2024-02-30"'],
      ['date', '"-0001-01-01"'],
      ['dt', '"275760-09-13T00:00:00Z"'],
      ['dt', '"+275760-09-13T00:00:00.000Z"'],
      ['dt', '"2024-01-01T00:00:00"'],
      ['dt', '"2024-01-01T25:00:00Z"'],
      ['time', '"24:00"'],
      ['time', '"23:59:60.5"'],
    ];
    for (const [field, value] of refused)
      await expectRefused(ctx(findings), `${field} out of range`, 'POST', path, {
        token,
        body: `{"data": {"e": {"${field}": ${value}}}}`,
      });
    expect(findings.list()).toEqual([]);
  });

  /** A published template with one field of each numeric and temporal type (section key "e"). */
  let edge: { templateId: string; token: string } | null = null;
  async function edgeTemplate(): Promise<{ templateId: string; token: string }> {
    if (edge) return edge;
    const definition = {
      sections: [
        {
          id: 's_edges',
          key: 'e',
          label: 'Edges',
          fields: [
            { id: 'f_int', key: 'int', label: 'Integer', type: 'integer' },
            { id: 'f_dec', key: 'dec', label: 'Decimal', type: 'decimal' },
            { id: 'f_date', key: 'date', label: 'Date', type: 'date' },
            { id: 'f_dt', key: 'dt', label: 'Date and time', type: 'datetime' },
            { id: 'f_time', key: 'time', label: 'Time', type: 'time' },
            { id: 'f_text', key: 'text', label: 'Text', type: 'text' },
          ],
        },
      ],
    };
    const created = await s.builderApi.post(`/grids/${s.gridId}/templates`, {
      slug: 'edges',
      title: 'Edges',
      definition,
    });
    expect(created.status).toBe(201);
    expect((await s.builderApi.post(`/templates/${created.body.data.id}/publish`)).status).toBe(201);
    edge = { templateId: created.body.data.id, token: s.builderApi.token! };
    return edge;
  }

  it('path parameters and query strings at the edges are answered 4xx (or ignored), never 5xx', async () => {
    const findings = new Findings();
    const token = adminApi.token!;
    const ids = [
      '99999999999999999999',
      '9223372036854775808',
      '-1',
      '1.5',
      'abc',
      '%00',
      '1%27%20OR%201=1',
      '0x10',
      '1e3',
      '%20',
      'x'.repeat(5000),
      '..%2F..%2Fetc%2Fpasswd',
    ];
    for (const id of ids) {
      for (const path of [
        `/submissions/${id}`,
        `/templates/${id}`,
        `/grids/${id}`,
        `/grids/${id}/members`,
        `/files/${id}`,
        `/templates/${id}/submissions`,
        `/submissions/${id}/history`,
        `/submissions/${id}/comments`,
      ]) {
        await expectRefused(ctx(findings), 'GET with a hostile id', 'GET', `/api/v1${path}`, {
          token,
          checkDatabase: false,
        });
      }
      await expectRefused(ctx(findings), 'PATCH with a hostile id', 'PATCH', `/api/v1/users/${id}`, {
        token,
        body: { name: 'x' },
      });
    }
    for (const query of [
      'limit=0',
      'limit=-1',
      'limit=201',
      'limit=abc',
      'cursor=-1',
      'cursor=99999999999999999999',
      'processingStatus=3',
      'reviewStatus=x',
      'createdAfter=yesterday',
      'createdAfter=275760-09-13T00:00:00Z',
    ]) {
      await expectRefused(ctx(findings), 'list with a hostile query', 'GET', `${submissionsPath()}?${query}`, {
        token,
        checkDatabase: false,
      });
    }
    for (const query of [
      'limit=1&limit=2',
      'processingStatus[]=1',
      'x=%00',
      'sort=password_hash',
      'idempotency_hash=x',
    ]) {
      await expectRefusedOrIgnored(findings, 'GET', `${submissionsPath()}?${query}`, token);
    }
    expect(findings.list()).toEqual([]);
  });

  describe('found by this suite and fixed: each stays as a regression test', () => {
    // Was a bug: a NUL character (\u0000) or a lone surrogate (\ud800) inside any JSON string is
    // sent to PostgreSQL, which refuses it (22P05 "unsupported Unicode escape sequence" in jsonb,
    // 22021 in text, 22P02 for the escaped lone surrogate); src/db/pg-errors.ts translatePgError
    // does not map class 22 and the API answers 500 INTERNAL, on public routes too (POST
    // /auth/token). Fix: refuse such strings at the edge (400/422 naming the path), e.g. a check
    // after express.json in src/http/api.ts; and map SQLSTATE class 22 to a 422 in translatePgError.
    it('NUL characters and lone surrogates anywhere in a JSON body: 4xx, never 500', async () => {
      const findings = new Findings();
      const sub = s.submitterApi.token!;
      const b = s.builderApi.token!;
      const a = adminApi.token!;
      const draft = await s.submitterApi.post(`/templates/${s.templateId}/submissions`, {
        data: { household: { village: 'nul draft' } },
        draft: true,
      });
      const cases: [string, string, string | undefined, string][] = [
        ['POST', submissionsPath(), sub, '{"data": {"household": {"village": "a\\u0000b"}}}'],
        ['POST', submissionsPath(), sub, '{"data": {"household": {"village": "a\\ud800b"}}}'],
        [
          'POST',
          submissionsPath(),
          sub,
          '{"data": {"household": {"village": "ok", "members": [{"name": "\\udc00"}]}}}',
        ],
        [
          'PUT',
          `/api/v1/templates/${s.templateId}/definition`,
          b,
          '{"sections": [{"id": "s_household", "key": "household", "label": "a\\u0000b", "fields": []}]}',
        ],
        [
          'PUT',
          `/api/v1/templates/${s.templateId}/definition`,
          b,
          '{"sections": [{"id": "s_household", "key": "household", "label": "\\ud800", "fields": []}]}',
        ],
        ['POST', '/api/v1/grids', a, '{"slug": "nul-grid", "title": "a\\u0000b"}'],
        [
          'POST',
          '/api/v1/users',
          a,
          '{"email": "nul@example.test", "name": "a\\u0000b", "role": "submitter", "password": "a long enough password"}',
        ],
        ['POST', '/api/v1/auth/token', undefined, '{"email": "a\\u0000@example.test", "password": "whatever it is"}'],
        ['POST', `/api/v1/submissions/${draft.body.data.id}/comments`, sub, '{"body": "a\\u0000b"}'],
        ['PATCH', `/api/v1/submissions/${draft.body.data.id}`, sub, '{"data": {"household": {"village": "\\u0000"}}}'],
      ];
      for (const [method, path, token, body] of cases)
        await expectRefused(
          ctx(findings),
          `${method} ${path.replace(/\d+/g, ':id')} with NUL/surrogate`,
          method,
          path,
          { token, body },
        );
      expect(findings.list()).toEqual([]);
    });

    // Was a bug: a definition whose `sections` (or a section's `tables`) holds null answers 500:
    // assignMissingIds (src/templates/definition.validate.ts), which runs before the shape is
    // checked, reads `section.fields` / `table.columns` of null (TypeError). Fix: skip items that
    // are not objects there (`if (!section || typeof section !== 'object') continue;`, same for
    // tables), and let validateDefinition report them.
    it('a definition with null sections or tables: 4xx, never 500', async () => {
      const findings = new Findings();
      const token = s.builderApi.token!;
      const section = { id: 's_nulls', key: 'n', label: 'N', fields: [] };
      for (const definition of [
        { sections: [null] },
        { sections: [section, null] },
        { sections: [{ ...section, tables: [null] }] },
      ]) {
        await expectRefused(
          ctx(findings),
          'definition with null items',
          'PUT',
          `/api/v1/templates/${s.templateId}/definition`,
          { token, body: definition },
        );
        await expectRefused(
          ctx(findings),
          'new template with null items',
          'POST',
          `/api/v1/grids/${s.gridId}/templates`,
          { token, body: { slug: `nulls-${n++}`, title: 'Nulls', definition } },
        );
      }
      expect(findings.list()).toEqual([]);
    });

    // Was a bug: JSON nested 10,000 deep inside `data` answers 500: SubmissionsService.create
    // (src/submissions/submissions.service.ts) computes the Idempotency-Key request hash with
    // JSON.stringify({ templateId, input }) BEFORE the payload is checked against the template's
    // schema, and JSON.stringify overflows the stack (RangeError). Fix: refuse bodies nested deeper
    // than, say, 64 levels at the edge (an iterative depth check after express.json in
    // src/http/api.ts, 400 BAD_REQUEST), or at least validate the payload before hashing it.
    it('JSON nested 10,000 deep inside a submission payload: 4xx, never 500', async () => {
      const findings = new Findings();
      const token = s.submitterApi.token!;
      for (const body of [
        `{"data": {"household": {"village": ${deep(10_000)}}}}`,
        `{"data": {"x": ${deepObject(10_000)}}}`,
        `{"data": {"household": ${deepObject(300_000)}}}`,
      ]) {
        await expectRefused(ctx(findings), 'deeply nested payload', 'POST', submissionsPath(), { token, body });
        await expectRefused(ctx(findings), 'deeply nested payload with an Idempotency-Key', 'POST', submissionsPath(), {
          token,
          body,
          headers: { 'idempotency-key': `deep-${n++}` },
        });
      }
      expect(findings.list()).toEqual([]);
    });

    // Was a bug: a field (or table, or section) key "__proto__" passes definition validation
    // (KEY_PATTERN allows it) and publishes, but compileJsonSchema (src/templates/json-schema.ts)
    // builds `properties` with plain object assignment, so `properties["__proto__"] = schema` sets
    // the prototype instead of a property: the compiled schema is invalid and EVERY submission to
    // the template answers 500 ("schema is invalid"). Fix: refuse "__proto__" (and, to be safe,
    // "constructor"/"prototype") as keys in validateDefinition (src/templates/definition.validate.ts),
    // and build `properties` with Object.create(null) or Object.defineProperty in json-schema.ts.
    it('a field key "__proto__": refused in the definition, or working end to end', async () => {
      const findings = new Findings();
      const created = await s.builderApi.post(`/grids/${s.gridId}/templates`, {
        slug: 'proto-key',
        title: 'Proto key',
        definition: {
          sections: [
            {
              id: 's_proto',
              key: 'p',
              label: 'P',
              fields: [{ id: 'f_proto', key: '__proto__', label: 'Proto', type: 'text' }],
            },
          ],
        },
      });
      if (created.status !== 201) countOutcome(tally, created.status); // refused at definition time: fixed that way
      if (created.status === 201) {
        const published = await s.builderApi.post(`/templates/${created.body.data.id}/publish`);
        if (published.status === 201) {
          const schema = await send(t.baseUrl, 'GET', `/api/v1/templates/${created.body.data.id}/schema`, {
            token: s.builderApi.token!,
          });
          if (!schema.text.includes('"__proto__"'))
            findings.add('the published schema lost the "__proto__" field', schema.text.slice(0, 300));
          const reply = await send(t.baseUrl, 'POST', `/api/v1/templates/${created.body.data.id}/submissions`, {
            token: s.builderApi.token!,
            body: '{"data": {"p": {"__proto__": "value"}}}',
          });
          countOutcome(tally, reply.status);
          if (reply.status !== 202)
            findings.add(
              'a submission to a template with a "__proto__" field fails',
              `${reply.status} ${reply.text.slice(0, 200)}`,
            );
        }
      }
      expect(findings.list()).toEqual([]);
    });

    // Was a bug: keys are property names of plain objects, and ajv reads `data[key]` through
    // the prototype: an optional field named "constructor", "toString", "hasOwnProperty" or
    // "valueOf" that the client leaves out is seen as Object.prototype's function, so a valid
    // payload is refused ("must be integer"), and a required one is never reported missing. Fix:
    // `ownProperties: true` on the payload ajv instance (src/templates/json-schema.ts, payloadAjv)
    // and on the ajv instances of src/validation/validate.ts; read values with Object.hasOwn in
    // src/submissions/projection.ts, payload-view.ts and files/file-fields.ts (`f.key in section`).
    it('fields named like Object.prototype members ("constructor", "toString", ...) work when left out or required', async () => {
      const findings = new Findings();
      const fields = ['constructor', 'toString', 'hasOwnProperty', 'valueOf'].map((key, i) => ({
        id: `f_proto_${i}`,
        key,
        label: key,
        type: 'integer',
      }));
      const created = await s.builderApi.post(`/grids/${s.gridId}/templates`, {
        slug: 'prototype-named',
        title: 'Prototype-named fields',
        definition: {
          sections: [
            { id: 's_optional', key: 'optional', label: 'Optional', fields },
            {
              id: 's_required',
              key: 'required',
              label: 'Required',
              fields: [{ id: 'f_req_ctor', key: 'constructor', label: 'C', type: 'text', rules: { required: true } }],
            },
          ],
        },
      });
      expect(created.status).toBe(201);
      expect((await s.builderApi.post(`/templates/${created.body.data.id}/publish`)).status).toBe(201);
      const path = `/api/v1/templates/${created.body.data.id}/submissions`;
      const token = s.builderApi.token!;
      const leftOut = await send(t.baseUrl, 'POST', path, {
        token,
        body: { data: { optional: {}, required: { constructor: 'given' } } },
      });
      if (leftOut.status !== 202)
        findings.add('optional prototype-named fields left out: refused', leftOut.text.slice(0, 300));
      const given = await send(t.baseUrl, 'POST', path, {
        token,
        body: {
          data: {
            optional: { constructor: 1, toString: 2, hasOwnProperty: 3, valueOf: 4 },
            required: { constructor: 'x' },
          },
        },
      });
      if (given.status !== 202) findings.add('prototype-named fields given: refused', given.text.slice(0, 300));
      const missing = await send(t.baseUrl, 'POST', path, { token, body: { data: { optional: {}, required: {} } } });
      countOutcome(tally, missing.status);
      if (
        missing.status !== 422 ||
        !/required\.constructor/.test(
          missing.json?.error?.details
            ?.map((d: { path: string; message: string }) => `${d.path}: ${d.message}`)
            .join('; ') ?? '',
        ) ||
        !/is required/.test(missing.text)
      ) {
        findings.add(
          'a required field named "constructor" left out is not reported missing',
          `${missing.status} ${missing.text.slice(0, 300)}`,
        );
      }
      expect(findings.list()).toEqual([]);
    });

    // Was a bug: values that pass the payload's JSON Schema but that PostgreSQL refuses are
    // accepted with 202 and then fail in the worker (processing_status 2): year 0000 (ajv-formats'
    // "date"/"date-time" allow it, PostgreSQL has no year 0) and UTC offsets beyond ±15:59 (ajv
    // allows up to ±23:59). Fix in src/templates/field-types.ts: date → add formatMinimum
    // "0001-01-01" (or a pattern refusing year 0000); datetime → a pattern limiting the offset to
    // [+-](0\d|1[0-5]):[0-5]\d and the year to 0001-9999.
    it('dates PostgreSQL cannot hold (year 0000, offsets beyond ±15:59): refused with 4xx, not accepted then failed', async () => {
      const findings = new Findings();
      const { templateId, token } = await edgeTemplate();
      const path = `/api/v1/templates/${templateId}/submissions`;
      for (const [field, value] of [
        ['date', '"0000-01-01"'],
        ['date', '"0000-12-31"'],
        ['dt', '"0000-01-01T00:00:00Z"'],
        ['dt', '"2024-01-01T00:00:00+23:59"'],
        ['dt', '"2024-01-01T00:00:00-16:00"'],
      ] as const) {
        const reply = await expectRefused(ctx(findings), `${field} PostgreSQL refuses`, 'POST', path, {
          token,
          body: `{"data": {"e": {"${field}": ${value}}}}`,
        });
        if (reply.status === 202) {
          const outcome = (await processing.processBatch([reply.json.data.id])).get(reply.json.data.id)!;
          findings.add(
            `${field}=${value} accepted with 202, then processing says ${outcome.status}`,
            JSON.stringify(outcome).slice(0, 200),
          );
        }
      }
      expect(findings.list()).toEqual([]);
    });

    // Was a bug: query strings and bodies whose values pass validation but PostgreSQL refuses
    // answer 500: `createdAfter=0000-01-01T00:00:00Z` or an offset of +23:59 on GET
    // /templates/:id/submissions (22008), `?version=99999999999` on GET /templates/:id/schema
    // (22003: integer out of range), a follow-up `dueOn` of 0000-01-01. Fix: tighten the schemas
    // (ListSubmissionsQuery in src/submissions/submissions.schema.ts, the version query in
    // src/templates/templates.routes.ts: maximum 2147483647; FollowUpInput dueOn) and map SQLSTATE
    // class 22 to 4xx in src/db/pg-errors.ts translatePgError.
    it('query and body values PostgreSQL refuses (year 0000, huge versions): 4xx, never 500', async () => {
      const findings = new Findings();
      const token = adminApi.token!;
      for (const query of ['createdAfter=0000-01-01T00:00:00Z', 'createdBefore=2024-01-01T00:00:00%2B23:59']) {
        await expectRefused(ctx(findings), 'list filter PostgreSQL refuses', 'GET', `${submissionsPath()}?${query}`, {
          token,
          checkDatabase: false,
        });
      }
      for (const version of ['99999999999', '2147483648']) {
        await expectRefused(
          ctx(findings),
          'schema version beyond integer',
          'GET',
          `/api/v1/templates/${s.templateId}/schema?version=${version}`,
          { token, checkDatabase: false },
        );
      }
      const list = await adminApi.get(`/templates/${s.templateId}/submissions?limit=1`);
      const id = list.body.data.items[0].id as string;
      await expectRefused(ctx(findings), 'follow-up due in year 0000', 'POST', `/api/v1/submissions/${id}/follow-ups`, {
        token,
        body: { title: 'Call back', dueOn: '0000-01-01' },
      });
      expect(findings.list()).toEqual([]);
    });

    // Was a bug (denial of service): a builder's `pattern` rule is compiled as a JavaScript
    // RegExp and run by ajv on every submission; a pattern with nested quantifiers such as
    // ^(a+)+$ backtracks exponentially and blocks the event loop, stalling every request of the
    // process (measured here: 28 characters took 10.8 s; 40 would take days). Fixed: patterns run
    // on RE2 (re2js, src/rules/pattern.ts), in time linear in the answer.
    it('a catastrophic-backtracking pattern cannot stall the server', async () => {
      const created = await s.builderApi.post(`/grids/${s.gridId}/templates`, {
        slug: 'redos',
        title: 'ReDoS',
        definition: {
          sections: [
            {
              id: 's_redos',
              key: 'r',
              label: 'R',
              fields: [
                {
                  id: 'f_redos',
                  key: 'code',
                  label: 'Code',
                  type: 'text',
                  rules: { pattern: '^(a+)+$', maxLength: 64 },
                },
              ],
            },
          ],
        },
      });
      if (created.status !== 201) {
        countOutcome(tally, created.status);
        return; // refused at definition time: fixed that way
      }
      const published = await s.builderApi.post(`/templates/${created.body.data.id}/publish`);
      if (published.status !== 201) return;
      const started = Date.now();
      const reply = await send(t.baseUrl, 'POST', `/api/v1/templates/${created.body.data.id}/submissions`, {
        token: s.submitterApi.token!,
        body: { data: { r: { code: `${'a'.repeat(24)}!` } } },
      });
      countOutcome(tally, reply.status);
      const ms = Date.now() - started;
      // Every added "a" doubles the time: 24 take about a second here, 40 would take days.
      tally.note(`ReDoS probe (^(a+)+$ against 24 a's and a "!"): answered ${reply.status} in ${ms} ms`);
      expect(reply.status).toBe(422);
      expect(ms, 'one submission must not hold the event loop').toBeLessThan(250);
    });
  });
});
