import type { BudgetPeriod } from '@tollgate/core';

/** One period of a budget: a UTC day or calendar month, `[start, end)` in epoch milliseconds. */
export interface PeriodWindow {
  /** `2026-11-23` for a day, `2026-11` for a month: part of every counter key. */
  key: string;
  start: number;
  end: number;
}

/** The period holding `now` (UTC, so every replica and the event store agree on the boundaries). */
export function periodOf(period: BudgetPeriod, now: number): PeriodWindow {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (period === 'month') {
    return {
      key: `${year}-${String(month + 1).padStart(2, '0')}`,
      start: Date.UTC(year, month, 1),
      end: Date.UTC(year, month + 1, 1),
    };
  }
  const day = date.getUTCDate();
  return {
    key: date.toISOString().slice(0, 10),
    start: Date.UTC(year, month, day),
    end: Date.UTC(year, month, day + 1),
  };
}
