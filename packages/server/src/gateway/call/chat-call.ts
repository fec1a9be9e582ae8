import {
  InvalidRequestError,
  isFailoverError,
  isUpstreamError,
  tokenUsageOf,
  UpstreamError,
  type EventStatus,
  type EventTenant,
  type FailoverAttempt,
  type OpenAIChatChunk,
  type OpenAIChatRequest,
  type OpenAIChatResponse,
  type OpenAIUsage,
  type StreamUsageReport,
  type UpstreamErrorReason,
} from '@tollgate/core';
import type { FastifyBaseLogger } from 'fastify';
import type { TokenCounter } from '../providers';
import type { ResolvedRoute, RouteTable } from '../routing/route-table';
import type { GatewayRouter, RoutedCall } from './gateway-router';
import {
  callsMade,
  recordPromptCall,
  type CallRecorder,
  type CallTenant,
  type CallTrace,
  type PromptCallRecord,
} from './record-prompt-call';
import type { CachedAnswer, ResponseCache } from './response-cache';
import type { UsedPrompt } from '../../prompts/prompt-reference';
import { StreamIdleTimer } from './stream-idle-timer';
import { costOfCall } from './call-cost';
import {
  DeliveredOutput,
  serviceTierOf,
  settleAnswerUsage,
  settleStreamUsage,
  type EstimatedUsagePart,
} from './call-usage';

export type CacheStatus = 'hit' | 'miss' | 'bypass';

export interface ChatServices {
  routeTable: RouteTable;
  router: GatewayRouter;
  cache: ResponseCache;
  recorder: CallRecorder;
  logger: FastifyBaseLogger;
  tokenCounter: TokenCounter;
  /** Once a stream has begun, the longest wait for its next chunk; 0 or unset: the deployment's timeout. */
  streamIdleTimeoutMs?: number;
}

export interface ChatCallContext {
  tenant: CallTenant;
  requestId: string;
  signal: AbortSignal;
  /** `bypass` when the client sent `cache-control: no-cache` or `x-tollgate-cache: bypass`. */
  cacheMode: 'use' | 'bypass';
  /** Links the call into an agent run (from `x-tollgate-run-id` and friends). */
  trace?: CallTrace;
  /** The stored prompt the request was rendered from (`prompt` in the body or `x-tollgate-prompt`). */
  prompt?: UsedPrompt;
  /** A route already resolved for this call (by the admission check), used when it is the call's model's. */
  knownRoute?: KnownRoute;
}

/** A route resolved earlier in the same request, for one org and model name. */
export interface KnownRoute {
  orgId: string;
  model: string;
  route: ResolvedRoute | undefined;
}

export interface CallInfo {
  provider: string;
  servedModel: string;
  attempts: number;
  cache: CacheStatus;
  simulated: boolean;
}

export interface ChatAnswer {
  response: OpenAIChatResponse;
  /** The upstream bytes, when they can be forwarded as they are. */
  rawBody?: Buffer;
  info: CallInfo;
  costNanos: number;
  /** True when the price table does not know the model: the cost is unknown, not $0. */
  unpriced?: boolean;
}

export interface ChatStreamAnswer {
  /** Chunks to send; the last carries `usage` (the route drops it unless the client asked). */
  chunks: AsyncIterable<OpenAIChatChunk>;
  info: CallInfo;
  /** What the upstream has reported of its usage so far (the prompt side is known before the first chunk from Anthropic). */
  reported?: StreamUsageReport;
}

function statusOf(error: unknown): EventStatus {
  const cause = isFailoverError(error) ? error.lastError : error;
  if (isUpstreamError(cause)) {
    if (cause.kind === 'timeout') return 'timeout';
    if (cause.status === 429) return 'rate_limited';
  }
  if (isFailoverError(error) && error.reason === 'deadline') return 'timeout';
  return 'error';
}

function messageOf(error: unknown): string {
  const cause = isFailoverError(error) ? (error.lastError ?? error) : error;
  return cause instanceof Error ? cause.message : String(cause);
}

