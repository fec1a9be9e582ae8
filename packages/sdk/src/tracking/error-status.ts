import type { EventStatus } from '@tollgate/core';

/** How a failure is recorded: timeouts and 429s get their own status. */
export function statusOfError(error: unknown): EventStatus {
  if (typeof error !== 'object' || error === null) return 'error';
  const { name, status } = error as { name?: unknown; status?: unknown };
  if (status === 429) return 'rate_limited';
  if (name === 'TimeoutError' || name === 'APIConnectionTimeoutError') return 'timeout';
  return 'error';
}

export function messageOfError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 10_000 ? `${message.slice(0, 10_000)}…` : message;
}
