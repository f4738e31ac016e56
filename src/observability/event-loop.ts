import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Histogram, type Registry } from 'prom-client';

/** How often the event loop is sampled (the timer of monitorEventLoopDelay). */
export const LOOP_SAMPLE_MS = 10;
/** How often samples are moved into the Prometheus histogram (also at every scrape). */
const DRAIN_MS = 5000;

/**
 * The event loop's delay as a cumulative Prometheus histogram, `gridbook_event_loop_delay_seconds`:
 * how late the loop ran a timer due every LOOP_SAMPLE_MS (perf_hooks monitorEventLoopDelay, which
 * samples from libuv without running JavaScript). Cumulative, unlike prom-client's default
 * `nodejs_eventloop_lag_*` gauges, which are reset by each scrape: two readers (Prometheus and a
 * benchmark) do not steal each other's windows, and any window's quantiles follow from the
 * difference of two scrapes (histogram_quantile over rate() in PromQL).
 *
 * monitorEventLoopDelay keeps an HDR histogram and exposes its count and percentiles, not its raw
 * samples: each drain spreads the count over the percentile points (a sample between two points
 * counts at the upper one, so delays are never under-reported), then resets it. It records the
 * interval between two samples, which includes the sampling period itself; that is subtracted.
 */
export function eventLoopDelayMetric(registry: Registry): { histogram: Histogram; drain: () => void } {
  const monitor = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  monitor.enable();
  const drain = () => {
    const count = monitor.count;
    if (count === 0) return;
    const points = [...monitor.percentiles].sort((a, b) => a[0] - b[0]);
    let observed = 0;
    for (const [percentile, ns] of points) {
      const upTo = Math.round((percentile / 100) * count);
      const seconds = Math.max(0, ns / 1e9 - LOOP_SAMPLE_MS / 1000);
      for (; observed < upTo; observed++) histogram.observe(seconds);
    }
    monitor.reset();
  };
  const histogram: Histogram = new Histogram({
    name: 'gridbook_event_loop_delay_seconds',
    help: `Event-loop delay: how late a timer due every ${LOOP_SAMPLE_MS} ms ran (perf_hooks monitorEventLoopDelay)`,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
    collect: drain,
  });
  setInterval(drain, DRAIN_MS).unref();
  return { histogram, drain };
}
