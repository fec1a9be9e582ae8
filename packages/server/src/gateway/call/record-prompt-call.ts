import {
  buildEventRow,
  type EventCost,
  type FailoverAttempt,
  type OpenAIChatRequest,
  type ParsedEventInput,
} from '@tollgate/core';
import type { FastifyBaseLogger } from 'fastify';
import type { CallTenant, PromptCallRecord } from './prompt-call-record';

export type { CallTenant, CallTrace, PromptCallRecord } from './prompt-call-record';
import { storedContent, storedErrorMessage } from '../../content/stored-content';
import { sealRowContent } from '../../secrets/content-keys';
import type { CallRecordBatch } from '../../ingest/call-record-batch';
import type { CallTwins } from './call-twins';
import type { PromptCallObservers } from './prompt-call-observers';

/** What recording a gateway call needs: the app's observers of calls, and its batch of records. */
export interface CallRecorder {
  observers: PromptCallObservers;
  batch: CallRecordBatch;
  logger: FastifyBaseLogger;
  /** Notes calls an app traced (W3C `traceparent`), so its own span of the call is not counted again. */
  twins?: CallTwins;
}

/**
 * Records one gateway call as a `prompt_call` event through the same writer
 * ingestion uses. The user's response never waits for the store, and a
 * failing store never fails the call (it is logged). The call's observers
 * (metrics, budgets, rate-limit settling) hear of it at once; its event row is
 * built and journaled now, before the answer ends (answered means recorded,
 * even if the process dies next), and gathered with others (50 ms to 1 s,
 * longer when busy) into one write (`CallRecordBatch`).
 */
export function recordPromptCall(
  recorder: CallRecorder,
  tenant: CallTenant,
  call: PromptCallRecord,
): void {
  // The project turned content storage off: the prompt and the response go nowhere.
  const record = tenant.contentStorage ? call : { ...call, input: undefined, output: undefined };
  recorder.observers.notify(tenant, record);
  const trace = record.trace;
  if (trace?.traceId && trace.parentSpanId) {
    recorder.twins?.claim(tenant.orgId, trace.traceId, trace.parentSpanId, record.requestId);
  }
  let line: string;
  try {
    line = promptCallLine(tenant, record);
  } catch (error) {
    recorder.logger.error(
      { err: error, requestId: record.requestId },
      'could not build the event of a gateway call',
    );
    return;
  }
  recorder.batch.add(line, record.requestId);
}

/** The event's `name`: the API method the call was made through. */
const OPERATION_NAMES: Record<PromptCallRecord['operation'], string> = {
  chat: 'chat.completions',
  embedding: 'embeddings',
  image: 'images.generations',
  video: 'videos',
};

/** The JSONEachRow line of a gateway call's `prompt_call` event. */
function promptCallLine(tenant: CallTenant, record: PromptCallRecord): string {
  const made = callsMade(record.attempts);
  const input: ParsedEventInput = {
    event_type: 'prompt_call',
    ...(record.eventId ? { event_id: record.eventId } : {}),
    request_id: record.requestId,
    // In the app's run when it names one, else in its OpenTelemetry trace (under the span that called).
    run_id: record.trace?.runId ?? record.trace?.traceId ?? record.requestId,
    parent_id:
      record.trace?.parentId ?? (record.trace?.runId ? undefined : record.trace?.parentSpanId),
    session_id: record.trace?.sessionId,
    name: record.name ?? OPERATION_NAMES[record.operation],
    service: 'gateway',
    status: record.status,
    latency_ms: record.latencyMs,
    operation: record.operation,
    provider: record.provider,
    model: record.servedModel,
    model_requested: record.modelRequested,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
    cached_tokens: Math.min(record.cachedTokens, record.inputTokens),
    cache_write_5m_tokens: record.cacheWrite5mTokens,
    cache_write_1h_tokens: record.cacheWrite1hTokens,
    reasoning_tokens: record.reasoningTokens,
    service_tier: record.serviceTier,
    estimated_usage: record.estimatedUsage?.length ? record.estimatedUsage : undefined,
    image_count: record.imageCount,
    image_size: record.imageSize,
    image_quality: record.imageQuality,
    video_duration_seconds: record.videoDurationSeconds,
    ttft_ms: record.ttftMs,
    cache_hit: record.cacheHit,
    attempts: made.length,
    providers_tried: [...new Set(made.map((attempt) => attempt.candidateId))],
    simulated: record.simulated,
    input: storedContent(tenant, record.input),
    output: storedContent(tenant, record.output),
    error_message: storedErrorMessage(tenant, record.errorMessage),
    user_id: (record.trace?.userId ?? record.userId)?.slice(0, 256),
    metadata: record.trace?.traceId
      ? {
          ...record.metadata,
          trace_id: record.trace.traceId,
          parent_span_id: record.trace.parentSpanId,
        }
      : record.metadata,
    prompt_name: record.prompt?.name,
    prompt_version: record.prompt?.version,
  };
  // The gateway priced the call itself, with the org's prices: the row takes that cost as it is.
  const cost: EventCost = record.unpriced
    ? { costNanos: 0, unpriced: 1, source: '' }
    : {
        costNanos: record.costNanos,
        unpriced: 0,
        source: record.cacheHit ? 'cache' : (record.priceSource ?? 'catalogue'),
      };
  const row = buildEventRow(input, tenant, Date.now(), cost);
  if (tenant.contentKey) sealRowContent(row, tenant.contentKey);
  return JSON.stringify(row);
}

/** The attempts that called an upstream: one its open breaker skipped never reached the provider. */
export function callsMade(attempts: FailoverAttempt[]): FailoverAttempt[] {
  return attempts.filter((attempt) => attempt.outcome !== 'skipped');
}

export function promptOf(request: OpenAIChatRequest): unknown {
  return request.messages;
}
