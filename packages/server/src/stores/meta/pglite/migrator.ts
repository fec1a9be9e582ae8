import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';

/**
 * Applies the meta migrations to an embedded database. No lock is needed: only
 * this process has the database open, and the store serialises its own calls.
 */
export async function migratePglite(
  database: PgliteDatabase,
  migrationsFolder: string,
): Promise<void> {
  await migrate(database, { migrationsFolder });
}
