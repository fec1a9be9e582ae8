import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/** A Drizzle database over the meta schema, whichever driver (PGlite or node-postgres) runs it. */
export type MetaDatabase = PgDatabase<PgQueryResultHKT>;