/** Causes a stream may name in its first event that another attempt may not meet. */
const PASSING_STREAM_REASONS: ReadonlySet<UpstreamErrorReason> = new Set([
  'overloaded',
  'rate_limited',
  'unknown',
]);

/**
 * A stream that broke before its first chunk has sent the client nothing, so
 * it is retried and failed over like a refused request (a stream error is
 * otherwise final: part of the answer may be out). Our own per-attempt
 * timeout (the signal aborted) is a timeout; a cause the provider named
 * (context window, content policy, ...) keeps the error final.
 */
function failedBeforeFirstChunk(error: unknown, signal: AbortSignal): unknown {
  if (!isUpstreamError(error) || error.kind !== 'stream') return error;
  return new UpstreamError({
    kind: signal.aborted ? 'timeout' : 'stream',
    message: error.message,
    status: error.status,
    body: error.body,
    reason: error.reason,
    provider: error.provider,
    retryAfterMs: error.retryAfterMs,
    isRetryable: error.reason === undefined || PASSING_STREAM_REASONS.has(error.reason),
    cause: error,
  });
}

export function attemptsOf(error: unknown): FailoverAttempt[] {
  return isFailoverError(error) ? error.attempts : [];
}

/**
 * One chat completion through the gateway, whatever the endpoint format:
 * route, cache, failover, cost, and one recorded event per call.
 */
export class ChatCall {
  constructor(private readonly services: ChatServices) {}

  async resolve(tenant: EventTenant, model: string, known?: KnownRoute): Promise<ResolvedRoute> {
    const route =
      known && known.orgId === tenant.orgId && known.model === model
        ? known.route
        : await this.services.routeTable.resolve(tenant.orgId, model);
    if (!route) {
      throw new InvalidRequestError(
        `The model \`${model}\` does not exist or you do not have access to it. Use a routed model, a provider's own model with its credential configured, or simulated/<name>.`,
        { param: 'model', code: 'model_not_found', status: 404 },
      );
    }
    return route;
  }

  async complete(request: OpenAIChatRequest, context: ChatCallContext): Promise<ChatAnswer> {
    const startedAt = performance.now();
    const route = await this.resolve(context.tenant, request.model, context.knownRoute);
    const cacheKey = this.cacheKeyOf(route, request, context);
    if (cacheKey) {
      const cached = await this.services.cache.get(cacheKey);
      if (cached) {
        this.recordCacheHit(request, context, cached, performance.now() - startedAt);
        return { response: cached.response, info: this.cachedInfo(cached), costNanos: 0 };
      }
    }
    try {
      const routed = await this.services.router.run(
        context.tenant.orgId,
        route,
        context.signal,
        (provider, deployment, signal) =>
          provider.chat(
            { ...request, model: deployment.model },
            { deployment, signal, requestId: context.requestId },
          ),
      );
      const { response, rawBody, simulated = false } = routed.value;
      const settled = settleAnswerUsage(response, request, this.services.tokenCounter);
      const serviceTier = serviceTierOf(response);
      const cost = costOfCall(
        routed.deployment.model,
        tokenUsageOf(settled.usage),
        context.tenant,
        {
          serviceTier,
        },
      );
      const info: CallInfo = {
        provider: routed.deployment.provider,
        servedModel: routed.deployment.model,
        attempts: callsMade(routed.attempts).length,
        cache: cacheKey ? 'miss' : 'bypass',
        simulated,
      };
      this.record(context, request, {
        status: 'success',
        provider: info.provider,
        servedModel: info.servedModel,
        usage: settled.usage,
        estimatedUsage: settled.estimated,
        serviceTier,
        costNanos: cost.costNanos,
        unpriced: !cost.priced,
        latencyMs: performance.now() - startedAt,
        attempts: routed.attempts,
        simulated,
        output: response.choices[0]?.message,
      });
      if (cacheKey) {
        const answer: CachedAnswer = {
          response,
          provider: info.provider,
          servedModel: info.servedModel,
          costNanos: cost.costNanos,
          simulated,
        };
        this.services.cache
          .set(cacheKey, answer, route.cacheTtlMs)
          .catch((error: unknown) =>
            this.services.logger.warn({ err: error }, 'could not store a response in the cache'),
          );
      }
      return { response, rawBody, info, costNanos: cost.costNanos, unpriced: !cost.priced };
    } catch (error) {
      this.recordFailure(request, context, route, error, performance.now() - startedAt);
      throw error;
    }
  }

