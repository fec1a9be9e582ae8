import { formatUsd, type Budget } from '@tollgate/core';
import { usdText, type BudgetStatus } from './budget-state';

/** What a budget is (scope, period, amount, threshold): the part its webhook notices carry. */
export function presentBudgetTerms(budget: Budget) {
  return {
    id: budget.id,
    org_id: budget.orgId,
    scope: budget.scope,
    scope_id: budget.scopeId,
    period: budget.period,
    amount_usd: usdText(budget.amountNanos),
    soft_threshold: budget.softThreshold,
  };
}

/** How the API shows a budget; the audit log stores the same shape as before/after. */
export function presentBudget(budget: Budget) {
  return {
    ...presentBudgetTerms(budget),
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
