import { retryWithBackoff, type Clock } from '@tollgate/core';
import { request, type Dispatcher } from 'undici';

export interface BudgetWebhookOptions {
  /** Retries after the first delivery; default 3. */
  retries?: number;
  /** First backoff, doubling (with jitter); default 1 s. */
  backoffMs?: number;
  timeoutMs?: number;
}

export interface BudgetWebhookDelivery extends BudgetWebhookOptions {
  /** The outbound policy's dispatcher for the budget's org; never follows a redirect. */
  dispatcher?: Dispatcher;
  /** What the backoff waits on; the system clock unless given. */
  clock?: Clock;
}

/**
 * Posts a budget notice as JSON, retrying a failed delivery (connection error,
 * timeout, non-2xx, a redirect: none is followed) with exponential backoff.
 * Resolves with the number of attempts; rejects when every attempt failed.
 */
export async function deliverBudgetWebhook(
  url: string,
  notice: unknown,
  options: BudgetWebhookDelivery = {},
): Promise<number> {
  const body = JSON.stringify(notice);
  let attempts = 0;
  await retryWithBackoff(
    async () => {
      attempts += 1;
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'tollgate-budgets' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      await response.body.dump();
      if (response.statusCode < 200 || response.statusCode >= 300) {
        throw new Error(`budget webhook answered HTTP ${response.statusCode}`);
      }
    },
    {
      maxRetries: options.retries ?? 3,
      baseMs: options.backoffMs ?? 1_000,
      maxMs: 60_000,
      isRetryable: () => true,
      clock: options.clock,
    },
  );
  return attempts;
}
