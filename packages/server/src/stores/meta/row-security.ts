import type { TenantScope } from '@tollgate/core';
import { sql } from 'drizzle-orm';
import type { MetaDatabase } from './meta-database';

/**
 * Row-level security (migration 0009, docs/postgres.md). Every meta table has
 * policies, forced on its owner too, that admit only two roles, neither of
 * which can log in or bypass row-level security:
 * - `tollgate_app`: the rows of the org in `tollgate.org_id` (and, for
 *   projects, prompts and guardrail references, of the project in
 *   `tollgate.project_id` when it is set). Without the setting it sees nothing.
 * - `tollgate_system`: every row, for the few operations that cannot know the
 *   org beforehand (see SYSTEM_OPERATIONS).
 * The connecting role takes one of them for one transaction (`set_config('role', …, true)`
 * is `SET LOCAL ROLE`), so a pooled connection never keeps a tenant's setting.
 */
export const TENANT_ROLE = 'tollgate_app';
export const SYSTEM_ROLE = 'tollgate_system';

/**
 * The store's operations that run as SYSTEM_ROLE, each because the org is not
 * known before the row is read, or because the operation spans every org.
 * Everything else runs as TENANT_ROLE within the caller's org.
 */
export const SYSTEM_OPERATIONS = [
  'findApiKeyByHash', // authentication: the key says which org the caller is
  'getProject', // lookup by id; every caller compares the project's orgId with its own
  'listOrganizations', // the operator's view of every org, retention and pricing sweeps
  'listAllBudgets', // the budget reconciler, across orgs
  'listEnabledAlertRules', // the alert evaluator, across orgs
  'addDeadLetters', // the ingest writer keeps refused rows of any org, whatever they name
  'claimVideoJobs', // the video job follower polls every org's pending jobs
  'updateVideoJob', // ... and saves each poll of a job it holds the lease of
  'nextVideoPollAt', // ... and sleeps until the next job of any org is due
  'listAllSecrets', // start-up checks the master key against every org's wrapped keys
  'rewrapSecrets', // ... and `tollgate secrets rotate` re-wraps them all under a new one
] as const;

/**
 * Runs `work` in one transaction as TENANT_ROLE with the org (and project) of
 * `scope` set: the same statement takes the role and sets both values, so a
 * tenant call costs BEGIN and COMMIT and this one statement besides its own.
 */
export function asTenant<T>(
  database: MetaDatabase,
  scope: TenantScope,
  work: (database: MetaDatabase) => Promise<T>,
): Promise<T> {
  return database.transaction(async (transaction) => {
    await transaction.execute(
      sql`select set_config('role', ${TENANT_ROLE}, true), set_config('tollgate.org_id', ${scope.orgId}, true), set_config('tollgate.project_id', ${scope.projectId ?? ''}, true)`,
    );
    return work(transaction);
  });
}

/** Runs `work` in one transaction as SYSTEM_ROLE: only for SYSTEM_OPERATIONS. */
export function asSystem<T>(
  database: MetaDatabase,
  work: (database: MetaDatabase) => Promise<T>,
): Promise<T> {
  return database.transaction(async (transaction) => {
    await transaction.execute(sql`select set_config('role', ${SYSTEM_ROLE}, true)`);
    return work(transaction);
  });
}
