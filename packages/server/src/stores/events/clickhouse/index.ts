import type { EventStore } from '@tollgate/core';
import { ClickHouseEventStore, type EventStoreLogger } from '../clickhouse-event-store';
import { ClickHouseDriver, type ClickHouseDriverOptions } from './driver';

export interface ClickHouseEventStoreOptions extends ClickHouseDriverOptions {
  logger?: EventStoreLogger;
}

/** The event store on a ClickHouse server (`CLICKHOUSE_URL`): the scale-out engine. Opened, not migrated. */
export function createClickHouseEventStore(options: ClickHouseEventStoreOptions): EventStore {
  return new ClickHouseEventStore(ClickHouseDriver.open(options), options.logger);
}

export { ClickHouseDriver, type ClickHouseDriverOptions } from './driver';
