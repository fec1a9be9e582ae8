import { parseEventTime } from '@tollgate/core';
import { EventStoreError } from './event-store-error';

/** Where a page of events (newest first) ended: the last event's time and id. */
export interface EventCursor {
  /** Epoch milliseconds. */
  ts: number;
  eventId: string;
}

/** Opaque to clients: base64url of `<epoch ms>.<event id>`. */
export function encodeEventCursor(last: { ts: string; event_id: string }): string {
  return Buffer.from(`${parseEventTime(last.ts)}.${last.event_id}`, 'utf8').toString('base64url');
}

const CURSOR_TEXT = /^(\d{1,16})\.(.{1,256})$/s;

/** Reads a cursor from `encodeEventCursor`; anything else is a bad request, not a server error. */
export function decodeEventCursor(cursor: string): EventCursor {
  const match = CURSOR_TEXT.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2]) {
    throw new EventStoreError('invalid_cursor', 'the cursor is not one this API returned');
  }
  return { ts: Number(match[1]), eventId: match[2] };
}
