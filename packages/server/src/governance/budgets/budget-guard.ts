import {
  type PriceList,
  buildEventRow,
  formatUsd,
  type Budget,
  type Clock,
  type EventStore,
  type EventTenant,
  type HotStore,
  type MetaStore,
  type Organization,
} from '@tollgate/core';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { callTraceOf } from '../../http/call-trace';
import type { CallRecordBatch } from '../../ingest/call-record-batch';
import type { PromptCallRecord } from '../../gateway/call/prompt-call-record';
import type { TokenCounter } from '../../tokens/token-counter';
import { ApiError } from '../../http/errors';
import type { PricingService } from '../../pricing/pricing-service';
import type { UnpricedPolicy } from '../../pricing/unpriced-policy';
import { periodOf, type PeriodWindow } from './budget-period';
import { callSizeOf, estimateCostNanos, type CallSize } from './budget-estimate';
import { presentBudgetTerms } from './budget-present';
import { parseUsd, softLimitNanos, stateOf, usdText, type BudgetStatus } from './budget-state';
import type { Dispatcher } from 'undici';
import type { LRUCache } from 'lru-cache';
import { localCache } from '../../stores/hot/local-cache';
import { deliverBudgetWebhook, type BudgetWebhookOptions } from './budget-webhook';
import { SpendCounters } from './spend-counters';

/** Who a gateway call is charged to. */
export interface CallParties {
  orgId: string;
  projectId: string;
  keyId?: string;
  userId?: string;
}

export interface BudgetGuardOptions {
  meta: MetaStore;
  hot: HotStore;
  events: EventStore;
  /** Where its `cost_threshold_exceeded` events go, beside the gateway's calls. */
  callRecords: CallRecordBatch;
  logger: FastifyBaseLogger;
  tokenCounter: TokenCounter;
  /** The models a requested model may be served by (its route's deployments). */
  routedModels(orgId: string, model: string): Promise<string[]>;
  /** Counts a call refused by a budget or its maximum cost (`tollgate_budget_blocked_total`). */
  onBlocked(): void;
  webhook?: BudgetWebhookOptions;
  /** The outbound policy's dispatcher for an org's webhooks. */
  webhookDispatcher?: (orgId: string) => Promise<Dispatcher>;
  /** The app's clock: which period a call falls in, webhook backoff, the caches' expiry. */
  clock: Clock;
  /** The server's prices (catalogue and global overrides; the org's own are added per call). */
  pricing: PricingService;
  /** What a budget or max cost does with a call whose model has no known price. */
  unpricedPolicy: UnpricedPolicy;
}

const CACHE_MS = 5_000;
const ORGANIZATION_CACHE_MS = 30_000;
const PERIOD_LABEL = { day: 'daily', month: 'monthly' } as const;
const MAX_COST_HEADER = 'x-tollgate-max-cost-usd';
const MAX_PENDING = 10_000;
const PENDING_MS = 600_000;

function budgetApplies(budget: Budget, parties: CallParties): boolean {
  switch (budget.scope) {
    case 'org':
      return true;
    case 'project':
      return budget.scopeId === parties.projectId;
    case 'key':
      return budget.scopeId === parties.keyId;
    case 'user':
      return budget.scopeId === parties.userId;
    default: {
      const unknown: never = budget.scope;
      return unknown;
    }
  }
}

/** The app's user of a gateway call: `x-tollgate-user-id`, else OpenAI's `user` or Anthropic's `metadata.user_id`. */
export function userIdOf(request: FastifyRequest): string | undefined {
  return callTraceOf(request).userId;
}

/**
 * Budgets on the gateway's path: before a call, refuse it when a budget that
 * applies is spent (or the call's estimate would overspend it) or when it may
 * cost more than `x-tollgate-max-cost-usd`; after a call is recorded, add its
 * cost to the counters and, the first time in a period a soft threshold is
 * crossed, record a `cost_threshold_exceeded` event and call the webhook,
 * off the user's path. A call already in flight when a limit is reached still
 * completes, so the overshoot is at most the calls in flight at that moment.
 */
export class BudgetGuard {
  readonly counters: SpendCounters;
  private readonly now: () => number;
  private readonly budgets: LRUCache<string, Budget[]>;
  private readonly organizations: LRUCache<string, { organization: Organization | undefined }>;
  /** Request id → key id of admitted calls, until their record arrives (the record has no key). */
  private readonly pendingKeys: LRUCache<string, string>;
  /** Webhook deliveries under way (tests and shutdown wait for them). */
  readonly deliveries = new Set<Promise<void>>();

  constructor(private readonly options: BudgetGuardOptions) {
    this.counters = new SpendCounters(options.hot);
    const { clock } = options;
    const now = () => clock.now();
    this.now = now;
    this.budgets = localCache({ max: 10_000, ttlMs: CACHE_MS, now });
    this.organizations = localCache({ max: 10_000, ttlMs: ORGANIZATION_CACHE_MS, now });
    // A call never recorded (refused later, or the client left) is forgotten after PENDING_MS.
    this.pendingKeys = localCache({ max: MAX_PENDING, ttlMs: PENDING_MS, now });
  }

