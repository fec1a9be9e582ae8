import { createEventId, type EventInput } from '@tollgate/core';
import { connectionOf, getDefaultTollgate, type Tollgate } from '../exporter/create-tollgate';
import { elapsedMs, monotonicNow } from '../runtime/background-clock';
import { consoleWarning, describeError } from '../runtime/warn';
import { currentLinks } from '../tracking/event-context';
import { FallbackCache } from './fallback-cache';
import { AiFallbackError, type AiFallbackFailure } from './rpc-errors';

export interface AiFallbackOptions {
  enabled: boolean;
  /** The gateway model that answers, e.g. `gpt-4o-mini`, a routed model, or `simulated/<name>`. */
  model: string;
  /** USD; the server refuses a fallback whose estimated cost is higher, and bounds the generation to it. */
  maxCostPerCall?: number;
  /** Default 30 000. */
  timeoutMs?: number;
  /** Called after every fallback, successful or not (errors it throws are only warned about). */
  onFallback?: (info: FallbackInfo) => void | Promise<void>;
  /** Keep successful results by (service, method, args) for `ttlMs`. Off by default. */
  cache?: { ttlMs: number; maxEntries?: number };
  /** The Tollgate server and a key with the `gateway` scope; default those of `tollgate`. */
  baseUrl?: string;
  apiKey?: string;
}

/** What one fallback did, for `onFallback`. */
export interface FallbackInfo {
  service: string;
  method: string;
  args: unknown[];
  ok: boolean;
  /** Served from the fallback cache: no model was called. */
  cached: boolean;
  result?: unknown;
  error?: AiFallbackError;
  decision?: 'text' | 'object';
  model?: string;
  tokens?: { input: number; output: number };
  costUsd?: number;
  decisionLatencyMs?: number;
  generationLatencyMs?: number;
  latencyMs: number;
}

/** The answer of `POST /api/v1/ai/fallback`. */
export interface FallbackAnswer {
  decision: 'text' | 'object';
  result: unknown;
  model: string;
  tokens: { input: number; output: number };
  costUsd: number;
  decisionLatencyMs: number;
  generationLatencyMs: number;
}

type AiFallbackInput = Extract<EventInput, { event_type: 'ai_fallback' }>;

/** Answers a missing method through the server's `/api/v1/ai/fallback`, recording each attempt. */
export class AiFallback {
  private readonly cache: FallbackCache | undefined;

  constructor(
    private readonly options: AiFallbackOptions,
    private readonly tollgate: Tollgate | undefined,
    private readonly fetchImpl: typeof fetch | undefined,
  ) {
    this.cache = options.cache
      ? new FallbackCache(options.cache.ttlMs, options.cache.maxEntries ?? 1000, () => Date.now())
      : undefined;
  }

  clearCache(): void {
    this.cache?.clear();
  }

  async answer(service: string, method: string, args: unknown[]): Promise<unknown> {
    const tollgate = this.tollgate ?? getDefaultTollgate();
    const started = monotonicNow();
    const startedAt = Date.now();
    const eventId = createEventId(startedAt);
    const links = currentLinks();
    const runId = links.run_id ?? eventId;
    const cacheKey = this.cache ? FallbackCache.keyOf(service, method, args) : undefined;
    const cached = cacheKey === undefined ? undefined : this.cache?.get(cacheKey);
    if (cached) {
      const info: FallbackInfo = {
        service,
        method,
        args,
        ok: true,
        cached: true,
        result: cached.value,
        latencyMs: elapsedMs(started),
      };
      this.report(tollgate, info, { eventId, runId, startedAt, links });
      return cached.value;
    }
    try {
      const answer = await this.request(tollgate, service, method, args, { eventId, runId });
      const info: FallbackInfo = {
        service,
        method,
        args,
        ok: true,
        cached: false,
        result: answer.result,
        decision: answer.decision,
        model: answer.model,
        tokens: answer.tokens,
        costUsd: answer.costUsd,
        decisionLatencyMs: answer.decisionLatencyMs,
        generationLatencyMs: answer.generationLatencyMs,
        latencyMs: elapsedMs(started),
      };
      if (cacheKey !== undefined) this.cache?.set(cacheKey, answer.result);
      this.report(tollgate, info, { eventId, runId, startedAt, links });
      return answer.result;
    } catch (failure) {
      const error = toFallbackError(failure, service, method, this.options.timeoutMs ?? 30_000);
      const info: FallbackInfo = {
        service,
        method,
        args,
        ok: false,
        cached: false,
        error,
        latencyMs: elapsedMs(started),
      };
      this.report(tollgate, info, { eventId, runId, startedAt, links });
      throw error;
    }
  }

