import { formatUsdNanos, parseScaledDecimal, systemClock, type Clock } from '@tollgate/core';
import { consoleWarning, type WarningSink } from '../runtime/warn';
import {
  isCostsUnavailableError,
  readCostSummary,
  summaryQuery,
  type CostSubject,
  type CostSummary,
  type SummaryTarget,
} from './cost-summary';
import { periodRange, type BudgetPeriod } from './budget-period';

/**
 * The cost tracker: what an app's users or projects spent, read from the
 * Tollgate server (`GET /api/v1/analytics/cost/summary`), for apps that meter
 * their own customers. Answers are cached for `cacheTtlMs`; concurrent reads
 * of the same figures share one request. Budget checks never throw when the
 * server is away: they answer from the last figures (up to `maxStaleMs` old),
 * else by the `whenUnreachable` policy, and say so once in a warning.
 */

export interface CostTrackerOptions {
  /** The Tollgate server, e.g. `http://localhost:4000`. */
  baseUrl: string;
  /** A key with the `read` scope: a project key (its project), or an org key (`projectId` picks one). */
  apiKey: string;
  /** How long an answer is reused; default 30 000. */
  cacheTtlMs?: number;
  /** How long the last answer still serves a budget check while the server is away; default 600 000. */
  maxStaleMs?: number;
  /** After a failed read, budget checks use the fallback this long before asking again; default 5 000. */
  retryAfterFailureMs?: number;
  /** One request's time limit; default 2 000 (a budget check sits on the app's hot path). */
  requestTimeoutMs?: number;
  /**
   * What a budget check answers when no figures are available: `open` (the
   * default: not over budget, the call goes ahead) or `closed` (over budget).
   */
  whenUnreachable?: 'open' | 'closed';
  onWarning?: WarningSink;
  fetch?: typeof fetch;
  clock?: Pick<Clock, 'now'>;
}

export interface SummaryRequest extends CostSubject {
  /** Start, inclusive (Date, ISO-8601 text or epoch ms). */
  from: Date | string | number;
  /** End, exclusive; default the end of the current minute (so repeated reads share the cache). */
  to?: Date | string | number;
}

export interface BudgetRequest extends CostSubject {
  /** The limit in USD, as decimal text (`"25.00"`) or a number (read as the decimal it prints as). */
  limitUsd: string | number;
  /** The calendar period (UTC) the limit covers; default `month`. */
  period?: BudgetPeriod;
}

export interface BudgetStatus {
  limitUsd: string;
  /** Spent in the period; null when unknown (no figures). */
  spentUsd: string | null;
  /** What is left, never below 0; null when unknown. */
  remainingUsd: string | null;
  /** Spent ≥ limit; when unknown, the `whenUnreachable` policy's answer. */
  overBudget: boolean;
  /** Calls of the period with no price: their cost is unknown and not in `spentUsd`. */
  unpricedOperations: number;
  period: BudgetPeriod;
  from: string;
  to: string;
  /** `server` (fresh or cached within `cacheTtlMs`), `stale` (last figures, server away) or `policy`. */
  source: 'server' | 'stale' | 'policy';
}

export interface CostTracker {
  /** Total, operation count, and breakdowns by operation, model and day; rejects with `CostsUnavailableError`. */
  summary(request: SummaryRequest): Promise<CostSummary>;
  /** Never rejects for the server's sake (see `whenUnreachable`); a malformed `limitUsd` or `period` is a RangeError. */
  isOverBudget(request: BudgetRequest): Promise<boolean>;
  /** As `isOverBudget`, with the figures. */
  remaining(request: BudgetRequest): Promise<BudgetStatus>;
  /** Forgets every cached answer. */
  clear(): void;
}

const MINUTE_MS = 60_000;

interface CacheEntry {
  summary?: CostSummary;
  fetchedAt: number;
  failedAt?: number;
  pending?: Promise<CostSummary>;
}

const instant = (value: Date | string | number, name: string): number => {
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`costs: ${name} is not a time: ${String(value)}`);
  return ms;
};

/** A USD limit as exact nanos; a number is read as the decimal it prints as (`0.1` is 0.1). */
function limitNanos(limitUsd: string | number): bigint {
  const nanos =
    typeof limitUsd === 'number' && Number.isFinite(limitUsd) && limitUsd >= 0
      ? parseScaledDecimal(String(limitUsd), 9)
      : typeof limitUsd === 'string'
        ? parseScaledDecimal(limitUsd, 9)
        : undefined;
  if (nanos === undefined) {
    throw new RangeError(`costs: limitUsd must be a non-negative decimal, got ${String(limitUsd)}`);
  }
  return nanos;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value >= 0)) throw new RangeError(`createCostTracker: ${name} must be ≥ 0, got ${value}`);
  return value;
}

