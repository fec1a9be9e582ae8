import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle, type PgliteDatabase } from 'drizzle-orm/pglite';

export interface PgliteConnection {
  readonly client: PGlite;
  readonly database: PgliteDatabase;
}

/**
 * Opens (creating if needed) the embedded Postgres in `directory`. One process
 * at a time may open a directory: PGlite is a single-connection database.
 */
export async function openPglite(directory: string): Promise<PgliteConnection> {
  mkdirSync(directory, { recursive: true });
  const client = new PGlite(directory);
  await client.waitReady;
  return { client, database: drizzle({ client }) };
}