  private async request(
    tollgate: Tollgate | undefined,
    service: string,
    method: string,
    args: unknown[],
    trace: { eventId: string; runId: string },
  ): Promise<FallbackAnswer> {
    const connection = tollgate ? connectionOf(tollgate) : undefined;
    const baseUrl = (this.options.baseUrl ?? connection?.baseUrl)?.replace(/\/+$/, '');
    const apiKey = this.options.apiKey ?? connection?.apiKey;
    if (!baseUrl || !apiKey) {
      throw new AiFallbackError(
        'AI fallback needs a Tollgate server: pass aiFallback.baseUrl and apiKey, or create a Tollgate client first',
        'failed',
        service,
        method,
      );
    }
    const fetchImpl = this.fetchImpl ?? connection?.fetch ?? globalThis.fetch.bind(globalThis);
    const body: Record<string, unknown> = { service, method, args, model: this.options.model };
    if (this.options.maxCostPerCall !== undefined) body.maxCostUsd = this.options.maxCostPerCall;
    const response = await fetchImpl(`${baseUrl}/api/v1/ai/fallback`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'x-tollgate-run-id': trace.runId,
        'x-tollgate-parent-id': trace.eventId,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
    });
    const answer = (await response.json().catch(() => undefined)) as
      | (FallbackAnswer & {
          error?: { code?: string; message?: string; details?: { reason?: string } };
        })
      | undefined;
    if (!response.ok || !answer || answer.error) {
      const reason: AiFallbackFailure =
        answer?.error?.details?.reason === 'cost_limit' ? 'cost_limit' : 'failed';
      throw new AiFallbackError(
        `AI fallback for ${service}.${method} failed: HTTP ${response.status}${answer?.error?.message ? `: ${answer.error.message}` : ''}`,
        reason,
        service,
        method,
      );
    }
    return answer;
  }

  private report(
    tollgate: Tollgate | undefined,
    info: FallbackInfo,
    trace: {
      eventId: string;
      runId: string;
      startedAt: number;
      links: ReturnType<typeof currentLinks>;
    },
  ): void {
    if (tollgate) {
      try {
        tollgate.record(fallbackEvent(info, trace, this.options, tollgate.captureContent));
      } catch {
        // Recording never breaks the call.
      }
    }
    const onFallback = this.options.onFallback;
    if (!onFallback) return;
    const warn = (tollgate && connectionOf(tollgate)?.warn) ?? consoleWarning;
    try {
      const returned = onFallback(info);
      if (returned && typeof returned.then === 'function') {
        returned.then(undefined, (error: unknown) =>
          warn(`onFallback failed: ${describeError(error)}`),
        );
      }
    } catch (error) {
      warn(`onFallback failed: ${describeError(error)}`);
    }
  }
}

function fallbackEvent(
  info: FallbackInfo,
  trace: {
    eventId: string;
    runId: string;
    startedAt: number;
    links: ReturnType<typeof currentLinks>;
  },
  options: AiFallbackOptions,
  capture: boolean,
): AiFallbackInput {
  const event: AiFallbackInput = {
    ...trace.links,
    event_type: 'ai_fallback',
    event_id: trace.eventId,
    run_id: trace.runId,
    ts: trace.startedAt,
    service: info.service,
    name: info.method,
    model: info.model ?? options.model,
    latency_ms: info.latencyMs,
    status: info.ok
      ? info.cached
        ? 'cached'
        : 'success'
      : info.error?.reason === 'timeout'
        ? 'timeout'
        : info.error?.reason === 'cost_limit'
          ? 'blocked'
          : 'error',
    metadata: {
      cached: info.cached,
      ...(options.maxCostPerCall !== undefined && { max_cost_usd: options.maxCostPerCall }),
    },
  };
  if (capture) event.input = info.args;
  if (capture && info.ok) event.output = info.result;
  if (info.decision) event.decision = info.decision;
  if (info.tokens) {
    event.input_tokens = info.tokens.input;
    event.output_tokens = info.tokens.output;
  }
  // The server prices the event from its model and tokens; the SDK's own figure only fills in for an unpriced model.
  if (info.costUsd !== undefined) event.cost_usd = info.costUsd;
  if (info.decisionLatencyMs !== undefined) event.decision_latency_ms = info.decisionLatencyMs;
  if (info.generationLatencyMs !== undefined)
    event.generation_latency_ms = info.generationLatencyMs;
  if (info.error) event.error_message = info.error.message;
  return event;
}

function toFallbackError(
  failure: unknown,
  service: string,
  method: string,
  timeoutMs: number,
): AiFallbackError {
  if (failure instanceof AiFallbackError) return failure;
  const name = (failure as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new AiFallbackError(
      `AI fallback for ${service}.${method} took longer than ${timeoutMs} ms`,
      'timeout',
      service,
      method,
      { cause: failure },
    );
  }
  return new AiFallbackError(
    `AI fallback for ${service}.${method} failed: ${describeError(failure)}`,
    'failed',
    service,
    method,
    { cause: failure },
  );
}
