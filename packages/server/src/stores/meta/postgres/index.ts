import type { MetaStore } from '@tollgate/core';
import { DrizzleMetaStore } from '../drizzle-meta-store';
import { resolveMetaMigrationsFolder } from '../migrations-folder';
import { openPostgres, type PostgresConnectionOptions } from './driver';
import { migratePostgres } from './migrator';

export interface PostgresMetaStoreOptions extends PostgresConnectionOptions {
  /** Defaults to the migrations beside the source or the bundle (see resolveMetaMigrationsFolder). */
  migrationsFolder?: string;
}

/** The meta store on a Postgres server (`DATABASE_URL`): the scale-out engine. */
export function createPostgresMetaStore(options: PostgresMetaStoreOptions): MetaStore {
  const migrationsFolder = resolveMetaMigrationsFolder(options.migrationsFolder);
  const { pool, database } = openPostgres(options);
  return new DrizzleMetaStore({
    kind: 'postgres',
    database,
    migrate: () => migratePostgres(pool, migrationsFolder),
    close: () => pool.end(),
  });
}
