import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';

export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:port/database` */
  databaseUrl: string;
  /** Errors of idle pooled connections (a restarted server, a dropped link); the pool replaces them. */
  onError?: (error: Error) => void;
  /** Connections the pool may open; default 10. */
  maxConnections?: number;
}

export interface PostgresConnection {
  readonly pool: pg.Pool;
  readonly database: NodePgDatabase;
}

/** Fail a query after this long waiting for a connection, rather than hang on a dead server. */
const CONNECT_TIMEOUT_MS = 10_000;

/** A connection pool to a Postgres server; connections open on first use. */
export function openPostgres(options: PostgresConnectionOptions): PostgresConnection {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // Without a listener an idle connection's error would crash the process.
  pool.on('error', options.onError ?? (() => undefined));
  return { pool, database: drizzle({ client: pool }) };
}