  /** The org's budgets, read again after a few seconds (or at once after `forget`). */
  async budgetsOf(orgId: string): Promise<Budget[]> {
    const cached = this.budgets.get(orgId);
    if (cached) return cached;
    const budgets = await this.options.meta.listBudgets(orgId);
    this.budgets.set(orgId, budgets);
    return budgets;
  }

  /** Drops the cached budgets of an org after an admin change. */
  forget(orgId: string): void {
    this.budgets.delete(orgId);
  }

  async statusOf(budget: Budget): Promise<BudgetStatus> {
    const window = periodOf(budget.period, this.now());
    const spentNanos = await this.counters.spent(budget, window);
    return { budget, window, spentNanos, state: stateOf(budget, spentNanos) };
  }

  /** The gateway's pre-handler: throws `max_cost_exceeded` or `budget_exceeded` before any provider is called. */
  async admit(request: FastifyRequest): Promise<void> {
    const caller = request.caller;
    if (!caller?.projectId) return;
    const parties: CallParties = {
      orgId: caller.orgId,
      projectId: caller.projectId,
      keyId: caller.keyId,
      userId: userIdOf(request),
    };
    const maxCost = maxCostOf(request);
    const budgets = (await this.budgetsOrNone(caller.orgId)).filter((budget) =>
      budgetApplies(budget, parties),
    );
    if (maxCost === undefined && budgets.length === 0) return;

    const size = callSizeOf(request.body, this.options.tokenCounter);
    const [organization, routed] = await Promise.all([
      this.organizationOf(caller.orgId),
      this.options.routedModels(caller.orgId, size.model).catch(() => []),
    ]);
    const estimate = this.estimateOrPolicy(
      size,
      [size.model, ...routed],
      // The caller's price list follows admin price changes at once (cached keys are dropped).
      caller.priceOverrides ?? this.options.pricing.forOrganization(organization?.priceOverrides),
    );
    if (maxCost !== undefined && estimate !== undefined && BigInt(estimate) > maxCost) {
      this.options.onBlocked();
      throw new ApiError(
        'max_cost_exceeded',
        `This call may cost up to $${formatUsd(estimate)} (${size.promptTokens} prompt tokens, ${size.maxOutputTokens} max output tokens), more than ${MAX_COST_HEADER}: $${usdText(maxCost)}`,
        { estimated_cost_usd: formatUsd(estimate), max_cost_usd: usdText(maxCost) },
      );
    }
    for (const status of await this.statusesOrNone(budgets)) {
      const remaining = status.budget.amountNanos - BigInt(status.spentNanos);
      if (remaining > 0n && (estimate === undefined || BigInt(estimate) <= remaining)) continue;
      this.options.onBlocked();
      const { budget } = status;
      const what = budget.scope === 'org' ? 'organization' : `${budget.scope} ${budget.scopeId}`;
      throw new ApiError(
        'budget_exceeded',
        remaining > 0n
          ? `This call may cost up to $${formatUsd(estimate ?? 0)}, more than the $${usdText(remaining)} left of the ${PERIOD_LABEL[budget.period]} budget of ${what} ($${usdText(budget.amountNanos)})`
          : `The ${PERIOD_LABEL[budget.period]} budget of ${what} ($${usdText(budget.amountNanos)}) is spent until ${new Date(status.window.end).toISOString()}`,
        {
          budget_id: budget.id,
          scope: budget.scope,
          scope_id: budget.scopeId,
          period: status.window.key,
          spent_usd: formatUsd(status.spentNanos),
          limit_usd: usdText(budget.amountNanos),
          resets_at: new Date(status.window.end).toISOString(),
        },
      );
    }
    this.pendingKeys.set(request.id, caller.keyId);
  }

  /**
   * The call's estimated cost; for a model with no known price, what the
   * unpriced policy says: refused, estimated at the default price, or (allow)
   * undefined, which lets it through uncounted.
   */
  private estimateOrPolicy(
    size: CallSize,
    models: readonly string[],
    prices: PriceList,
  ): number | undefined {
    const estimate = estimateCostNanos(size, models, prices);
    if (estimate !== undefined) return estimate;
    const policy = this.options.unpricedPolicy;
    if (policy.kind === 'allow') return undefined;
    if (policy.kind === 'price') {
      return estimateCostNanos(size, [size.model], { [size.model]: policy.price });
    }
    this.options.onBlocked();
    throw new ApiError(
      'model_unpriced',
      `The model ${size.model} has no known price and a budget or ${MAX_COST_HEADER} applies: add its price (PUT /api/v1/admin/prices) or change TOLLGATE_UNPRICED_POLICY`,
      { model: size.model, unpriced_policy: 'refuse' },
    );
  }

