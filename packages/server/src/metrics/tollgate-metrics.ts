import { isUpstreamError, type BreakerEvent, type EventTenant } from '@tollgate/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PromptCallRecord } from '../gateway/call/record-prompt-call';
import { breakerKeyParts } from '../gateway/routing/breaker-key';
import type { EventWriterStats } from '../ingest/event-writer';
import { BoundedLabel } from './bounded-label';

export type CacheResult = 'hit' | 'miss' | 'bypass';
/** Breaker states as the gauge reports them. */
export const BREAKER_STATE_VALUES = { closed: 0, 'half-open': 1, open: 2 } as const;

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
const FIRST_TOKEN_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

export interface TollgateMetricsOptions {
  /** Bytes waiting in the ingestion spool, read at each scrape. */
  spoolBytes: () => number;
  /** The event writer's running totals (dead letters, duplicates), read at each scrape. */
  writerStats?: () => Pick<EventWriterStats, 'deadLetteredRows' | 'duplicateRows'>;
  /** Gateway call lines and commit marks the journal could not write so far, read at each scrape. */
  journalFailures?: () => number;
}

/**
 * Tollgate's Prometheus metrics on a registry of their own (one per app, so
 * apps built side by side in one process never share counters), with one
 * typed recording function per fact. docs/metrics.md lists the
 * same names, types and labels; a test keeps them in step.
 */
export class TollgateMetrics {
  readonly registry = new Registry();
  private readonly models = new BoundedLabel();
  private readonly providers = new BoundedLabel(50);
  private readonly deployments = new BoundedLabel();
  private readonly tenants = new BoundedLabel(1_000);
  private readonly scopes = new BoundedLabel(20);

