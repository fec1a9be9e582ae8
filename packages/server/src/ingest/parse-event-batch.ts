import {
  buildEventRow,
  checkEventInput,
  eventInputSchema,
  eventTime,
  eventTimeProblem,
  repairStorableText,
  EventUsageError,
  type EventRow,
  type EventTenant,
} from '@tollgate/core';
import {
  applyContentPolicy,
  storedMetadata,
  storedText,
  type ContentPolicy,
} from '../content/stored-content';

export interface EventItemError {
  index: number;
  field: string;
  message: string;
}

export interface ParsedEventBatch {
  /** Valid events as JSONEachRow, ready for the writer. */
  rows: Buffer;
  accepted: number;
  /** Ids of the accepted events, in input order. */
  eventIds: string[];
  errors: EventItemError[];
}

export interface EventBatchOptions {
  /** How far ahead of the server's clock an event's time may be (`TOLLGATE_INGEST_FUTURE_SKEW_MS`). */
  maxFutureSkewMs: number;
  /**
   * Repair unstorable text (unpaired surrogates, NUL) instead of refusing the
   * event: for spans an instrumentation library wrote, whose sender cannot act on a refusal.
   */
  repairText?: boolean;
  now?: number;
}

/**
 * Validates every item of a batch on its own, before anything is stored:
 * known fields only, storable text, bounded JSON, types and ranges, and a
 * time the store keeps (inside the org's retention, not too far ahead).
 * Invalid items get errors naming the field; valid ones become storage
 * rows, serialized once.
 */
export function parseEventBatch(
  items: readonly unknown[],
  /** The project's content settings: prompts and responses dropped, or stored with PII redacted. */
  tenant: EventTenant & ContentPolicy,
  options: EventBatchOptions,
): ParsedEventBatch {
  const now = options.now ?? Date.now();
  const window = {
    now,
    retentionDays: tenant.retentionDays,
    maxFutureSkewMs: options.maxFutureSkewMs,
  };
  const lines: string[] = [];
  const eventIds: string[] = [];
  const errors: EventItemError[] = [];
  items.forEach((item, index) => {
    if (options.repairText && item !== null && typeof item === 'object') repairStorableText(item);
    const problems = checkEventInput(item);
    if (problems.length > 0) {
      for (const problem of problems) errors.push({ index, ...problem });
      return;
    }
    const result = eventInputSchema.safeParse(item);
    if (!result.success) {
      for (const issue of result.error.issues.slice(0, 5)) {
        errors.push({ index, field: issue.path.join('.') || '(event)', message: issue.message });
      }
      return;
    }
    const timeProblem = eventTimeProblem(eventTime(result.data, now), window);
    if (timeProblem) {
      const field = result.data.ts !== undefined ? 'ts' : 'event_id';
      errors.push({
        index,
        field,
        message: field === 'ts' ? timeProblem : `carries a time that ${timeProblem}`,
      });
      return;
    }
    const redact = tenant.piiRedaction === true;
    // Metadata (span attributes) and error texts pass the same redaction as prompts; values
    // under credential names and credential-shaped strings are removed whatever the project says.
    const event = result.data.metadata
      ? { ...result.data, metadata: storedMetadata(result.data.metadata, redact) }
      : result.data;
    let row: EventRow;
    try {
      row = buildEventRow(event, tenant, now);
    } catch (error) {
      if (!(error instanceof EventUsageError)) throw error;
      errors.push({ index, field: error.field, message: error.message });
      return;
    }
    applyContentPolicy(row, tenant);
    row.error_message = storedText(row.error_message, redact);
    eventIds.push(row.event_id);
    lines.push(JSON.stringify(row));
  });
  return {
    rows: Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : ''),
    accepted: lines.length,
    eventIds,
    errors,
  };
}

/**
 * Splits an NDJSON body into items. A line that is not JSON becomes an
 * item error rather than failing the batch.
 */
export function parseNdjson(body: string): {
  items: unknown[];
  errors: EventItemError[];
  indexes: number[];
} {
  const items: unknown[] = [];
  const indexes: number[] = [];
  const errors: EventItemError[] = [];
  let index = 0;
  for (const line of body.split('\n')) {
    if (line.trim() === '') continue;
    try {
      items.push(JSON.parse(line));
      indexes.push(index);
    } catch {
      errors.push({ index, field: '(event)', message: 'line is not valid JSON' });
    }
    index += 1;
  }
  return { items, errors, indexes };
}
