import type { EventInput, HotStore } from '@tollgate/core';
import type { FastifyBaseLogger } from 'fastify';

/** The span fields the twin check reads (an OTLP span as the ingest reads it fits). */
export interface TracedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

/** How long a proxied call's claim is kept: longer than any exporter's batching and retries. */
export const TWIN_CLAIM_TTL_MS = 10 * 60_000;

/**
 * One call, one record, when an app traced with OpenTelemetry sends its call
 * through the gateway: the gateway's `prompt_call` is the counted record (it
 * has the real cost, attempts and provider), the app's span of the same call
 * is kept, linked, but not counted.
 *
 * The gateway reads the W3C `traceparent` of the call (the app's HTTP client
 * span, e.g. from @opentelemetry/instrumentation-undici, whose parent is the
 * GenAI span) and, before its answer ends, claims `(org, trace, span)` in the
 * hot-state store. The app's span can only end after that answer, so its
 * export finds the claim whichever of the two records reaches the event store
 * first. `linkOtlpTwins` (called by OTLP ingestion on each export) turns a
 * GenAI span whose own id, or whose HTTP child's id, is claimed into a
 * `custom` event (not counted by analytics, budgets, chargeback or rollups'
 * model calls) naming the gateway's request; an HTTP span met before its
 * GenAI parent passes the claim up to it.
 *
 * Residual: replicas with in-memory hot state (no `REDIS_URL`) do not see each
 * other's claims, and a claim lost to a Redis outage leaves both counted.
 */
export class CallTwins {
  constructor(
    private readonly hot: HotStore,
    private readonly logger: FastifyBaseLogger,
  ) {}

  /** The gateway proxied a call sent from `spanId` of `traceId`; never throws, never waits. */
  claim(orgId: string, traceId: string, spanId: string, requestId: string): void {
    this.hot
      .set(twinKey(orgId, traceId, spanId), requestId, TWIN_CLAIM_TTL_MS)
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'could not note a traced gateway call for its app span'),
      );
  }

  /**
   * Marks the app-reported twins of gateway calls among an export's events
   * (`events[i]` is `spans[i]`'s event): each becomes a linked `custom` event.
   * Returns how many. A hot-state failure leaves the events as they are.
   */
  async linkOtlpTwins(
    orgId: string,
    spans: readonly TracedSpan[],
    events: EventInput[],
  ): Promise<number> {
    if (events.length === 0) return 0;
    let claims: (string | null)[];
    try {
      claims = await Promise.all(
        spans.map((span) => this.hot.get(twinKey(orgId, span.traceId, span.spanId))),
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'could not look up gateway calls for an OTLP export');
      return 0;
    }
    const requestOf = new Map<string, string>();
    spans.forEach((span, index) => {
      const requestId = claims[index];
      if (!requestId) return;
      requestOf.set(`${span.traceId}:${span.spanId}`, requestId);
      // An HTTP span the gateway saw: its parent (the GenAI span) is the call's twin.
      if (span.parentSpanId && events[index]?.event_type !== 'prompt_call') {
        requestOf.set(`${span.traceId}:${span.parentSpanId}`, requestId);
        this.claim(orgId, span.traceId, span.parentSpanId, requestId);
      }
    });
    let linked = 0;
    events.forEach((event, index) => {
      const span = spans[index]!;
      const requestId = requestOf.get(`${span.traceId}:${span.spanId}`);
      if (!requestId || event.event_type !== 'prompt_call') return;
      events[index] = twinEvent(event, requestId);
      linked += 1;
    });
    return linked;
  }
}

function twinKey(orgId: string, traceId: string, spanId: string): string {
  return `gateway-call:${orgId}:${traceId}:${spanId}`;
}

/** The app's record of a proxied call: kept and linked to the gateway's request, counted nowhere. */
function twinEvent(
  event: EventInput & { event_type: 'prompt_call' },
  requestId: string,
): EventInput {
  const {
    event_type: _eventType,
    operation,
    provider,
    model,
    model_requested: modelRequested,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    metadata,
    input,
    output,
    error_message: errorMessage,
    ...common
  } = event as EventInput & Record<string, unknown>;
  const kept = Object.fromEntries(
    Object.entries(common).filter(([field]) => COMMON_FIELDS.has(field)),
  );
  return {
    ...kept,
    event_type: 'custom',
    input,
    output,
    metadata: {
      ...(metadata as Record<string, unknown> | undefined),
      ...(errorMessage ? { status_message: errorMessage } : {}),
      gateway_call: {
        request_id: requestId,
        counted: false,
        reported: {
          operation,
          provider,
          model,
          model_requested: modelRequested,
          input_tokens: inputTokens,
          output_tokens: outputTokens,
        },
      },
    },
  } as EventInput;
}

/** The fields every event type takes (a `custom` event takes no others but its content). */
const COMMON_FIELDS = new Set([
  'event_id',
  'parent_id',
  'run_id',
  'user_id',
  'session_id',
  'request_id',
  'ts',
  'name',
  'service',
  'env',
  'tags',
  'status',
  'latency_ms',
  'retention_days',
]);