  async stream(request: OpenAIChatRequest, context: ChatCallContext): Promise<ChatStreamAnswer> {
    const startedAt = performance.now();
    const route = await this.resolve(context.tenant, request.model, context.knownRoute);
    const cacheKey = this.cacheKeyOf(route, request, context);
    if (cacheKey) {
      const cached = await this.services.cache.get(cacheKey);
      if (cached) {
        this.recordCacheHit(request, context, cached, performance.now() - startedAt);
        return { chunks: replayAsChunks(cached.response), info: this.cachedInfo(cached) };
      }
    }
    let routed: RoutedCall<{
      iterator: AsyncIterator<OpenAIChatChunk>;
      first: IteratorResult<OpenAIChatChunk>;
      simulated: boolean;
      stop: AbortController;
      reported: StreamUsageReport | undefined;
    }>;
    try {
      // Failover stays possible until the first chunk has arrived (nothing has reached the client yet).
      routed = await this.services.router.run(
        context.tenant.orgId,
        route,
        context.signal,
        async (provider, deployment, signal) => {
          // Ends the upstream's stream should it stall after its first chunk (see `relay`), and
          // whenever the attempt's signal aborts: forwarded by hand, cheaper than AbortSignal.any.
          const stop = new AbortController();
          if (signal.aborted) stop.abort(signal.reason);
          else signal.addEventListener('abort', () => stop.abort(signal.reason), { once: true });
          const stream = await provider.streamChat(
            {
              ...request,
              model: deployment.model,
              stream: true,
              stream_options: { include_usage: true },
            },
            {
              deployment,
              signal: stop.signal,
              requestId: context.requestId,
            },
          );
          const iterator = stream.chunks[Symbol.asyncIterator]();
          const first = await iterator.next().catch((error: unknown) => {
            throw failedBeforeFirstChunk(error, signal);
          });
          return {
            iterator,
            first,
            simulated: stream.simulated ?? false,
            stop,
            reported: stream.reported,
          };
        },
        // The deployment's breaker hears how the stream ended, not just that it began.
        { settleLater: true },
      );
    } catch (error) {
      this.recordFailure(request, context, route, error, performance.now() - startedAt);
      throw error;
    }
    const info: CallInfo = {
      provider: routed.deployment.provider,
      servedModel: routed.deployment.model,
      attempts: callsMade(routed.attempts).length,
      cache: cacheKey ? 'miss' : 'bypass',
      simulated: routed.value.simulated,
    };
    const ttftMs = performance.now() - startedAt;
    return {
      chunks: this.relay({
        ...routed.value,
        request,
        context,
        route,
        info,
        cacheKey,
        startedAt,
        ttftMs,
        routed,
      }),
      info,
      reported: routed.value.reported,
    };
  }

