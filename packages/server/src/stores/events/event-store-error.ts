/**
 * What went wrong in the event store, the same for both engines:
 * - `invalid_cursor`, `invalid_query`: the caller's input (a 400 for the API);
 * - `store_unavailable`: the engine cannot be reached or is overloaded; retry later
 *   (the ingestion spool keeps the batch);
 * - `statement_failed`: the engine refused the statement (bad data, schema
 *   mismatch); retrying the same statement fails the same way.
 */
export type EventStoreErrorCode =
  'invalid_cursor' | 'invalid_query' | 'store_unavailable' | 'statement_failed';

export class EventStoreError extends Error {
  override readonly name = 'EventStoreError';
  /** True when the same call may succeed later (the engine is down or overloaded). */
  readonly retryable: boolean;
  /** ClickHouse's exception code (e.g. 62 for a syntax error), when the engine gave one. */
  readonly clickhouseCode: number | undefined;

  constructor(
    readonly code: EventStoreErrorCode,
    message: string,
    options: { clickhouseCode?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.clickhouseCode = options.clickhouseCode;
    this.retryable = code === 'store_unavailable';
  }
}

/** Recognises an event store error by shape (STYLE item 11), across module copies. */
export function isEventStoreError(error: unknown): error is EventStoreError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'EventStoreError' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/**
 * ClickHouse exception codes that say "not now" rather than "never": the same
 * statement may succeed later. Everything else is treated as final.
 */
const TRANSIENT_CLICKHOUSE_CODES = new Set([
  3, // UNEXPECTED_END_OF_FILE (connection cut mid-request)
  159, // TIMEOUT_EXCEEDED
  164, // READONLY
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
]);

/** Wraps an engine failure: transient codes become `store_unavailable`, the rest `statement_failed`. */
export function statementError(
  message: string,
  clickhouseCode: number | undefined,
  cause: unknown,
): EventStoreError {
  const code =
    clickhouseCode !== undefined && TRANSIENT_CLICKHOUSE_CODES.has(clickhouseCode)
      ? 'store_unavailable'
      : 'statement_failed';
  return new EventStoreError(code, message, { clickhouseCode, cause });
}