  /** The org's budgets, or none while the meta store cannot be read (the call goes through). */
  private async budgetsOrNone(orgId: string): Promise<Budget[]> {
    try {
      return await this.budgetsOf(orgId);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'budgets unreadable; letting the call through');
      return [];
    }
  }

  /**
   * The budgets' spend, or none when the hot store cannot be read: a store
   * outage lets calls through (with a warning) rather than failing them all.
   */
  private async statusesOrNone(budgets: Budget[]): Promise<BudgetStatus[]> {
    try {
      return await Promise.all(budgets.map((budget) => this.statusOf(budget)));
    } catch (error) {
      this.options.logger.warn(
        { err: error },
        'budget counters unreadable; letting the call through',
      );
      return [];
    }
  }

  /** Adds a recorded call's cost to the counters of its budgets; never throws (an observer). */
  record(tenant: EventTenant, record: PromptCallRecord): void {
    const keyId = this.pendingKeys.get(record.requestId);
    this.pendingKeys.delete(record.requestId);
    if (record.costNanos <= 0) return;
    const parties: CallParties = {
      orgId: tenant.orgId,
      projectId: tenant.projectId,
      keyId,
      userId: (record.trace?.userId ?? record.userId)?.slice(0, 256),
    };
    this.charge(tenant, parties, record.costNanos).catch((error: unknown) =>
      this.options.logger.warn({ err: error }, 'could not count a call against its budgets'),
    );
  }

  private async charge(tenant: EventTenant, parties: CallParties, nanos: number): Promise<void> {
    const budgets = (await this.budgetsOf(parties.orgId)).filter((budget) =>
      budgetApplies(budget, parties),
    );
    await Promise.all(
      budgets.map(async (budget) => {
        const window = periodOf(budget.period, this.now());
        const spent = await this.counters.add(budget, window, nanos);
        const soft = softLimitNanos(budget);
        if (BigInt(spent) < soft || BigInt(spent - nanos) >= soft) return;
        if (!(await this.counters.firstSoftCrossing(budget, window))) return;
        this.softThresholdCrossed(tenant, parties, budget, window, spent);
      }),
    );
  }

  private softThresholdCrossed(
    tenant: EventTenant,
    parties: CallParties,
    budget: Budget,
    window: PeriodWindow,
    spentNanos: number,
  ): void {
    const notice = {
      type: 'budget.soft_threshold_exceeded',
      budget: presentBudgetTerms(budget),
      period: window.key,
      period_end: new Date(window.end).toISOString(),
      spent_usd: formatUsd(spentNanos),
      threshold_usd: usdText(softLimitNanos(budget)),
      at: new Date(this.now()).toISOString(),
    };
    try {
      const row = buildEventRow(
        {
          event_type: 'cost_threshold_exceeded',
          name: 'budget.soft_threshold',
          service: 'gateway',
          status: 'success',
          threshold: Number(softLimitNanos(budget)) / 1e9,
          value: spentNanos / 1e9,
          user_id: budget.scope === 'user' ? budget.scopeId.slice(0, 256) : parties.userId,
          metadata: notice,
        },
        tenant,
      );
      this.options.callRecords.add(JSON.stringify(row), row.event_id);
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not record a cost_threshold_exceeded event');
    }
    if (!budget.webhookUrl) return;
    const url = budget.webhookUrl;
    const delivery = (this.options.webhookDispatcher?.(budget.orgId) ?? Promise.resolve(undefined))
      .then((dispatcher) =>
        deliverBudgetWebhook(url, notice, {
          ...this.options.webhook,
          dispatcher,
          clock: this.options.clock,
        }),
      )
      .then(() => undefined)
      .catch((error: unknown) =>
        this.options.logger.warn(
          { err: error, budgetId: budget.id },
          'budget webhook failed after its retries',
        ),
      )
      .finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }

  private async organizationOf(orgId: string): Promise<Organization | undefined> {
    const cached = this.organizations.get(orgId);
    if (cached) return cached.organization;
    const organization = await this.options.meta.getOrganization(orgId);
    this.organizations.set(orgId, { organization });
    return organization;
  }
}

/** `x-tollgate-max-cost-usd` in nano-dollars; a malformed value is a 400 naming the header. */
function maxCostOf(request: FastifyRequest): bigint | undefined {
  const value = request.headers[MAX_COST_HEADER];
  if (value === undefined) return undefined;
  const nanos = typeof value === 'string' ? parseUsd(value) : undefined;
  if (nanos === undefined) {
    throw new ApiError(
      'invalid_request',
      `${MAX_COST_HEADER}: must be a non-negative USD amount with at most 9 decimals, e.g. 0.05`,
      { field: MAX_COST_HEADER },
    );
  }
  return nanos;
}