  /**
   * Passes the chunks on while collecting what the stream said; ends a stream
   * that stalls with a timeout; records the call and tells the deployment's
   * breaker when it ends, however it ends.
   */
  private async *relay(stream: {
    iterator: AsyncIterator<OpenAIChatChunk>;
    first: IteratorResult<OpenAIChatChunk>;
    simulated: boolean;
    stop: AbortController;
    reported: StreamUsageReport | undefined;
    request: OpenAIChatRequest;
    context: ChatCallContext;
    route: ResolvedRoute;
    info: CallInfo;
    cacheKey: string | undefined;
    startedAt: number;
    ttftMs: number;
    routed: RoutedCall<unknown>;
  }): AsyncGenerator<OpenAIChatChunk> {
    const {
      iterator,
      first,
      simulated,
      stop,
      reported,
      request,
      context,
      route,
      info,
      cacheKey,
      startedAt,
      ttftMs,
      routed,
    } = stream;
    const deployment = routed.deployment;
    const collected = new StreamCollector();
    let failure: unknown;
    let stalled: UpstreamError | undefined;
    const idleMs = this.services.streamIdleTimeoutMs || deployment.timeoutMs;
    const idle = new StreamIdleTimer(idleMs, () => {
      stalled = new UpstreamError({
        kind: 'timeout',
        message: `the ${deployment.provider} stream sent nothing for ${idleMs} ms`,
        provider: deployment.provider,
        isRetryable: false,
      });
      stop.abort(stalled);
    });
    try {
      if (!first.done) {
        collected.add(first.value);
        yield first.value;
      }
      for (;;) {
        idle.arm();
        const next = await iterator.next();
        idle.pause();
        if (next.done) break;
        collected.add(next.value);
        yield next.value;
      }
    } catch (error) {
      // Aborting a stalled stream makes the provider throw; the stall is what happened.
      failure = stalled ?? error;
      throw failure;
    } finally {
      idle.stop();
      void routed.settle(failure ? 'failure' : collected.finished ? 'success' : 'cancelled');
      const { usage, estimated } = settleStreamUsage({
        final: collected.usage,
        reported,
        request,
        delivered: collected.delivered,
        counter: this.services.tokenCounter,
      });
      const serviceTier = collected.delivered.serviceTier;
      const cost = costOfCall(deployment.model, tokenUsageOf(usage), context.tenant, {
        serviceTier,
      });
      this.record(context, request, {
        status: failure ? statusOf(failure) : 'success',
        provider: info.provider,
        servedModel: info.servedModel,
        usage,
        estimatedUsage: estimated,
        serviceTier,
        costNanos: cost.costNanos,
        unpriced: !cost.priced,
        latencyMs: performance.now() - startedAt,
        ttftMs,
        attempts: routed.attempts,
        simulated,
        output: collected.text,
        errorMessage: failure
          ? messageOf(failure)
          : collected.finished
            ? undefined
            : 'the client went away before the end of the stream',
      });
      if (cacheKey && !failure && collected.finished) {
        const answer: CachedAnswer = {
          response: collected.toResponse(usage),
          provider: info.provider,
          servedModel: info.servedModel,
          costNanos: cost.costNanos,
          simulated,
        };
        this.services.cache.set(cacheKey, answer, route.cacheTtlMs).catch(() => undefined);
      }
      if (!collected.finished) await iterator.return?.();
    }
  }

  private cacheKeyOf(
    route: ResolvedRoute,
    request: OpenAIChatRequest,
    context: ChatCallContext,
  ): string | undefined {
    if (route.cacheTtlMs <= 0 || context.cacheMode === 'bypass') return undefined;
    return this.services.cache.keyOf(context.tenant.orgId, route.model, request);
  }

  private cachedInfo(cached: CachedAnswer): CallInfo {
    return {
      provider: cached.provider,
      servedModel: cached.servedModel,
      attempts: 0,
      cache: 'hit',
      simulated: cached.simulated,
    };
  }

  private recordCacheHit(
    request: OpenAIChatRequest,
    context: ChatCallContext,
    cached: CachedAnswer,
    latencyMs: number,
  ): void {
    this.record(context, request, {
      status: 'cached',
      provider: cached.provider,
      servedModel: cached.servedModel,
      usage: cached.response.usage,
      costNanos: 0,
      latencyMs,
      attempts: [],
      simulated: cached.simulated,
      cacheHit: true,
      output: cached.response.choices[0]?.message,
      metadata: { cost_saved_usd: cached.costNanos / 1e9 },
    });
  }

  private recordFailure(
    request: OpenAIChatRequest,
    context: ChatCallContext,
    route: ResolvedRoute,
    error: unknown,
    latencyMs: number,
  ): void {
    const attempts = attemptsOf(error);
    this.record(context, request, {
      status: statusOf(error),
      usage: undefined,
      costNanos: 0,
      latencyMs,
      attempts,
      simulated: route.deployments.every((deployment) => deployment.provider === 'simulated'),
      errorMessage: messageOf(error),
    });
  }

