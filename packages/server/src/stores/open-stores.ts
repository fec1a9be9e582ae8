import { join } from 'node:path';
import type { Clock, EventStore, HotStore, MetaStore } from '@tollgate/core';
import { createEventStore } from './events';
import { createHotStore } from './hot';
import { createMetaStore } from './meta';

export interface Stores {
  events: EventStore;
  meta: MetaStore;
  hot: HotStore;
}

/** What opening the stores needs of the configuration (`config.ts` sits above the stores). */
export interface StoreSettings {
  dataDir: string;
  clickhouseUrl?: string;
  databaseUrl?: string;
  redisUrl?: string;
  metaSharedBuffersMb: number;
  dedupe: { memoryIds: number };
}

/** Opens the three stores the configuration names (embedded by default) and applies their schemas. */
export async function openStores(
  configuration: StoreSettings,
  options: {
    migrate?: boolean;
    /** The memory hot store's clock (its TTLs); the system clock unless given. Redis keeps its own. */
    clock?: Clock;
  } = {},
): Promise<Stores> {
  const events = await createEventStore({
    clickhouseUrl: configuration.clickhouseUrl,
    dataDir: join(configuration.dataDir, 'events'),
  });
  const meta = await createMetaStore({
    databaseUrl: configuration.databaseUrl,
    dataDir: join(configuration.dataDir, 'meta'),
    sharedBuffersMb: configuration.metaSharedBuffersMb,
  });
  const hot = await createHotStore({
    redisUrl: configuration.redisUrl,
    maxClaims: configuration.dedupe.memoryIds,
    clock: options.clock,
  });
  if (options.migrate !== false) {
    await events.migrate();
    await meta.migrate();
  }
  return { events, meta, hot };
}

export async function closeStores(stores: Stores): Promise<void> {
  await Promise.allSettled([stores.events.close(), stores.meta.close(), stores.hot.close()]);
}
