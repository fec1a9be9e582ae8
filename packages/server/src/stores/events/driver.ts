/**
 * What the event store needs from a ClickHouse engine: the seam between the
 * shared queries (`clickhouse-event-store.ts`) and the two engines
 * (`chdb/driver.ts`, `clickhouse/driver.ts`). A driver knows nothing of
 * events; the store knows nothing of which engine runs its SQL.
 *
 * Contract every driver keeps:
 * - values reach the engine only as query parameters (`{name:Type}` in the SQL);
 * - `query` returns rows parsed from JSONEachRow, with 64-bit integers as JS
 *   numbers (not strings) and DateTime64 as `YYYY-MM-DD hh:mm:ss.SSS`;
 * - `insert` resolves once the rows are committed to the table (not buffered
 *   by an asynchronous insert), and passes `settings` to that one insert.
 */
export type QueryParameterValue = string | number | boolean;
export type QueryParameters = Readonly<Record<string, QueryParameterValue>>;
export type InsertSettings = Readonly<Record<string, string | number>>;

export interface EventDriver {
  readonly kind: 'chdb' | 'clickhouse';
  query<T>(sql: string, parameters?: QueryParameters): Promise<T[]>;
  /** A statement without a result (DDL, INSERT ... SELECT). */
  command(sql: string, parameters?: QueryParameters): Promise<void>;
  /** Inserts rows already serialized as JSONEachRow, as they are: no re-serialization. */
  insert(table: string, rows: Buffer, settings: InsertSettings): Promise<void>;
  close(): Promise<void>;
}
