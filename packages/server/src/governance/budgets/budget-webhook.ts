import { retryWithBackoff } from '@tollgate/core';

export interface BudgetWebhookOptions {
  /** Retries after the first delivery; default 3. */
  retries?: number;
  /** First backoff, doubling (with jitter); default 1 s. */
  backoffMs?: number;
  timeoutMs?: number;
}

/**
 * Posts a budget notice as JSON, retrying a failed delivery (connection error,
 * timeout, non-2xx) with exponential backoff. Resolves with the number of
 * attempts; rejects when every attempt failed.
 */
export async function deliverBudgetWebhook(
  url: string,
  notice: unknown,
  options: BudgetWebhookOptions = {},
): Promise<number> {
  const body = JSON.stringify(notice);
  let attempts = 0;
  await retryWithBackoff(
    async () => {
      attempts += 1;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'tollgate-budgets' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`budget webhook answered HTTP ${response.status}`);
    },
    {
      maxRetries: options.retries ?? 3,
      baseMs: options.backoffMs ?? 1_000,
      maxMs: 60_000,
      isRetryable: () => true,
    },
  );
  return attempts;
}
