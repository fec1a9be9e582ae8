import { drainPending, Session } from 'chdb';
import type { EventDriver, InsertSettings, QueryParameters } from '../driver';
import { EventStoreError, statementError } from '../event-store-error';
import { makePrivateDirectory } from '../../private-directory';

/**
 * Engine arguments fixed at connect (they cannot be a `SET` on the shared
 * session): 64-bit integers as JSON numbers, and tables loaded before the
 * first query rather than in the background.
 */
const CONNECTION_ARGUMENTS = [
  '--output_format_json_quote_64bit_integers=0',
  '--async_load_databases=0',
  '--async_load_system_database=0',
];

interface ChdbFailure {
  message?: unknown;
  code?: unknown;
  clickhouseCode?: unknown;
}

/** chDB's typed errors carry `code` ('CHDB_…') and ClickHouse's `clickhouseCode`. */
function toStoreError(error: unknown): EventStoreError {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as ChdbFailure;
  const message = typeof failure.message === 'string' ? failure.message : String(error);
  if (failure.code === 'CHDB_CONNECTION' || failure.code === 'CHDB_CLOSED') {
    return new EventStoreError('store_unavailable', `embedded event store: ${message}`, {
      cause: error,
    });
  }
  const clickhouseCode =
    typeof failure.clickhouseCode === 'number' ? failure.clickhouseCode : undefined;
  return statementError(message, clickhouseCode, error);
}

/** Parses a JSONEachRow result: one JSON object per line (JSON text never holds a raw newline). */
function parseJsonEachRow<T>(text: string): T[] {
  const rows: T[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) rows.push(JSON.parse(text.slice(start, end)) as T);
    start = end + 1;
  }
  return rows;
}

/**
 * The embedded engine: a chDB session on a data directory, in this process.
 * libchdb binds ONE data directory per process: a second directory can only be
 * opened after the first is closed (see `close`).
 */
export class ChdbDriver implements EventDriver {
  readonly kind = 'chdb' as const;

  private constructor(private readonly session: Session) {}

  static open(directory: string): ChdbDriver {
    makePrivateDirectory(directory);
    try {
      return new ChdbDriver(new Session(directory, { connectionArgs: CONNECTION_ARGUMENTS }));
    } catch (error) {
      throw new EventStoreError(
        'store_unavailable',
        `cannot open the embedded event store in ${directory} (chDB serves one data directory per process): ${String(error)}`,
        { cause: error },
      );
    }
  }

  async query<T>(sql: string, parameters: QueryParameters = {}): Promise<T[]> {
    const result = await this.execute(sql, parameters, 'JSONEachRow');
    return parseJsonEachRow<T>(result);
  }

  async command(sql: string, parameters: QueryParameters = {}): Promise<void> {
    await this.execute(sql, parameters, 'TabSeparated');
  }

  async insert(table: string, rows: Buffer, settings: InsertSettings): Promise<void> {
    try {
      await this.session.insert({ table, values: rows, format: 'JSONEachRow', settings });
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /** Closes the session and waits until the engine has let go of it, so another directory can be opened. */
  async close(): Promise<void> {
    this.session.close();
    await drainPending();
  }

  private async execute(sql: string, parameters: QueryParameters, format: string): Promise<string> {
    try {
      const result =
        Object.keys(parameters).length === 0
          ? await this.session.queryAsync(sql, { format })
          : await this.session.queryBindAsync(sql, parameters, { format });
      return result.text();
    } catch (error) {
      throw toStoreError(error);
    }
  }
}
