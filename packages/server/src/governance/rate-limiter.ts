import type { FastifyBaseLogger } from 'fastify';
import {
  MemoryRateLimitBackend,
  retryAfterMs,
  WINDOW_MS,
  windowOf,
  type RateLimitBackend,
  type RateLimitOutcome,
  type RateLimitRule,
  type RuleState,
} from './sliding-window';

/** The outcome of a call's admission, with the headers to answer it with. */
export interface Admission {
  outcome: RateLimitOutcome;
  /** `x-ratelimit-*` (OpenAI's names), and `retry-after` when refused. */
  headers: Record<string, string>;
  retryAfterMs: number;
  /** The rule that refused the call. */
  refusedBy?: RateLimitRule;
}

const WARNING_INTERVAL_MS = 30_000;

/**
 * Requests and tokens per minute over a shared backend (Redis), falling back
 * to this process's memory when the backend fails, within the same request
 * and with a warning, and going back to it on the next call that succeeds.
 */
export class RateLimiter {
  private readonly memory = new MemoryRateLimitBackend();
  private lastWarningAt = 0;
  /** Calls limited in memory because the shared backend failed (for metrics and tests). */
  fallbacks = 0;

  constructor(
    private readonly shared: RateLimitBackend | undefined,
    private readonly logger: FastifyBaseLogger,
    private readonly now: () => number = Date.now,
  ) {}

  async admit(rules: RateLimitRule[]): Promise<Admission> {
    const now = this.now();
    const { outcome } = await this.run((backend) => backend.hit(rules, now));
    const refused = outcome.allowed
      ? undefined
      : outcome.states.find((state) => state.used + state.rule.cost > state.rule.limit);
    const retry = refused
      ? retryAfterMs(refused.previous, refused.current, refused.rule.cost, refused.rule.limit, now)
      : 0;
    const headers = rateLimitHeaders(outcome.states, outcome.allowed, now);
    if (refused) headers['retry-after'] = String(Math.ceil(retry / 1000));
    return { outcome, headers, retryAfterMs: retry, refusedBy: refused?.rule };
  }

  /** Moves a token counter from the estimate charged at admission to the real usage. */
  async settle(key: string, window: number, delta: number): Promise<void> {
    if (delta === 0 || window < windowOf(this.now()) - 1) return;
    await this.run((backend) => backend.adjust(key, window, delta));
  }

  private async run<Result>(
    operation: (backend: RateLimitBackend) => Promise<Result>,
  ): Promise<{ outcome: Result }> {
    if (this.shared) {
      try {
        return { outcome: await operation(this.shared) };
      } catch (error) {
        this.fallbacks += 1;
        const now = this.now();
        if (now - this.lastWarningAt > WARNING_INTERVAL_MS) {
          this.lastWarningAt = now;
          this.logger.warn(
            { err: error },
            'rate limiter: Redis is unreachable; limiting in this process’s memory until it returns',
          );
        }
      }
    }
    return { outcome: await operation(this.memory) };
  }
}

/** The tightest requests rule and tightest tokens rule, as OpenAI's `x-ratelimit-*` headers. */
function rateLimitHeaders(states: RuleState[], allowed: boolean, now: number) {
  const headers: Record<string, string> = {};
  const reset = `${Math.ceil((WINDOW_MS - (now - windowOf(now) * WINDOW_MS)) / 1000)}s`;
  for (const kind of ['requests', 'tokens'] as const) {
    const prefix = kind === 'requests' ? 'rpm:' : 'tpm:';
    let tightest: { limit: number; remaining: number } | undefined;
    for (const state of states) {
      if (!state.rule.key.startsWith(prefix)) continue;
      const after = state.used + (allowed ? state.rule.cost : 0);
      const remaining = Math.max(0, Math.floor(state.rule.limit - after));
      if (!tightest || remaining < tightest.remaining) {
        tightest = { limit: state.rule.limit, remaining };
      }
    }
    if (!tightest) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(tightest.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(tightest.remaining);
    headers[`x-ratelimit-reset-${kind}`] = reset;
  }
  return headers;
}
