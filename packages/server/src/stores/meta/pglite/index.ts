import type { MetaStore } from '@tollgate/core';
import { DrizzleMetaStore } from '../drizzle-meta-store';
import { resolveMetaMigrationsFolder } from '../migrations-folder';
import { openPglite } from './driver';
import { migratePglite } from './migrator';

export interface PgliteMetaStoreOptions {
  /** The directory holding the embedded database, e.g. `<TOLLGATE_DATA_DIR>/meta`. */
  directory: string;
  /** Defaults to the migrations beside the source or the bundle (see resolveMetaMigrationsFolder). */
  migrationsFolder?: string;
  /** Postgres shared_buffers in MB, 1–128 (default 16; see openPglite). */
  sharedBuffersMb?: number;
}

/** The meta store on PGlite, Postgres in-process: the embedded default. */
export async function createPgliteMetaStore(options: PgliteMetaStoreOptions): Promise<MetaStore> {
  const migrationsFolder = resolveMetaMigrationsFolder(options.migrationsFolder);
  const { client, database } = await openPglite(options.directory, {
    sharedBuffersMb: options.sharedBuffersMb,
  });
  return new DrizzleMetaStore({
    kind: 'pglite',
    database,
    migrate: () => migratePglite(database, migrationsFolder),
    close: () => client.close(),
  });
}
