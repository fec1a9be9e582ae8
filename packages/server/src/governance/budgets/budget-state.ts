import { formatUsdNanos, parseUsdNanos, type Budget } from '@tollgate/core';
import type { PeriodWindow } from './budget-period';

export type BudgetState = 'ok' | 'soft' | 'blocked';

export interface BudgetStatus {
  budget: Budget;
  window: PeriodWindow;
  spentNanos: number;
  state: BudgetState;
}

const USD = /^\d{1,7}(\.\d{1,9})?$/;

/** The soft threshold of a budget in nano-dollars, exact to a millionth of the fraction. */
export function softLimitNanos(budget: Budget): bigint {
  return (budget.amountNanos * BigInt(Math.round(budget.softThreshold * 1_000_000))) / 1_000_000n;
}

export function stateOf(budget: Budget, spentNanos: number): BudgetState {
  const spent = BigInt(spentNanos);
  if (spent >= budget.amountNanos) return 'blocked';
  return spent >= softLimitNanos(budget) ? 'soft' : 'ok';
}

/** The USD text of nano-dollars held as a bigint (exact). */
export const usdText = (nanos: bigint): string => formatUsdNanos(nanos);

/** Nano-dollars of a non-negative USD amount given as text (at most 9 decimals); undefined when malformed. */
export function parseUsd(text: string): bigint | undefined {
  return USD.test(text.trim()) ? parseUsdNanos(text) : undefined;
}
