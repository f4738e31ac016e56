import { describe, expect, it } from 'vitest';
import { DEADLOCK_DETECTED, LOCK_NOT_AVAILABLE, retryWhenLocked } from '../../src/db/transaction.js';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

describe('retryWhenLocked', () => {
  it('tries again while a lock times out, and answers what the attempt that got it answers', async () => {
    const seen: number[] = [];
    const result = await retryWhenLocked(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw pgError(LOCK_NOT_AVAILABLE);
        return 'swapped';
      },
      { attempts: 5, pauseMs: () => 0 },
    );
    expect(result).toBe('swapped');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('gives up after its attempts with the last error, and never retries another error', async () => {
    let calls = 0;
    await expect(
      retryWhenLocked(() => (calls++, Promise.reject(pgError(LOCK_NOT_AVAILABLE))), { attempts: 2, pauseMs: () => 0 }),
    ).rejects.toThrow('pg 55P03');
    expect(calls).toBe(2);
    calls = 0;
    await expect(
      retryWhenLocked(() => (calls++, Promise.reject(pgError('23505'))), { attempts: 5, pauseMs: () => 0 }),
    ).rejects.toThrow('pg 23505');
    expect(calls).toBe(1);
  });

  it('retries the codes it is given (a deadlock) and tells each retry', async () => {
    const retried: number[] = [];
    let calls = 0;
    await retryWhenLocked(
      async () => {
        if (calls++ === 0) throw pgError(DEADLOCK_DETECTED);
      },
      {
        attempts: 3,
        codes: [LOCK_NOT_AVAILABLE, DEADLOCK_DETECTED],
        pauseMs: () => 0,
        onRetry: (a) => retried.push(a),
      },
    );
    expect(retried).toEqual([1]);
  });
});
