import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { eventLoopDelayMetric } from '../../src/observability/event-loop.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('event-loop delay metric', () => {
  it('records a blocked loop in the cumulative histogram, and an idle loop near zero', async () => {
    const registry = new Registry();
    const { drain } = eventLoopDelayMetric(registry);
    await sleep(200); // idle: samples of about 0 ms once the sampling period is subtracted
    const blockedUntil = performance.now() + 150;
    while (performance.now() < blockedUntil) {
      // the loop is blocked for 150 ms
    }
    await sleep(50);
    drain();
    const text = await registry.metrics();
    const bucket = (le: string) =>
      Number(new RegExp(`^gridbook_event_loop_delay_seconds_bucket\\{le="${le}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    const total = Number(/^gridbook_event_loop_delay_seconds_count (\d+)$/m.exec(text)?.[1]);
    expect(total).toBeGreaterThan(5);
    expect(bucket('0.005')).toBeGreaterThan(0);
    // The blocked sample is counted above 100 ms, not averaged away.
    expect(bucket('0.1')).toBeLessThan(total);
    // Cumulative: a second read keeps what the first one counted.
    await sleep(30);
    const again = Number(/^gridbook_event_loop_delay_seconds_count (\d+)$/m.exec(await registry.metrics())?.[1]);
    expect(again).toBeGreaterThanOrEqual(total);
  });
});
