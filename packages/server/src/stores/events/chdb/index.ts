import type { EventStore } from '@tollgate/core';
import { ClickHouseEventStore, type EventStoreLogger } from '../clickhouse-event-store';
import { ChdbDriver } from './driver';

export interface ChdbEventStoreOptions {
  /** The directory holding the embedded database, e.g. `<TOLLGATE_DATA_DIR>/events`. */
  directory: string;
  logger?: EventStoreLogger;
}

/** The event store on chDB, ClickHouse in-process: the embedded default. Opened, not migrated. */
export function createChdbEventStore(options: ChdbEventStoreOptions): EventStore {
  return new ClickHouseEventStore(ChdbDriver.open(options.directory), options.logger);
}

export { ChdbDriver } from './driver';
