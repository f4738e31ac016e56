import pg from 'pg';
import { connectionConfig } from '../db/pool.js';
import type { Logger } from '../observability/logger.js';
import { SCHEMA_CHANNEL } from './publish.service.js';

export interface SchemaListener {
  close(): Promise<void>;
}

/**
 * Listens for publishes on any node (PostgreSQL LISTEN/NOTIFY; the publish transaction notifies
 * at commit) and calls `onChange`. A dedicated connection, reconnected with backoff when it drops;
 * after a reconnect `onChange` runs once too, since notifications sent meanwhile were missed.
 */
export function listenForSchemaChanges(databaseUrl: string, onChange: (templateId: string | null) => void, logger: Logger): SchemaListener {
  let client: pg.Client | null = null;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | null = null;

  const connect = async (isReconnect: boolean) => {
    if (closed) return;
    const c = new pg.Client({ ...connectionConfig(databaseUrl), application_name: 'gridbook-schema-listener' });
    c.on('notification', (msg) => {
      if (msg.channel === SCHEMA_CHANNEL) onChange(msg.payload ?? null);
    });
    c.on('error', (err) => logger.warn({ err }, 'schema listener connection error'));
    c.on('end', () => {
      if (closed) return;
      client = null;
      scheduleReconnect();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${SCHEMA_CHANNEL}`);
      client = c;
      attempt = 0;
      if (isReconnect) onChange(null);
    } catch (err) {
      logger.warn({ err }, 'schema listener cannot connect; retrying');
      await c.end().catch(() => {});
      scheduleReconnect();
    }
  };

  const scheduleReconnect = () => {
    if (closed || timer) return;
    attempt++;
    timer = setTimeout(() => {
      timer = null;
      void connect(true);
    }, Math.min(30_000, 250 * 2 ** Math.min(attempt, 7)));
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