export function createCostTracker(options: CostTrackerOptions): CostTracker {
  if (typeof options.baseUrl !== 'string' || options.baseUrl === '') {
    throw new TypeError('createCostTracker: baseUrl is required, e.g. http://localhost:4000');
  }
  if (typeof options.apiKey !== 'string' || options.apiKey === '') {
    throw new TypeError('createCostTracker: apiKey is required (a key with the read scope)');
  }
  const target: SummaryTarget = {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    apiKey: options.apiKey,
    timeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, 2000),
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
  };
  const ttlMs = positive('cacheTtlMs', options.cacheTtlMs, 30_000);
  const maxStaleMs = positive('maxStaleMs', options.maxStaleMs, 600_000);
  const retryAfterFailureMs = positive('retryAfterFailureMs', options.retryAfterFailureMs, 5000);
  const failClosed = options.whenUnreachable === 'closed';
  const warn = options.onWarning ?? consoleWarning;
  const clock = options.clock ?? systemClock;
  const cache = new Map<string, CacheEntry>();
  let unreachable = false;

  /** The summary for `query`: cached, shared with a read in flight, or read now. */
  function load(query: string): Promise<CostSummary> {
    const now = clock.now();
    const entry = cache.get(query);
    if (entry?.summary && now - entry.fetchedAt < ttlMs) return Promise.resolve(entry.summary);
    if (entry?.pending) return entry.pending;
    const current: CacheEntry = entry ?? { fetchedAt: 0 };
    const pending = readCostSummary(target, query).then(
      (summary) => {
        current.summary = summary;
        current.fetchedAt = clock.now();
        current.failedAt = undefined;
        current.pending = undefined;
        if (unreachable) warn('costs: Tollgate answers again; budget checks use its figures');
        unreachable = false;
        return summary;
      },
      (error: unknown) => {
        current.failedAt = clock.now();
        current.pending = undefined;
        throw error;
      },
    );
    current.pending = pending;
    cache.set(query, current);
    return pending;
  }

  async function budget(request: BudgetRequest): Promise<BudgetStatus> {
    const limit = limitNanos(request.limitUsd);
    const period = request.period ?? 'month';
    const range = periodRange(period, clock.now());
    const query = summaryQuery(request, range.from, range.to);
    const base = {
      limitUsd: formatUsdNanos(limit),
      period,
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
    };
    const entry = cache.get(query);
    const now = clock.now();
    const recentlyFailed =
      entry?.failedAt !== undefined && now - entry.failedAt < retryAfterFailureMs;
    let summary: CostSummary | undefined;
    let source: BudgetStatus['source'] = 'server';
    if (!recentlyFailed || (entry?.summary && now - entry.fetchedAt < ttlMs)) {
      try {
        summary = await load(query);
      } catch (error) {
        const reason = isCostsUnavailableError(error) ? error.message : String(error);
        if (!unreachable) {
          warn(
            `costs: cannot read spend (${reason}); budget checks answer from the last figures, else ${failClosed ? 'over budget (whenUnreachable: closed)' : 'not over budget (whenUnreachable: open)'}`,
          );
        }
        unreachable = true;
      }
    }
    if (!summary) {
      const last = cache.get(query);
      if (last?.summary && clock.now() - last.fetchedAt < maxStaleMs) {
        summary = last.summary;
        source = 'stale';
      }
    }
    if (!summary) {
      return {
        ...base,
        spentUsd: null,
        remainingUsd: null,
        overBudget: failClosed,
        unpricedOperations: 0,
        source: 'policy',
      };
    }
    const spent = BigInt(summary.totalNanos);
    const left = limit > spent ? limit - spent : 0n;
    return {
      ...base,
      spentUsd: summary.totalUsd,
      remainingUsd: formatUsdNanos(left),
      overBudget: spent >= limit,
      unpricedOperations: summary.unpricedOperations,
      source,
    };
  }

  return {
    summary(request) {
      const from = instant(request.from, 'from');
      const to =
        request.to === undefined
          ? Math.floor(clock.now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS
          : instant(request.to, 'to');
      return load(summaryQuery(request, from, to));
    },
    async isOverBudget(request) {
      return (await budget(request)).overBudget;
    },
    remaining: budget,
    clear: () => cache.clear(),
  };
}
