import type { EventStatus } from '@tollgate/core';
import type { SpanStatusCode } from './otlp-trace-request';

/**
 * An event status from the span status and `error.type` (which the
 * conventions set only when the operation failed): a failure is `timeout` or
 * `rate_limited` when its type says so, `error` otherwise.
 */
export function mapSpanStatus(code: SpanStatusCode, errorType: string | undefined): EventStatus {
  if (code !== 'error' && !errorType) return 'success';
  if (!errorType) return 'error';
  if (/time(d[ _-]?)?out|deadline/i.test(errorType)) return 'timeout';
  if (/rate[ _-]?limit|too[ _-]?many[ _-]?requests|\b429\b/i.test(errorType)) return 'rate_limited';
  return 'error';
}
