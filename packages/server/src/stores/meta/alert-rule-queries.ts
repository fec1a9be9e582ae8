import type { AlertRuleRecord, AlertRuleStore } from '@tollgate/core';
import { and, asc, eq } from 'drizzle-orm';
import { createId } from './ids';
import type { MetaDatabase } from './meta-database';
import { alertRules } from './schema';

/** Alert rules; every query but the evaluator's list of enabled rules is scoped to one org. */
export function alertRuleQueries(database: MetaDatabase): AlertRuleStore {
  return {
    listAlertRules(orgId) {
      return database
        .select()
        .from(alertRules)
        .where(eq(alertRules.orgId, orgId))
        .orderBy(asc(alertRules.createdAt), asc(alertRules.id)) as Promise<AlertRuleRecord[]>;
    },

    listEnabledAlertRules() {
      return database
        .select()
        .from(alertRules)
        .where(eq(alertRules.enabled, true))
        .orderBy(asc(alertRules.createdAt), asc(alertRules.id)) as Promise<AlertRuleRecord[]>;
    },

    async getAlertRule(orgId, id) {
      const [rule] = await database
        .select()
        .from(alertRules)
        .where(and(eq(alertRules.orgId, orgId), eq(alertRules.id, id)));
      return rule as AlertRuleRecord | undefined;
    },

    async createAlertRule(input) {
      const [rule] = await database
        .insert(alertRules)
        .values({
          id: createId('alr'),
          orgId: input.orgId,
          name: input.name,
          definition: input.definition,
          enabled: input.enabled ?? true,
        })
        .returning();
      return rule as AlertRuleRecord;
    },

    async updateAlertRule(orgId, id, changes) {
      const [rule] = await database
        .update(alertRules)
        .set({ ...changes, updatedAt: new Date() })
        .where(and(eq(alertRules.orgId, orgId), eq(alertRules.id, id)))
        .returning();
      return rule as AlertRuleRecord | undefined;
    },

    async deleteAlertRule(orgId, id) {
      const deleted = await database
        .delete(alertRules)
        .where(and(eq(alertRules.orgId, orgId), eq(alertRules.id, id)))
        .returning({ id: alertRules.id });
      return deleted.length > 0;
    },
  };
}