  private record(
    context: ChatCallContext,
    request: OpenAIChatRequest,
    facts: {
      status: EventStatus;
      provider?: string;
      servedModel?: string;
      usage: OpenAIUsage | undefined;
      estimatedUsage?: EstimatedUsagePart[];
      serviceTier?: string;
      costNanos: number;
      unpriced?: boolean;
      latencyMs: number;
      ttftMs?: number;
      attempts: FailoverAttempt[];
      simulated: boolean;
      cacheHit?: boolean;
      output?: unknown;
      errorMessage?: string;
      metadata?: Record<string, unknown>;
    },
  ): void {
    const tokens = facts.usage
      ? tokenUsageOf(facts.usage)
      : { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
    const record: PromptCallRecord = {
      requestId: context.requestId,
      operation: 'chat',
      status: facts.status,
      modelRequested: request.model,
      provider: facts.provider,
      servedModel: facts.servedModel,
      inputTokens: tokens.inputTokens,
      outputTokens: tokens.outputTokens,
      cachedTokens: tokens.cachedInputTokens ?? 0,
      cacheWrite5mTokens: tokens.cacheWrite5mTokens,
      cacheWrite1hTokens: tokens.cacheWrite1hTokens,
      reasoningTokens: tokens.reasoningTokens,
      estimatedUsage: facts.estimatedUsage,
      serviceTier: facts.serviceTier,
      costNanos: facts.costNanos,
      unpriced: facts.unpriced,
      latencyMs: Math.round(facts.latencyMs * 1000) / 1000,
      ttftMs: facts.ttftMs === undefined ? undefined : Math.round(facts.ttftMs * 1000) / 1000,
      attempts: facts.attempts,
      cacheHit: facts.cacheHit ?? false,
      simulated: facts.simulated,
      input: request.messages,
      output: facts.output,
      errorMessage: facts.errorMessage,
      userId: typeof request.user === 'string' ? request.user : undefined,
      metadata: facts.metadata,
      trace: context.trace,
      prompt: context.prompt,
    };
    recordPromptCall(this.services.recorder, context.tenant, record);
  }
}

/** Gathers what a stream said, to record it, cache it and count its tokens when it reports no usage. */
class StreamCollector {
  text = '';
  usage: OpenAIUsage | undefined;
  finished = false;
  /** Everything delivered that counts as output, for a usage the stream never reported. */
  readonly delivered = new DeliveredOutput();
  private finishReason: string | null = null;
  private id = '';
  private model = '';
  private created = 0;

  add(chunk: OpenAIChatChunk): void {
    this.id ||= chunk.id;
    this.model ||= chunk.model;
    this.created ||= chunk.created;
    if (chunk.usage) this.usage = chunk.usage;
    this.delivered.add(chunk);
    for (const choice of chunk.choices) {
      if (choice.index !== 0) continue;
      if (typeof choice.delta.content === 'string') this.text += choice.delta.content;
      if (choice.finish_reason) {
        this.finishReason = choice.finish_reason;
        this.finished = true;
      }
    }
    if (chunk.usage) this.finished = true;
  }

  toResponse(usage: OpenAIUsage): OpenAIChatResponse {
    return {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: this.text },
          finish_reason: (this.finishReason ??
            'stop') as OpenAIChatResponse['choices'][number]['finish_reason'],
          logprobs: null,
        },
      ],
      usage,
    };
  }
}

/** A cached answer replayed as a stream: the content in one delta, then the finish and the usage. */
async function* replayAsChunks(response: OpenAIChatResponse): AsyncGenerator<OpenAIChatChunk> {
  const base = {
    id: response.id,
    object: 'chat.completion.chunk' as const,
    created: response.created,
    model: response.model,
  };
  for (const choice of response.choices) {
    yield {
      ...base,
      choices: [
        {
          index: choice.index,
          delta: {
            role: 'assistant',
            content: choice.message.content ?? '',
            ...(choice.message.tool_calls && {
              tool_calls: choice.message.tool_calls.map((call, index) => ({ index, ...call })),
            }),
          },
          finish_reason: null,
        },
      ],
    };
    yield {
      ...base,
      choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason }],
    };
  }
  if (response.usage) yield { ...base, choices: [], usage: response.usage };
}
