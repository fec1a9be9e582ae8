/**
 * Sliding-window counters (the "sliding window counter" approximation): a
 * limit per minute counts the current fixed minute in full and the previous
 * one weighted by how much of it still lies inside the last 60 seconds.
 * Two counters per limit, whatever the rate, and exact enough for quotas.
 */
export const WINDOW_MS = 60_000;

/** One limit a call must fit in: `key` names what is limited (e.g. `rpm:key:key_1`). */
export interface RateLimitRule {
  key: string;
  /** What the call adds to the window: 1 for requests, the estimated tokens for tokens. */
  cost: number;
  limit: number;
}

export interface RuleState {
  rule: RateLimitRule;
  /** The sliding count before this call. */
  used: number;
  /** The previous and current windows' counters before this call. */
  previous: number;
  current: number;
}

export interface RateLimitOutcome {
  allowed: boolean;
  /** Each rule with what the window held before the call (the call is added when allowed). */
  states: RuleState[];
  /** The window index the costs were added to (to settle tokens later). */
  window: number;
}

/** Where the counters live: memory, or Redis (atomically, across processes). */
export interface RateLimitBackend {
  /** Adds every rule's cost when every rule has room, or none when one has not: all or nothing. */
  hit(rules: RateLimitRule[], now: number): Promise<RateLimitOutcome>;
  /** Adds `delta` (may be negative) to a rule's counter of `window`, e.g. to settle tokens. */
  adjust(key: string, window: number, delta: number): Promise<void>;
}

export function windowOf(now: number): number {
  return Math.floor(now / WINDOW_MS);
}

/** The weight of the previous window: the part of it still inside the sliding minute. */
export function previousWeight(now: number): number {
  return 1 - (now - windowOf(now) * WINDOW_MS) / WINDOW_MS;
}

export function counterKey(key: string, window: number): string {
  return `ratelimit:${key}:${window}`;
}

/** The sliding count of a rule from its two counters (not rounded down: never lets one more by). */
export function slidingCount(previous: number, current: number, now: number): number {
  return Math.max(previous, 0) * previousWeight(now) + Math.max(current, 0);
}

/**
 * Milliseconds until a call of `cost` fits under `limit`: when the current
 * window alone leaves room, as soon as enough of the previous one has slid out;
 * otherwise at the next window.
 */
export function retryAfterMs(
  previous: number,
  current: number,
  cost: number,
  limit: number,
  now: number,
): number {
  const elapsed = now - windowOf(now) * WINDOW_MS;
  const room = limit - Math.max(current, 0) - cost;
  if (room >= 0 && previous > 0) {
    const needed = WINDOW_MS * (1 - room / previous) - elapsed;
    return Math.max(1_000, Math.ceil(needed));
  }
  return Math.max(1_000, WINDOW_MS - elapsed);
}

/** Counters of one process, for when no Redis is configured or Redis is unreachable. */
export class MemoryRateLimitBackend implements RateLimitBackend {
  private readonly counters = new Map<string, number>();
  private lastSweep = 0;

  async hit(rules: RateLimitRule[], now: number): Promise<RateLimitOutcome> {
    this.sweep(now);
    const window = windowOf(now);
    const states = rules.map((rule) => ({
      rule,
      previous: this.counters.get(counterKey(rule.key, window - 1)) ?? 0,
      current: this.counters.get(counterKey(rule.key, window)) ?? 0,
    }));
    const allowed = states.every(
      (state) =>
        slidingCount(state.previous, state.current, now) + state.rule.cost <= state.rule.limit,
    );
    if (allowed) {
      for (const { rule, current } of states) {
        this.counters.set(counterKey(rule.key, window), current + rule.cost);
      }
    }
    return {
      allowed,
      window,
      states: states.map(({ rule, previous, current }) => ({
        rule,
        used: slidingCount(previous, current, now),
        previous,
        current,
      })),
    };
  }

  async adjust(key: string, window: number, delta: number): Promise<void> {
    const name = counterKey(key, window);
    const value = this.counters.get(name);
    if (value !== undefined) this.counters.set(name, value + delta);
  }

  /** Drops counters older than the previous window, at most once a window. */
  private sweep(now: number): void {
    const window = windowOf(now);
    if (window === this.lastSweep) return;
    this.lastSweep = window;
    for (const name of this.counters.keys()) {
      const counterWindow = Number(name.slice(name.lastIndexOf(':') + 1));
      if (counterWindow < window - 1) this.counters.delete(name);
    }
  }
}
