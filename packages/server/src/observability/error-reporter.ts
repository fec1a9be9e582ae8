/**
 * Where the server reports what an operator must hear about: errors and
 * failures, each with the request, org and project it concerns and never any
 * content (keys, prompts, responses). Built once from the configuration
 * (`SENTRY_DSN`: Sentry; unset: nothing is reported) and passed to the parts
 * that report.
 */

/** What went wrong; a Sentry tag (`problem`), so an operator can filter by it. */
export const PROBLEM_KINDS = [
  /** A request failed on an error nobody handled (a 500 `internal_error`). */
  'unhandled_error',
  /** Any other 5xx answer (store unavailable, spool full...). */
  'server_error',
  /** The event store refused an insert: events are spooled until it is back. */
  'store_outage',
  /** The spool passed a share of its size, or is full (ingestion answers 503). */
  'spool_growth',
  /** The event store refused rows for good: kept as dead letters. */
  'dead_letter',
  /** A gateway call failed on every deployment of its route (or none could be tried). */
  'upstream_exhausted',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export interface ProblemContext {
  requestId?: string;
  orgId?: string;
  projectId?: string;
  /** Counts, codes, routes: never content. */
  details?: Record<string, string | number | boolean | undefined>;
  /** Default `error`. */
  level?: 'fatal' | 'error' | 'warning';
}

export interface ErrorReporter {
  readonly enabled: boolean;
  /** Reports an error (its type, scrubbed message and stack). Never throws. */
  captureError(kind: ProblemKind, error: unknown, context?: ProblemContext): void;
  /** Reports a problem that has no error object. Never throws. */
  captureProblem(kind: ProblemKind, message: string, context?: ProblemContext): void;
  /** Waits until what was reported is sent (or `timeoutMs`); true when everything went. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes and stops. */
  close(timeoutMs?: number): Promise<void>;
}

/** Reports nothing: error reporting is off (`SENTRY_DSN` unset). */
export const disabledErrorReporter: ErrorReporter = {
  enabled: false,
  captureError() {},
  captureProblem() {},
  flush: async () => true,
  close: async () => {},
};
