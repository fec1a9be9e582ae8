import type { FeatureFlag, GuardrailReference, PolicyStore, RetentionRun } from '@tollgate/core';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { createId } from './ids';
import type { MetaDatabase } from './meta-database';
import { featureFlagOverrides, featureFlags, guardrailReferences, retentionRuns } from './schema';
import { expectRow } from './tenant-rows';

const MAX_RETENTION_RUNS = 1_000;

type FlagRow = typeof featureFlags.$inferSelect;
type OverrideRow = typeof featureFlagOverrides.$inferSelect;

function toFlag(row: FlagRow, overrides: OverrideRow[]): FeatureFlag {
  return {
    orgId: row.orgId,
    name: row.name,
    description: row.description,
    defaultEnabled: row.defaultEnabled,
    overrides: overrides
      .filter((override) => override.flagName === row.name)
      .map(({ projectId, userId, enabled }) => ({ projectId, userId, enabled })),
    updatedAt: row.updatedAt,
  };
}

function toGuardrailReference(row: typeof guardrailReferences.$inferSelect): GuardrailReference {
  return { ...row };
}

function toRetentionRun(row: typeof retentionRuns.$inferSelect): RetentionRun {
  return { ...row };
}

/** Feature flags, guardrail references and retention runs; every query scoped to an org. */
export function policyQueries(database: MetaDatabase): PolicyStore {
  async function overridesOf(orgId: string, names: string[]): Promise<OverrideRow[]> {
    if (names.length === 0) return [];
    return database
      .select()
      .from(featureFlagOverrides)
      .where(
        and(eq(featureFlagOverrides.orgId, orgId), inArray(featureFlagOverrides.flagName, names)),
      )
      .orderBy(asc(featureFlagOverrides.id));
  }

  async function getFlag(orgId: string, name: string): Promise<FeatureFlag | undefined> {
    const [row] = await database
      .select()
      .from(featureFlags)
      .where(and(eq(featureFlags.orgId, orgId), eq(featureFlags.name, name)));
    return row && toFlag(row, await overridesOf(orgId, [name]));
  }

  return {
    getFlag,

    async listFlags(orgId) {
      const rows = await database
        .select()
        .from(featureFlags)
        .where(eq(featureFlags.orgId, orgId))
        .orderBy(asc(featureFlags.name));
      const overrides = await overridesOf(
        orgId,
        rows.map((row) => row.name),
      );
      return rows.map((row) => toFlag(row, overrides));
    },

    async putFlag(orgId, name, changes) {
      await database.transaction(async (transaction) => {
        const values = {
          defaultEnabled: changes.defaultEnabled,
          ...(changes.description !== undefined ? { description: changes.description } : {}),
          updatedAt: new Date(),
        };
        await transaction
          .insert(featureFlags)
          .values({ orgId, name, ...values })
          .onConflictDoUpdate({ target: [featureFlags.orgId, featureFlags.name], set: values });
        if (changes.overrides === undefined) return;
        await transaction
          .delete(featureFlagOverrides)
          .where(
            and(eq(featureFlagOverrides.orgId, orgId), eq(featureFlagOverrides.flagName, name)),
          );
        if (changes.overrides.length === 0) return;
        await transaction.insert(featureFlagOverrides).values(
          changes.overrides.map((override) => ({
            id: createId('flo'),
            orgId,
            flagName: name,
            projectId: override.projectId,
            userId: override.userId,
            enabled: override.enabled,
          })),
        );
      });
      return expectRow(await getFlag(orgId, name), 'feature flag');
    },

    async deleteFlag(orgId, name) {
      const deleted = await database
        .delete(featureFlags)
        .where(and(eq(featureFlags.orgId, orgId), eq(featureFlags.name, name)))
        .returning({ name: featureFlags.name });
      return deleted.length > 0;
    },

    async listGuardrailReferences(orgId, projectId) {
      const ofOrg = eq(guardrailReferences.orgId, orgId);
      const rows = await database
        .select()
        .from(guardrailReferences)
        .where(projectId ? and(ofOrg, eq(guardrailReferences.projectId, projectId)) : ofOrg)
        .orderBy(asc(guardrailReferences.createdAt), asc(guardrailReferences.id));
      return rows.map(toGuardrailReference);
    },

    async createGuardrailReference(input) {
      const [row] = await database
        .insert(guardrailReferences)
        .values({ id: createId('grd'), ...input })
        .returning();
      return toGuardrailReference(expectRow(row, 'guardrail reference'));
    },

    async deleteGuardrailReference(orgId, id) {
      const [row] = await database
        .delete(guardrailReferences)
        .where(and(eq(guardrailReferences.orgId, orgId), eq(guardrailReferences.id, id)))
        .returning();
      return row && toGuardrailReference(row);
    },

    async appendRetentionRun(run) {
      const [row] = await database
        .insert(retentionRuns)
        .values({ id: createId('ret'), ...run })
        .returning();
      return toRetentionRun(expectRow(row, 'retention run'));
    },

    async listRetentionRuns(orgId, limit = 100) {
      const rows = await database
        .select()
        .from(retentionRuns)
        .where(eq(retentionRuns.orgId, orgId))
        .orderBy(desc(retentionRuns.createdAt), desc(retentionRuns.id))
        .limit(Math.min(Math.max(limit, 1), MAX_RETENTION_RUNS));
      return rows.map(toRetentionRun);
    },
  };
}
