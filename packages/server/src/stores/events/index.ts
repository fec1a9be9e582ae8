import type { EventStore } from '@tollgate/core';
import type { EventStoreLogger } from './clickhouse-event-store';
import { createClickHouseEventStore } from './clickhouse';

export interface EventStoreOptions {
  /** A ClickHouse server (`CLICKHOUSE_URL`); without it the embedded chDB is used. */
  clickhouseUrl?: string;
  /** The directory for chDB's files: `<TOLLGATE_DATA_DIR>/events` (the caller joins the `events`). */
  dataDir: string;
  logger?: EventStoreLogger;
}

/**
 * The event store chosen by the configuration: the one place that knows there
 * are two. It is opened but not migrated: call `migrate()` at start-up.
 *
 * chDB is imported only when it is used: loading libchdb costs ~160 MB of
 * memory, which a server talking to ClickHouse should not pay.
 */
export async function createEventStore(options: EventStoreOptions): Promise<EventStore> {
  if (options.clickhouseUrl) {
    return createClickHouseEventStore({ url: options.clickhouseUrl, logger: options.logger });
  }
  const { createChdbEventStore } = await import('./chdb');
  return createChdbEventStore({ directory: options.dataDir, logger: options.logger });
}

export type { ChdbEventStoreOptions } from './chdb';
export { createClickHouseEventStore, type ClickHouseEventStoreOptions } from './clickhouse';
export {
  ClickHouseEventStore,
  eventInsertSettings,
  type EventStoreLogger,
} from './clickhouse-event-store';
export type { EventDriver, InsertSettings, QueryParameters } from './driver';
export { EventStoreError, isEventStoreError, type EventStoreErrorCode } from './event-store-error';
export { EXPECTED_TABLES, LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './schema';
