import { request, type Dispatcher } from 'undici';
import type { AlertRule } from './alert-rules';

export interface AlertNotice {
  rule: string;
  kind: AlertRule['kind'];
  state: 'firing' | 'resolved';
  org: string;
  project?: string;
  value: number;
  threshold: number;
  /** What the value measures, for people: "error rate 60.0% over 1h (threshold 50%)". */
  summary: string;
  at: string;
}

export type Sleep = (milliseconds: number) => Promise<void>;

const defaultSleep: Sleep = (milliseconds) =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

/** The body a webhook gets: Slack reads `text`, Discord `content`, a generic receiver everything. */
export function webhookBody(format: AlertRule['webhook']['format'], notice: AlertNotice): unknown {
  const text = `[${notice.state.toUpperCase()}] ${notice.rule}: ${notice.summary}`;
  switch (format) {
    case 'slack':
      return { text };
    case 'discord':
      return { content: text };
    case 'generic':
      return { text, alert: notice };
    default: {
      const unknown: never = format;
      throw new Error(`unknown webhook format ${String(unknown)}`);
    }
  }
}

/**
 * Posts a notice, retrying a failed delivery (connection error, timeout, non-2xx)
 * `retries` times with exponential backoff (`backoffMs`, doubling). A redirect
 * is a failure, never followed. Resolves with the number of attempts; rejects
 * when every attempt failed.
 */
export async function deliverWebhook(
  webhook: AlertRule['webhook'],
  notice: AlertNotice,
  sleep: Sleep = defaultSleep,
  /** The outbound policy's dispatcher for the rule's org. */
  dispatcher?: Dispatcher,
): Promise<number> {
  const body = JSON.stringify(webhookBody(webhook.format, notice));
  let lastError: unknown;
  for (let attempt = 0; attempt <= webhook.retries; attempt += 1) {
    if (attempt > 0) await sleep(webhook.backoffMs * 2 ** (attempt - 1));
    try {
      const response = await request(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'tollgate-alerts' },
        body,
        signal: AbortSignal.timeout(webhook.timeoutMs),
        ...(dispatcher ? { dispatcher } : {}),
      });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300) return attempt + 1;
      lastError = new Error(`webhook answered HTTP ${response.statusCode}`);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
