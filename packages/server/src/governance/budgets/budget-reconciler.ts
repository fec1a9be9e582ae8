import type { Budget, Clock, EventStore, MetaStore, TenantScope } from '@tollgate/core';
import type { FastifyBaseLogger } from 'fastify';
import type { CallRecordBatch } from '../../ingest/call-record-batch';
import { periodOf, type PeriodWindow } from './budget-period';
import type { SpendCounters } from './spend-counters';

/** Model calls are what budgets count, gateway calls and ingested ones alike. */
const SPEND_EVENT_TYPES = ['prompt_call'] as const;
/** The most users one cost query groups (the analytics store's limit). */
const MAX_USER_GROUPS = 1000;

export interface BudgetReconcilerOptions {
  meta: MetaStore;
  events: EventStore;
  /** The gateway's pending call events, written before the store is read. */
  callRecords: CallRecordBatch;
  counters: SpendCounters;
  logger: FastifyBaseLogger;
  /** The app's clock: which period is reconciled. */
  clock: Clock;
}

/**
 * Recomputes spend counters from the event store (the hourly and daily
 * rollups; raw events for users), at start and then periodically, so a
 * counter lost with Redis, or missed by a crash, cannot drift from what was
 * recorded. Key budgets keep their live counter: events carry no key id.
 */
export class BudgetReconciler {
  constructor(private readonly options: BudgetReconcilerOptions) {}

  /** Every org's budgets; resolves with how many counters were set. */
  async reconcileAll(): Promise<number> {
    return this.reconcile(await this.options.meta.listAllBudgets());
  }

  async reconcile(budgets: readonly Budget[]): Promise<number> {
    const { counters } = this.options;
    const countable = budgets.filter((budget) => budget.scope !== 'key');
    if (countable.length === 0) return 0;
    // What the gateway recorded so far is then in the store; what it records from here on is
    // added to the counters while the store is read, and kept by `settle`.
    await this.options.callRecords.flush();
    const now = this.options.clock.now();
    const planned = await Promise.all(
      countable.map(async (budget) => {
        const window = periodOf(budget.period, now);
        return { budget, window, startedAt: await counters.spent(budget, window) };
      }),
    );
    let settled = 0;
    for (const { budget, window, startedAt } of planned) {
      try {
        const stored = await this.storedSpend(budget, window);
        if (stored === undefined) continue;
        await counters.settle(budget, window, startedAt, stored);
        settled += 1;
      } catch (error) {
        this.options.logger.warn(
          { err: error, budgetId: budget.id },
          'could not reconcile a budget from the event store',
        );
      }
    }
    return settled;
  }

  /** The budget's spend in the period as the event store has it; undefined when it cannot tell. */
  private async storedSpend(budget: Budget, window: PeriodWindow): Promise<number | undefined> {
    const analytics = this.options.events.analytics;
    const range = {
      from: window.start,
      to: window.end,
      filters: { eventTypes: SPEND_EVENT_TYPES },
    };
    if (budget.scope === 'user') {
      const rows = await analytics.cost({ orgId: budget.orgId }, { ...range, groupBy: 'user' });
      const row = rows.find((each) => each.key === budget.scopeId);
      if (!row && rows.length >= MAX_USER_GROUPS) return undefined;
      return Number(row?.cost_nanos ?? 0n);
    }
    const scope: TenantScope =
      budget.scope === 'project'
        ? { orgId: budget.orgId, projectId: budget.scopeId }
        : { orgId: budget.orgId };
    const rows = await analytics.cost(scope, { ...range, groupBy: 'none' });
    return Number(rows.reduce((sum, row) => sum + row.cost_nanos, 0n));
  }
}