  private readonly requests = new Counter({
    name: 'tollgate_llm_requests_total',
    help: 'Gateway LLM calls, by provider, served model and outcome (the event status).',
    labelNames: ['provider', 'model', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'tollgate_llm_request_duration_seconds',
    help: 'Duration of gateway LLM calls that reached a provider (cache hits excluded), retries and failover included.',
    labelNames: ['provider', 'model'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly timeToFirstToken = new Histogram({
    name: 'tollgate_llm_time_to_first_token_seconds',
    help: 'Time to the first chunk of streamed gateway calls.',
    labelNames: ['provider', 'model'] as const,
    buckets: FIRST_TOKEN_BUCKETS,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'tollgate_llm_tokens_total',
    help: 'Tokens processed by providers for gateway calls (cache hits excluded); cached is the part of input read from the provider prompt cache.',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'tollgate_llm_cost_usd_total',
    help: 'Cost of gateway calls in US dollars, by organization id, project id and served model.',
    labelNames: ['org', 'project', 'model'] as const,
    registers: [this.registry],
  });
  private readonly breakerState = new Gauge({
    name: 'tollgate_circuit_breaker_state',
    help: "Circuit breaker state of an org's deployment (org|deployment id|provider|model) as this process last saw it change: 0 closed, 1 half-open, 2 open.",
    labelNames: ['deployment'] as const,
    registers: [this.registry],
  });
  private readonly cacheRequests = new Counter({
    name: 'tollgate_cache_requests_total',
    help: 'Answered gateway chat calls by response-cache result: hit, miss, or bypass (no cache on the route, or the client asked to skip it).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly rateLimitedCalls = new Counter({
    name: 'tollgate_rate_limited_total',
    help: 'Gateway calls refused by a Tollgate rate limit, by the scope of the limit that refused (key, project, org, model).',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });
  private readonly budgetBlockedCalls = new Counter({
    name: 'tollgate_budget_blocked_total',
    help: 'Gateway calls refused because a budget was exhausted or the call would exceed its maximum cost.',
    registers: [this.registry],
  });
  private readonly ingestEvents = new Counter({
    name: 'tollgate_ingest_events_total',
    help: 'Events received by ingestion (/api/v1/events and OTLP /v1/traces): accepted (stored or spooled) or rejected (invalid).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(options: TollgateMetricsOptions) {
    new Gauge({
      name: 'tollgate_ingest_spool_bytes',
      help: 'Bytes in the ingestion spool, waiting for the event store to come back.',
      registers: [this.registry],
      collect() {
        this.set(options.spoolBytes());
      },
    });
    const writerStats = options.writerStats ?? (() => ({ deadLetteredRows: 0, duplicateRows: 0 }));
    new Counter({
      name: 'tollgate_events_dead_lettered_total',
      help: 'Event rows the event store refused for good (not an outage), kept as dead letters (GET /api/v1/admin/dead-letters).',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(writerStats().deadLetteredRows);
      },
    });
    new Counter({
      name: 'tollgate_events_duplicates_total',
      help: 'Event rows not stored because an event with the same org and event_id was stored within the de-duplication window.',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(writerStats().duplicateRows);
      },
    });
    const journalFailures = options.journalFailures ?? (() => 0);
    new Counter({
      name: 'tollgate_journal_failures_total',
      help: 'Gateway call events the journal could not write (the calls went on, recorded but not crash-safe), and commit marks it could not write.',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(journalFailures());
      },
    });
    // Series that exist from the start, so rates and ratios are defined before the first event.
    for (const direction of ['input', 'output', 'cached']) this.tokens.inc({ direction }, 0);
    for (const result of ['hit', 'miss', 'bypass']) this.cacheRequests.inc({ result }, 0);
    for (const result of ['accepted', 'rejected']) this.ingestEvents.inc({ result }, 0);
    this.budgetBlockedCalls.inc(0);
  }

  /** One gateway call, as recorded by `recordPromptCall`. */
  promptCall(tenant: EventTenant, record: PromptCallRecord): void {
    const provider = this.providers.valueOf(record.provider ?? failedProviderOf(record));
    const model = this.models.valueOf(record.servedModel ?? record.modelRequested);
    this.requests.inc({ provider, model, status: record.status });
    if (record.cacheHit) return;
    this.duration.observe({ provider, model }, record.latencyMs / 1000);
    if (record.ttftMs !== undefined) {
      this.timeToFirstToken.observe({ provider, model }, record.ttftMs / 1000);
    }
    const cached = Math.min(record.cachedTokens, record.inputTokens);
    if (record.inputTokens > 0) this.tokens.inc({ direction: 'input' }, record.inputTokens);
    if (record.outputTokens > 0) this.tokens.inc({ direction: 'output' }, record.outputTokens);
    if (cached > 0) this.tokens.inc({ direction: 'cached' }, cached);
    if (record.costNanos > 0) {
      this.cost.inc(
        {
          org: this.tenants.valueOf(tenant.orgId),
          project: this.tenants.valueOf(tenant.projectId),
          model,
        },
        record.costNanos / 1e9,
      );
    }
  }

  /** The response-cache result of an answered chat call. */
  cacheResult(result: CacheResult): void {
    this.cacheRequests.inc({ result });
  }

  /** A transition of a deployment's circuit breaker. */
  breakerChanged(event: BreakerEvent): void {
    const state =
      event.type === 'breaker-opened'
        ? BREAKER_STATE_VALUES.open
        : event.type === 'breaker-half-opened'
          ? BREAKER_STATE_VALUES['half-open']
          : BREAKER_STATE_VALUES.closed;
    this.breakerState.set(
      { deployment: this.deployments.valueOf(deploymentLabelOf(event.key)) },
      state,
    );
  }

  /** A call refused by a rate limit of this scope (`key`, `project`, `org`, `model`). */
  rateLimited(scope: string): void {
    this.rateLimitedCalls.inc({ scope: this.scopes.valueOf(scope) });
  }

  /** A call refused by a budget. */
  budgetBlocked(): void {
    this.budgetBlockedCalls.inc();
  }

  /** The outcome of one ingestion request, in events. */
  ingested(accepted: number, rejected: number): void {
    if (accepted > 0) this.ingestEvents.inc({ result: 'accepted' }, accepted);
    if (rejected > 0) this.ingestEvents.inc({ result: 'rejected' }, rejected);
  }
}

/** A failed call has no served provider: the provider of the last upstream error, if any. */
function failedProviderOf(record: PromptCallRecord): string | undefined {
  for (let index = record.attempts.length - 1; index >= 0; index -= 1) {
    const error = record.attempts[index]?.error;
    if (isUpstreamError(error) && error.provider) return error.provider;
  }
  return undefined;
}

/**
 * A breaker's label: `org|deployment id|provider|model`. Never a URL, so no credential or query
 * string a base URL may carry reaches the metrics.
 */
export function deploymentLabelOf(breakerKey: string): string {
  const parts = breakerKeyParts(breakerKey);
  return parts
    ? [parts.orgId, parts.deploymentId, parts.provider, parts.model].join('|')
    : 'unknown';
}
