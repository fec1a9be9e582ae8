import { randomUUID } from 'node:crypto';
import type { EventStore, HotStore, MetaStore, RetentionRun } from '@tollgate/core';
import { retentionDaysOf } from '../../auth/auth-plugin';

/** The hot-store key of the lock that lets one process at a time run retention. */
export const RETENTION_LOCK_KEY = 'retention:lock';
/** The lock's value once its holder is done: free to take, like an absent key. */
const RELEASED = 'released';
/** The lock expires on its own if its holder dies; it is renewed after each org. */
const DEFAULT_LOCK_TTL_MS = 30 * 60_000;
const DAY_MS = 86_400_000;

export interface RetentionLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface RetentionJobOptions {
  meta: MetaStore;
  events: EventStore;
  hot: HotStore;
  logger: RetentionLogger;
  lockTtlMs?: number;
}

export type RetentionOutcome =
  | { ran: true; runId: string; runs: RetentionRun[]; failedOrgs: string[] }
  | { ran: false; reason: 'locked' };

/**
 * Applies each org's current retention to the data already stored: new rows
 * carry their org's `retention_days` and expire by the tables' TTL, but a
 * policy changed later (a shorter plan, an enterprise override) must reach
 * the rows written before. Org by org, it deletes what is older than the
 * org's retention and records what it deleted (a `retention_runs` row and a
 * log line). A lock in the hot store lets only one process run it at a time.
 */
export class RetentionJob {
  private readonly lockTtlMs: number;

  constructor(private readonly options: RetentionJobOptions) {
    this.lockTtlMs = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  }

  async run(now: number = Date.now()): Promise<RetentionOutcome> {
    const { meta, events, hot, logger } = this.options;
    const runId = randomUUID();
    const acquired =
      (await hot.compareAndSet(RETENTION_LOCK_KEY, null, runId, this.lockTtlMs)) ||
      (await hot.compareAndSet(RETENTION_LOCK_KEY, RELEASED, runId, this.lockTtlMs));
    if (!acquired) {
      logger.info({ job: 'retention' }, 'retention is already running in another process');
      return { ran: false, reason: 'locked' };
    }
    const runs: RetentionRun[] = [];
    const failedOrgs: string[] = [];
    try {
      for (const organization of await meta.listOrganizations()) {
        const retentionDays = retentionDaysOf(organization);
        const cutoff = now - retentionDays * DAY_MS;
        try {
          const deleted = await events.deleteOrgDataBefore(organization.id, cutoff);
          const run = await meta.appendRetentionRun({
            runId,
            orgId: organization.id,
            retentionDays,
            cutoff: new Date(cutoff),
            deleted,
          });
          runs.push(run);
          logger.info(
            { job: 'retention', runId, orgId: organization.id, retentionDays, deleted },
            'retention applied',
          );
        } catch (error) {
          failedOrgs.push(organization.id);
          logger.error(
            { job: 'retention', runId, orgId: organization.id, err: error },
            'retention failed for an org; the next run tries again',
          );
        }
        await hot.compareAndSet(RETENTION_LOCK_KEY, runId, runId, this.lockTtlMs);
      }
    } finally {
      // Released only if still ours (the hot store has no compare-and-delete): `released` is free.
      await hot
        .compareAndSet(RETENTION_LOCK_KEY, runId, RELEASED, this.lockTtlMs)
        .catch(() => undefined);
    }
    return { ran: true, runId, runs, failedOrgs };
  }
}

/** A finished retention run as the API and the CLI show it: what was deleted per org. */
export function presentRetentionOutcome(outcome: Extract<RetentionOutcome, { ran: true }>) {
  return {
    run_id: outcome.runId,
    runs: outcome.runs.map((run) => ({
      org_id: run.orgId,
      retention_days: run.retentionDays,
      cutoff: run.cutoff.toISOString(),
      deleted: run.deleted,
    })),
    failed_orgs: outcome.failedOrgs,
  };
}
