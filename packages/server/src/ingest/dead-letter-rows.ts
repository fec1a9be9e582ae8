import type { DeadLetterStore, NewDeadLetter } from '@tollgate/core';
import type { RefusedRow } from './isolating-insert';

/** A refused row as a dead letter: the row's bytes as they were sent, and the store's answer. */
export function toDeadLetter({ line, error }: RefusedRow): NewDeadLetter {
  return {
    orgId: line.orgId,
    eventId: line.eventId,
    eventTime: line.ts,
    error: error.message,
    errorCode: error.clickhouseCode ?? null,
    rowBase64: line.bytes.toString('base64'),
  };
}

/** Keeps refused rows where an admin can see them; throws when that store fails (the caller spools). */
export async function keepDeadLetters(
  store: DeadLetterStore,
  refused: readonly RefusedRow[],
): Promise<void> {
  if (refused.length > 0) await store.addDeadLetters(refused.map(toDeadLetter));
}
