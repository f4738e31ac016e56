/**
 * Event-loop delay of the processes under load, from their `gridbook_event_loop_delay_seconds`
 * histogram (src/observability/event-loop.ts): read before and after a load run, the difference
 * is the run's own distribution, whoever else scrapes meanwhile.
 */

type Buckets = { le: number[]; counts: number[] };

async function readBuckets(url: string): Promise<Buckets | null> {
  const text = await fetch(url).then(
    (r) => (r.ok ? r.text() : ''),
    () => '',
  );
  const le: number[] = [];
  const counts: number[] = [];
  for (const m of text.matchAll(/^gridbook_event_loop_delay_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)) {
    le.push(m[1] === '+Inf' ? Infinity : Number(m[1]));
    counts.push(Number(m[2]));
  }
  return le.length ? { le, counts } : null;
}

export interface LoopDelay {
  /** Milliseconds; interpolated within its bucket, as PromQL's histogram_quantile does. */
  p99: number;
  /** Upper bound of the largest bucket with a sample (Infinity: above the last bound). */
  maxBound: number;
  samples: number;
}

function quantile(before: Buckets, after: Buckets, q: number): LoopDelay {
  const cum = after.counts.map((c, i) => c - (before.counts[i] ?? 0));
  const total = cum[cum.length - 1] ?? 0;
  const rank = q * total;
  let p99 = NaN;
  for (let i = 0; i < cum.length; i++) {
    if (cum[i]! >= rank) {
      const lower = i === 0 ? 0 : after.le[i - 1]!;
      const upper = after.le[i]!;
      const below = i === 0 ? 0 : cum[i - 1]!;
      p99 = upper === Infinity ? lower : lower + ((upper - lower) * (rank - below)) / Math.max(1, cum[i]! - below);
      break;
    }
  }
  let maxBound = 0;
  for (let i = 0; i < cum.length; i++) if (cum[i]! > (i === 0 ? 0 : cum[i - 1]!)) maxBound = after.le[i]!;
  return { p99: p99 * 1000, maxBound: maxBound * 1000, samples: total };
}

/** Starts measuring the processes whose /metrics URLs are given by name; stop() answers per name. */
export async function loopDelayMeter(
  urls: Record<string, string>,
): Promise<{ stop(): Promise<Record<string, LoopDelay>> }> {
  const before = Object.fromEntries(
    await Promise.all(Object.entries(urls).map(async ([name, url]) => [name, await readBuckets(url)] as const)),
  );
  return {
    async stop() {
      const out: Record<string, LoopDelay> = {};
      for (const [name, url] of Object.entries(urls)) {
        const after = await readBuckets(url);
        if (before[name] && after) out[name] = quantile(before[name], after, 0.99);
      }
      return out;
    },
  };
}

export function describeLoopDelay(delays: Record<string, LoopDelay>): string {
  const parts = Object.entries(delays).map(
    ([name, d]) =>
      `${name} p99 ${d.p99.toFixed(1)} ms (max <= ${d.maxBound === Infinity ? '> 2.5 s' : `${d.maxBound} ms`}, ${d.samples} samples)`,
  );
  return parts.length ? `event-loop delay: ${parts.join('; ')}` : 'event-loop delay: not exported';
}
