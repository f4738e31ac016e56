import pg from 'pg';
import { connectionConfig } from './pool.js';
import type { Logger } from '../observability/logger.js';

export interface Listener {
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Names the connection in pg_stat_activity. */
  name: string;
  onNotify: (payload: string | null) => void;
  /**
   * Called after the connection came back: notifications sent meanwhile were missed, so the caller
   * catches up (reloads, sweeps).
   */
  onReconnect: () => void;
}

/**
 * LISTENs on one PostgreSQL channel (NOTIFY is transactional: a notification is sent only when
 * the transaction that sent it commits). A dedicated connection, reconnected with backoff when it
 * drops.
 */
export function listen(databaseUrl: string, channel: string, options: ListenOptions, logger: Logger): Listener {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
  let client: pg.Client | null = null;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | null = null;

  const connect = async (isReconnect: boolean) => {
    if (closed) return;
    const c = new pg.Client({ ...connectionConfig(databaseUrl), application_name: options.name });
    c.on('notification', (msg) => {
      if (msg.channel === channel) options.onNotify(msg.payload ?? null);
    });
    c.on('error', (err) => logger.warn({ err, channel }, 'listener connection error'));
    c.on('end', () => {
      if (closed) return;
      client = null;
      scheduleReconnect();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      client = c;
      attempt = 0;
      if (isReconnect) options.onReconnect();
    } catch (err) {
      logger.warn({ err, channel }, 'listener cannot connect; retrying');
      await c.end().catch(() => {});
      scheduleReconnect();
    }
  };

  const scheduleReconnect = () => {
    if (closed || timer) return;
    attempt++;
    timer = setTimeout(
      () => {
        timer = null;
        void connect(true);
      },
      Math.min(30_000, 250 * 2 ** Math.min(attempt, 7)),
    );
    timer.unref();
  };

  void connect(false);
  return {
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
