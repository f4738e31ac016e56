import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections. Workers need `maxRetriesPerRequest: null` (BullMQ refuses otherwise: a
 * blocking command must wait through reconnects). Producers in the web process keep a bounded
 * retry count so a request fails fast while Redis is down; PostgreSQL keeps the work meanwhile.
 */
export function createRedis(url: string, role: 'worker' | 'producer', extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    connectTimeout: 5000,
    // Reconnect forever with a capped backoff: a Redis restart must not need our restart.
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
    ...extra,
  });
}
