import { Readable } from 'node:stream';
import {
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
  type ClickHouseSettings,
} from '@clickhouse/client';
import type { EventDriver, InsertSettings, QueryParameters } from '../driver';
import { EventStoreError, statementError } from '../event-store-error';

export interface ClickHouseDriverOptions {
  /** `http[s]://[user:password@]host:port[/database]` (`CLICKHOUSE_URL`). */
  url: string;
  /** Per-request timeout; defaults to 30 s. */
  requestTimeoutMs?: number;
}

/** Settings of every request: 64-bit integers as JSON numbers, times as `YYYY-MM-DD hh:mm:ss.SSS`. */
const SESSION_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 0,
  date_time_output_format: 'simple',
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Transport failures (nothing reached the server, or the answer was cut) are worth retrying. */
function toStoreError(error: unknown): EventStoreError {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    code?: unknown;
    type?: unknown;
  };
  const message = typeof failure.message === 'string' ? failure.message : String(error);
  // @clickhouse/client's ClickHouseError: the server answered with an exception.
  if (
    typeof failure.type === 'string' &&
    typeof failure.code === 'string' &&
    /^\d+$/.test(failure.code)
  ) {
    return statementError(message, Number(failure.code), error);
  }
  return new EventStoreError('store_unavailable', `ClickHouse server: ${message}`, {
    cause: error,
  });
}

/** A ClickHouse server (or anything speaking its HTTP interface) through `@clickhouse/client`. */
export class ClickHouseDriver implements EventDriver {
  readonly kind = 'clickhouse' as const;

  private constructor(private readonly client: ClickHouseClient) {}

  static open(options: ClickHouseDriverOptions): ClickHouseDriver {
    const client = createClient({
      url: options.url,
      application: 'tollgate',
      request_timeout: options.requestTimeoutMs ?? 30_000,
      compression: { request: false, response: false },
      clickhouse_settings: SESSION_SETTINGS,
      // Failures reach the caller as EventStoreErrors; the client need not log them a second time.
      log: { level: ClickHouseLogLevel.OFF },
    });
    return new ClickHouseDriver(client);
  }

  async query<T>(sql: string, parameters: QueryParameters = {}): Promise<T[]> {
    try {
      const result = await this.client.query({
        query: sql,
        query_params: parameters,
        format: 'JSONEachRow',
      });
      return await result.json<T>();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async command(sql: string, parameters: QueryParameters = {}): Promise<void> {
    try {
      await this.client.command({ query: sql, query_params: parameters });
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /**
   * Sends the JSONEachRow bytes as the request body, as they are. `insert()` of
   * the client would want objects to serialize; `exec` takes a byte stream.
   */
  async insert(table: string, rows: Buffer, settings: InsertSettings): Promise<void> {
    if (!IDENTIFIER.test(table))
      throw new EventStoreError('invalid_query', `not a table name: ${table}`);
    try {
      const result = await this.client.exec({
        query: `INSERT INTO ${table} FORMAT JSONEachRow`,
        values: Readable.from([rows]),
        clickhouse_settings: settings as ClickHouseSettings,
      });
      // The server answers once the insert is committed; the body is empty but must be read to free the socket.
      for await (const _chunk of result.stream) {
        // nothing to read
      }
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
