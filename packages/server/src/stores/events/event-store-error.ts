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
 * ClickHouse exception codes (src/Common/ErrorCodes.cpp) that say "not now"
 * rather than "never": the engine is down, overloaded, out of resources or not
 * (yet) set up, and the same statement may succeed later, so an insert is
 * spooled and retried. Every other code (bad data: CANNOT_PARSE_*, TYPE_MISMATCH,
 * a bad escape sequence...) is a refusal of the rows themselves: the writer
 * isolates and dead-letters them instead of retrying them forever.
 */
const TRANSIENT_CLICKHOUSE_CODES = new Set([
  3, // UNEXPECTED_END_OF_FILE (connection cut mid-request)
  32, // ATTEMPT_TO_READ_AFTER_EOF
  60, // UNKNOWN_TABLE (schema not migrated yet, or dropped: an operator's fix, not the rows')
  81, // UNKNOWN_DATABASE
  159, // TIMEOUT_EXCEEDED
  164, // READONLY
  173, // CANNOT_ALLOCATE_MEMORY
  192, // UNKNOWN_USER
  193, // WRONG_PASSWORD
  194, // REQUIRED_PASSWORD
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  225, // NO_ZOOKEEPER
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  243, // NOT_ENOUGH_SPACE
  252, // TOO_MANY_PARTS (merges behind) -- but see TOO_MANY_PARTITIONS below
  279, // ALL_CONNECTION_TRIES_FAILED
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
  425, // SYSTEM_ERROR
  439, // CANNOT_SCHEDULE_TASK
  497, // ACCESS_DENIED
  516, // AUTHENTICATION_FAILED
  999, // KEEPER_EXCEPTION
  1000, // POCO_EXCEPTION (network)
]);

/**
 * Code 252 names two things: too many parts (merges are behind: transient) and
 * "Too many partitions for single INSERT block" (the rows span more months
 * than one insert may touch: retrying the same rows fails the same way).
 */
const TOO_MANY_PARTITIONS = /too many partitions/i;

/** Wraps an engine failure: transient codes become `store_unavailable`, the rest `statement_failed`. */
export function statementError(
  message: string,
  clickhouseCode: number | undefined,
  cause: unknown,
): EventStoreError {
  const transient =
    clickhouseCode !== undefined &&
    TRANSIENT_CLICKHOUSE_CODES.has(clickhouseCode) &&
    !(clickhouseCode === 252 && TOO_MANY_PARTITIONS.test(message));
  return new EventStoreError(transient ? 'store_unavailable' : 'statement_failed', message, {
    clickhouseCode,
    cause,
  });
}

/**
 * True when the store refused an insert for good (its rows, not an outage):
 * the only failure that row isolation and dead letters answer. Anything else
 * (a transient code, a timeout, a failure without a ClickHouse code) is an outage.
 */
export function isPermanentRefusal(error: unknown): error is EventStoreError {
  return isEventStoreError(error) && !error.retryable && error.code === 'statement_failed';
}
