import { isBundleFresh } from '../../admin/bundle.js';
import { benchDatabase, benchRuntime, envNumber } from '../lib/env.js';
import { seedFixture } from '../lib/fixture.js';
import { rssMb } from '../lib/procs.js';
import type { Report } from '../lib/report.js';
import { startReference, startWeb, type Server } from '../lib/servers.js';
import { wideDefinition } from '../lib/template.js';

const S = 'boot';
type Boot = { ms: number; rss: number };

/**
 * `src/cli/web.ts` from spawn to /readyz answering 200, and its RSS at rest 2 s later, over
 * BENCH_BOOT_RUNS (5) starts on a migrated database holding one published 300-field template.
 * Reference: the reference server (node + tsx + ajv + pg, compiling the same schema) from spawn to
 * its first 200. The admin bundle must be prebuilt (`npm run admin:bundle`); when it is stale the
 * web process rebuilds it on its first start, so that start is not counted. Comparison: the same
 * web process run from its TypeScript sources through tsx, as tests run it.
 */
export async function bootScenario(report: Report): Promise<void> {
  const runs = envNumber('BENCH_BOOT_RUNS', 5);
  const db = await benchDatabase('boot');
  const rt = await benchRuntime(db);
  try {
    await seedFixture(rt, wideDefinition(300));
    const fresh = await isBundleFresh();
    if (!fresh) {
      console.log(`[${S}] the admin bundle is missing or stale: one uncounted start rebuilds it`);
      await (await startWeb(db, 'web-bundle')).child.stop();
    }
    const boot = async (start: () => Promise<Server>): Promise<Boot> => {
      const server = await start();
      await new Promise((r) => setTimeout(r, 2000));
      const rest = rssMb(server.child.pid) ?? NaN;
      await server.child.stop();
      return { ms: server.readyMs, rss: rest };
    };
    const sources = { script: 'src/cli/web.ts', tsx: true };
    const ours: Boot[] = [];
    const theirs: Boot[] = [];
    const underTsx: Boot[] = [];
    // Alternated, so that noise from other work on the machine hits all alike.
    for (let i = 0; i < runs; i++) {
      ours.push(await boot(() => startWeb(db, `web-boot${i + 1}`)));
      theirs.push(await boot(() => startReference(db, `reference-boot${i + 1}`)));
      underTsx.push(await boot(() => startWeb(db, `web-tsx-boot${i + 1}`, {}, sources)));
    }
    const show = (bs: Boot[]) => bs.map((b) => `${Math.round(b.ms)} ms / ${Math.round(b.rss)} MB`).join(', ');
    console.log(
      `[${S}] web: ${show(ours)}\n[${S}] reference: ${show(theirs)}\n[${S}] web from its sources under tsx: ${show(underTsx)}`,
    );
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ms = (bs: Boot[]) => median(bs.map((b) => b.ms));
    const rss = (bs: Boot[]) => median(bs.map((b) => b.rss));
    const reference = { name: 'reference server start to first 200', value: ms(theirs) };
    report.time(S, `web process start to /readyz 200 (median of ${runs})`, ms(ours), reference, {
      text: '< 3 s',
      maxMs: 3000,
    });
    report.time(S, 'slowest start', Math.max(...ours.map((b) => b.ms)), {
      name: 'reference server, slowest',
      value: Math.max(...theirs.map((b) => b.ms)),
    });
    report.add({
      scenario: S,
      name: 'web process RSS at rest after boot',
      value: Math.round(rss(ours)),
      unit: 'MB',
      reference: { name: 'reference server at rest', value: Math.round(rss(theirs)) },
      ratio: rss(theirs) / rss(ours),
    });
    // The same process from its sources under tsx (how it ran before the build, how tests run it).
    report.time(S, 'web from its sources under tsx, start to /readyz 200', ms(underTsx), reference);
    report.add({
      scenario: S,
      name: 'web from its sources under tsx, RSS at rest',
      value: Math.round(rss(underTsx)),
      unit: 'MB',
      reference: { name: 'reference server at rest', value: Math.round(rss(theirs)) },
      ratio: rss(theirs) / rss(underTsx),
    });
  } finally {
    await rt.close();
    await db.drop();
  }
}
