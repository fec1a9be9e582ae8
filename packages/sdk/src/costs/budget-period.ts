/** The calendar periods a budget covers, in UTC: a day, a week from Monday, a month. */
export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

const DAY_MS = 86_400_000;

/** The period holding `now`: [start, start of the next one), epoch ms, UTC. */
export function periodRange(period: BudgetPeriod, now: number): { from: number; to: number } {
  const date = new Date(now);
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  switch (period) {
    case 'day':
      return { from: midnight, to: midnight + DAY_MS };
    case 'week': {
      const sinceMonday = (date.getUTCDay() + 6) % 7;
      const from = midnight - sinceMonday * DAY_MS;
      return { from, to: from + 7 * DAY_MS };
    }
    case 'month':
      return {
        from: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
        to: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
      };
    default:
      throw new RangeError(
        `costs: period must be one of ${BUDGET_PERIODS.join(', ')}, got ${String(period satisfies never)}`,
      );
  }
}
