import type { Budget, HotStore } from '@tollgate/core';
import type { PeriodWindow } from './budget-period';

const DAY_MS = 86_400_000;

/**
 * Spend of each budget scope and period, in nano-dollars, as counters in the
 * hot store (shared by every replica through Redis). A counter outlives its
 * period by two days, so late reads still see the closing total.
 */
export class SpendCounters {
  constructor(private readonly hot: HotStore) {}

  /** One counter per scope and period: two budgets can never share one (unique in the meta store). */
  keyOf(budget: Budget, window: PeriodWindow): string {
    const scopeId = encodeURIComponent(budget.scopeId);
    return `budget:spend:${budget.orgId}:${budget.scope}:${scopeId}:${budget.period}:${window.key}`;
  }

  async spent(budget: Budget, window: PeriodWindow): Promise<number> {
    const value = await this.hot.get(this.keyOf(budget, window));
    return value === null ? 0 : Number(value);
  }

  add(budget: Budget, window: PeriodWindow, nanos: number): Promise<number> {
    return this.hot.increment(this.keyOf(budget, window), nanos, ttlOf(window));
  }

  /**
   * Sets the counter to what the event store holds, keeping what was added
   * while the store was read (`startedAt`: the counter when the read began).
   * Compare-and-set, so an increment from another process is never lost.
   */
  async settle(
    budget: Budget,
    window: PeriodWindow,
    startedAt: number,
    storedNanos: number,
  ): Promise<number> {
    const key = this.keyOf(budget, window);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const current = await this.hot.get(key);
      const next = storedNanos + ((current === null ? 0 : Number(current)) - startedAt);
      if (await this.hot.compareAndSet(key, current, String(next), ttlOf(window))) return next;
    }
    return this.spent(budget, window);
  }

  /** True the first time it is asked for this budget and period, in any process. */
  firstSoftCrossing(budget: Budget, window: PeriodWindow): Promise<boolean> {
    return this.hot.compareAndSet(
      `budget:soft:${budget.id}:${window.key}`,
      null,
      String(Date.now()),
      ttlOf(window),
    );
  }
}

function ttlOf(window: PeriodWindow): number {
  return window.end - window.start + 2 * DAY_MS;
}
