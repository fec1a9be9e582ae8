/** What a budget counts the spend of: the whole org, one project, one API key or one app user. */
export const BUDGET_SCOPES = ['org', 'project', 'key', 'user'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/** Budgets reset at the start of each UTC day or calendar month. */
export const BUDGET_PERIODS = ['day', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** A spending limit in USD over one period, with a soft threshold that warns before it is reached. */
export interface Budget {
  id: string;
  orgId: string;
  scope: BudgetScope;
  /** The org, project or key id, or the app's user id; the org's id for an org budget. */
  scopeId: string;
  period: BudgetPeriod;
  /** The hard limit in nano-dollars (exact). */
  amountNanos: bigint;
  /** Fraction of the amount, in (0, 1], at which the soft threshold fires. */
  softThreshold: number;
  /** Called (POST, JSON) once per period when the soft threshold is crossed. */
  webhookUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewBudget = Pick<Budget, 'orgId' | 'scope' | 'scopeId' | 'period' | 'amountNanos'> &
  Partial<Pick<Budget, 'softThreshold' | 'webhookUrl'>>;

export type BudgetChanges = Partial<
  Pick<Budget, 'period' | 'amountNanos' | 'softThreshold' | 'webhookUrl'>
>;

/** Budgets of each organization; every query but the reconciler's is scoped to one org. */
export interface BudgetStore {
  /** Fails with a unique violation when the scope already has a budget for the period. */
  createBudget(input: NewBudget): Promise<Budget>;
  getBudget(orgId: string, id: string): Promise<Budget | undefined>;
  listBudgets(orgId: string): Promise<Budget[]>;
  /** Every org's budgets, for the spend reconciler (a system job, not a request). */
  listAllBudgets(): Promise<Budget[]>;
  updateBudget(orgId: string, id: string, changes: BudgetChanges): Promise<Budget | undefined>;
  deleteBudget(orgId: string, id: string): Promise<boolean>;
}
