import type { Stores } from './open-stores';

export interface StoreCheck {
  events: {
    kind: string;
    tables: {
      name: string;
      engine: string;
      rows: number;
      bytes_on_disk: number;
      missing: boolean;
    }[];
  };
  meta: { kind: string; reachable: true };
  hot: { kind: string; reachable: true };
}

/**
 * What `tollgate check` reports: every table of the event store with its
 * engine, rows and size, and whether the meta store and hot state answer.
 * Shared by the CLI on the stores it opened and by the running server's API.
 */
export async function checkStores(stores: Stores): Promise<StoreCheck> {
  const tables = await stores.events.checkTables();
  await stores.meta.ping();
  await stores.hot.ping();
  return {
    events: {
      kind: stores.events.kind,
      tables: tables.map((table) => ({
        name: table.name,
        engine: table.engine,
        rows: table.rows,
        bytes_on_disk: table.bytesOnDisk,
        missing: table.missing,
      })),
    },
    meta: { kind: stores.meta.kind, reachable: true },
    hot: { kind: stores.hot.kind, reachable: true },
  };
}
