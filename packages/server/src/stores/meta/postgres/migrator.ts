import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';

/**
 * The advisory lock every Tollgate process takes to migrate the meta store.
 * Advisory locks are per database, so databases on one server do not wait for each other.
 */
const MIGRATION_LOCK_KEY = 7_420_110_318;

/**
 * Applies the meta migrations to a Postgres server. Replicas starting together
 * take turns under a session advisory lock, held on one dedicated connection
 * for the whole run: the first applies the migrations, the others then find
 * nothing left to do. (Without it, two concurrent runs race on creating the
 * migrations table and on the migrations themselves.)
 */
export async function migratePostgres(pool: pg.Pool, migrationsFolder: string): Promise<void> {
  const client = await pool.connect();
  let connectionBroken = false;
  try {
    const database = drizzle({ client });
    await database.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      await migrate(database, { migrationsFolder });
    } finally {
      await database.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  } catch (error) {
    // A connection left in an unknown state is closed, not reused; closing it also frees the lock.
    connectionBroken = true;
    throw error;
  } finally {
    client.release(connectionBroken);
  }
}
