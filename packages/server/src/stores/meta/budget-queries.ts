import type { Budget, BudgetStore } from '@tollgate/core';
import { and, asc, eq } from 'drizzle-orm';
import { createId } from './ids';
import type { MetaDatabase } from './meta-database';
import { budgets } from './schema';

/** Budgets, every query but `listAllBudgets` (the reconciler's) scoped to one organization. */
export function budgetQueries(database: MetaDatabase): BudgetStore {
  return {
    async createBudget(input) {
      const [budget] = await database
        .insert(budgets)
        .values({
          id: createId('bdg'),
          orgId: input.orgId,
          scope: input.scope,
          scopeId: input.scopeId,
          period: input.period,
          amountNanos: input.amountNanos,
          softThreshold: input.softThreshold ?? 0.8,
          webhookUrl: input.webhookUrl ?? null,
        })
        .returning();
      return budget as Budget;
    },

    async getBudget(orgId, id) {
      const [budget] = await database
        .select()
        .from(budgets)
        .where(and(eq(budgets.orgId, orgId), eq(budgets.id, id)));
      return budget as Budget | undefined;
    },

    listBudgets(orgId) {
      return database
        .select()
        .from(budgets)
        .where(eq(budgets.orgId, orgId))
        .orderBy(asc(budgets.createdAt), asc(budgets.id)) as Promise<Budget[]>;
    },

    listAllBudgets() {
      return database
        .select()
        .from(budgets)
        .orderBy(asc(budgets.orgId), asc(budgets.id)) as Promise<Budget[]>;
    },

    async updateBudget(orgId, id, changes) {
      const [budget] = await database
        .update(budgets)
        .set({ ...changes, updatedAt: new Date() })
        .where(and(eq(budgets.orgId, orgId), eq(budgets.id, id)))
        .returning();
      return budget as Budget | undefined;
    },

    async deleteBudget(orgId, id) {
      const deleted = await database
        .delete(budgets)
        .where(and(eq(budgets.orgId, orgId), eq(budgets.id, id)))
        .returning({ id: budgets.id });
      return deleted.length > 0;
    },
  };
}
