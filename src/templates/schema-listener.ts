import { listen, type Listener } from '../db/listener.js';
import type { Logger } from '../observability/logger.js';

/** Channel on which a publish (or the swap of an online type change) announces new or changed form data tables (every node listens). */
export const SCHEMA_CHANNEL = 'gridbook_schema_changed';

export type SchemaListener = Listener;

/**
 * Listens for publishes on any node (the publish transaction notifies at commit) and calls
 * `onChange` with the template id; after a reconnect it runs once with null, since
 * notifications sent meanwhile were missed.
 */
export function listenForSchemaChanges(
  databaseUrl: string,
  onChange: (templateId: string | null) => void,
  logger: Logger,
): SchemaListener {
  return listen(
    databaseUrl,
    SCHEMA_CHANNEL,
    { name: 'gridbook-schema-listener', onNotify: (payload) => onChange(payload), onReconnect: () => onChange(null) },
    logger,
  );
}
