import { BUDGET_PERIODS, BUDGET_SCOPES, formatUsd, type Budget } from '@tollgate/core';
import { z } from 'zod';
import { parseUsd, usdText, type BudgetStatus } from '../governance/budgets/budget-guard';

/** How the API shows a budget; the audit log stores the same shape as before/after. */
export function presentBudget(budget: Budget) {
  return {
    id: budget.id,
    org_id: budget.orgId,
    scope: budget.scope,
    scope_id: budget.scopeId,
    period: budget.period,
    amount_usd: usdText(budget.amountNanos),
    soft_threshold: budget.softThreshold,
    webhook_url: budget.webhookUrl,
    created_at: budget.createdAt.toISOString(),
    updated_at: budget.updatedAt.toISOString(),
  };
}

/** A budget with its spend in the current period and its state (ok, soft, blocked). */
export function presentBudgetStatus(status: BudgetStatus) {
  const { budget, window } = status;
  return {
    ...presentBudget(budget),
    period_key: window.key,
    period_start: new Date(window.start).toISOString(),
    period_end: new Date(window.end).toISOString(),
    spent_usd: formatUsd(status.spentNanos),
    limit_usd: usdText(budget.amountNanos),
    state: status.state,
  };
}

/** The most a budget may be: a million USD a period (counters stay exact integers of nanos). */
const MAX_AMOUNT_NANOS = 1_000_000n * 1_000_000_000n;

/**
 * A USD amount as decimal text (`"25.50"`, exact) or a JSON number, at most 9
 * decimals, never negative; becomes nano-dollars.
 */
export const amountUsdField = z
  .union([z.string().max(32), z.number()], { error: 'must be a USD amount (string or number)' })
  .transform((value, context) => {
    if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) {
      context.addIssue({ code: 'custom', message: 'must be a non-negative USD amount' });
      return z.NEVER;
    }
    const text = typeof value === 'number' ? value.toFixed(9) : value;
    const nanos = parseUsd(text);
    if (nanos === undefined || nanos > MAX_AMOUNT_NANOS) {
      context.addIssue({
        code: 'custom',
        message: text.trim().startsWith('-')
          ? 'must be a non-negative USD amount'
          : 'must be a USD amount from 0 to 1000000 with at most 9 decimals',
      });
      return z.NEVER;
    }
    return nanos;
  });

export const softThresholdField = z
  .number({ error: 'must be a number in (0, 1]' })
  .gt(0, 'must be greater than 0')
  .lte(1, 'must be at most 1');

export const webhookUrlField = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL')
  .nullable();

export const budgetScopeField = z.enum(BUDGET_SCOPES);
export const budgetPeriodField = z.enum(BUDGET_PERIODS);
/** A project or key id, or an app's user id (any printable text, as the gateway records it). */
export const scopeIdField = z.string().trim().min(1).max(256);
