import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from '../../src/jobs/batcher.js';

/** A batch function whose batches finish when the test says so. */
function controlled() {
  const batches: { keys: number[]; finish: () => void }[] = [];
  const run = (keys: number[]) =>
    new Promise<Map<number, number>>((resolve) =>
      batches.push({ keys, finish: () => resolve(new Map(keys.map((k) => [k, k * 10]))) }),
    );
  return { batches, run };
}
/** Moves the fake clock on by `ms` and lets the promise callbacks due by then run. */
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

describe('Batcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('flushes a batch when full, or after maxWaitMs, and answers each caller with its own result', async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run, { maxSize: 3, maxWaitMs: 5 });
    const answers = [1, 2, 3, 4].map((k) => batcher.submit(k));
    expect(batches.map((b) => b.keys)).toEqual([[1, 2, 3]]);
    await tick(4);
    expect(batches.map((b) => b.keys)).toEqual([[1, 2, 3]]);
    await tick(1);
    expect(batches.map((b) => b.keys)).toEqual([[1, 2, 3], [4]]);
    batches.forEach((b) => b.finish());
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40]);
  });

  it('runs at most maxInFlight batches; what waits meanwhile goes as one batch when a slot frees', async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run, { maxSize: 100, maxWaitMs: 1, maxInFlight: 1 });
    const first = batcher.submit(1);
    expect(batches).toHaveLength(0);
    await tick(1);
    expect(batches.map((b) => b.keys)).toEqual([[1]]);
    // A trickle while the first batch runs: no clock-cut tiny batches, one batch when it ends.
    const rest: Promise<number>[] = [];
    for (let k = 2; k <= 6; k++) {
      rest.push(batcher.submit(k));
      await tick(5);
    }
    expect(batches).toHaveLength(1);
    expect(batcher.running).toBe(1);
    batches[0]!.finish();
    await first;
    await tick();
    // No wait for the clock: the batch left as soon as the slot freed.
    expect(batches.map((b) => b.keys)).toEqual([[1], [2, 3, 4, 5, 6]]);
    batches[1]!.finish();
    expect(await Promise.all(rest)).toEqual([20, 30, 40, 50, 60]);
    await tick();
    expect(batcher.running).toBe(0);
  });

  it('never puts more than maxSize in a batch, however much waited', async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run, { maxSize: 2, maxWaitMs: 1, maxInFlight: 1 });
    const all = [1, 2, 3, 4, 5].map((k) => batcher.submit(k));
    expect(batches.map((b) => b.keys)).toEqual([[1, 2]]);
    for (let i = 0; i < 3; i++) {
      batches[i]!.finish();
      await tick();
    }
    expect(batches.map((b) => b.keys)).toEqual([[1, 2], [3, 4], [5]]);
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
  });

  it('gives every caller of a failed batch the error', async () => {
    const batcher = new Batcher<number, number>(
      async () => {
        throw new Error('database down');
      },
      { maxSize: 2, maxWaitMs: 1 },
    );
    const results = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });

  it('under live load, fills a batch up to minSize for at most fillWaitMs; an idle pipeline does not wait', async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run, { maxSize: 100, maxWaitMs: 1, maxInFlight: 3, minSize: 4, fillWaitMs: 20 });
    const first = batcher.submit(1);
    await tick(1);
    // Idle: the first item went after maxWaitMs, not fillWaitMs.
    expect(batches.map((b) => b.keys)).toEqual([[1]]);
    // A batch runs and a slot is free: two items wait to fill rather than leave after 1 ms.
    const answers = [batcher.submit(2), batcher.submit(3)];
    await tick(5);
    expect(batches).toHaveLength(1);
    // Reaching minSize, they leave on the short clock.
    answers.push(batcher.submit(4), batcher.submit(5));
    await tick(1);
    expect(batches.map((b) => b.keys)).toEqual([[1], [2, 3, 4, 5]]);
    // Short of minSize, a batch leaves fillWaitMs after its first item at the latest.
    answers.push(batcher.submit(6));
    await tick(19);
    expect(batches).toHaveLength(2);
    await tick(1);
    expect(batches.map((b) => b.keys)).toEqual([[1], [2, 3, 4, 5], [6]]);
    batches.forEach((b) => b.finish());
    expect(await first).toBe(10);
    expect(await Promise.all(answers)).toEqual([20, 30, 40, 50, 60]);
  });

  it('when a slot frees with no batch running, what waited goes at once, however few', async () => {
    const { batches, run } = controlled();
    const batcher = new Batcher(run, { maxSize: 100, maxWaitMs: 1, maxInFlight: 1, minSize: 50, fillWaitMs: 1000 });
    const first = batcher.submit(1);
    await tick(1);
    const second = batcher.submit(2);
    await tick(5);
    batches[0]!.finish();
    await first;
    await tick();
    expect(batches.map((b) => b.keys)).toEqual([[1], [2]]);
    batches[1]!.finish();
    expect(await second).toBe(20);
  });
});
