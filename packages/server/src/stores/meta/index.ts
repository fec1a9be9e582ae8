import type { MetaStore } from '@tollgate/core';
import { createPgliteMetaStore } from './pglite';
import { createPostgresMetaStore } from './postgres';

export interface MetaStoreOptions {
  /** A Postgres server (`DATABASE_URL`); without it the embedded PGlite is used. */
  databaseUrl?: string;
  /** The directory for PGlite's files: `<TOLLGATE_DATA_DIR>/meta` (the caller joins the `meta`). */
  dataDir: string;
  /** Where the migrations are; by default found beside the source or the bundle. */
  migrationsFolder?: string;
  /** PGlite's shared_buffers in MB (default 16; see openPglite). Postgres servers keep their own. */
  sharedBuffersMb?: number;
  /** Errors of idle Postgres connections (PGlite has none). */
  onError?: (error: Error) => void;
}

/**
 * The meta store chosen by the configuration: the one place that knows there
 * are two. It is opened but not migrated: call `migrate()` at start-up.
 */
export async function createMetaStore(options: MetaStoreOptions): Promise<MetaStore> {
  if (options.databaseUrl) {
    return createPostgresMetaStore({
      databaseUrl: options.databaseUrl,
      migrationsFolder: options.migrationsFolder,
      onError: options.onError,
    });
  }
  return createPgliteMetaStore({
    directory: options.dataDir,
    migrationsFolder: options.migrationsFolder,
    sharedBuffersMb: options.sharedBuffersMb,
  });
}

export { DrizzleMetaStore, type MetaDatabase, type MetaStoreDriver } from './drizzle-meta-store';
export { isForeignKeyViolation, isUniqueViolation } from './meta-store-errors';
export { resolveMetaMigrationsFolder } from './migrations-folder';
export { createPgliteMetaStore, type PgliteMetaStoreOptions } from './pglite';
export { createPostgresMetaStore, type PostgresMetaStoreOptions } from './postgres';
