import { buildEventRow, eventInputSchema, type EventTenant } from '@tollgate/core';
import { redactEventRowContent } from '../governance/pii/stored-content';

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

/**
 * Validates every item of a batch on its own: invalid items get an error
 * naming the field, valid ones become storage rows, serialized once.
 */
export function parseEventBatch(
  items: readonly unknown[],
  /** With `piiRedaction`, prompts and responses are stored with PII redacted (the project's setting). */
  tenant: EventTenant & { piiRedaction?: boolean },
  now = Date.now(),
): ParsedEventBatch {
  const lines: string[] = [];
  const eventIds: string[] = [];
  const errors: EventItemError[] = [];
  items.forEach((item, index) => {
    const result = eventInputSchema.safeParse(item);
    if (!result.success) {
      for (const issue of result.error.issues.slice(0, 5)) {
        errors.push({ index, field: issue.path.join('.') || '(event)', message: issue.message });
      }
      return;
    }
    const row = buildEventRow(result.data, tenant, now);
    if (tenant.piiRedaction) redactEventRowContent(row);
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
