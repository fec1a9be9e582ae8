import {
  InvalidRequestError,
  tokenUsageOf,
  type EventTenant,
  type OpenAIChatRequest,
} from '@tollgate/core';
import type { ResolvedRoute } from '../routing/route-table';
import { failedBeforeFirstChunk } from './call-outcome';
import { costOfCall } from './call-cost';
import { serviceTierOf, settleAnswerUsage } from './call-usage';
import { cacheHitFacts, failureFacts, recordChatCall } from './chat-call-record';
import type {
  CallInfo,
  ChatAnswer,
  ChatCallContext,
  ChatServices,
  ChatStreamAnswer,
  KnownRoute,
} from './chat-call-types';
import type { RoutedCall } from './gateway-router';
import { callsMade } from './record-prompt-call';
import type { CachedAnswer } from './response-cache';
import { replayAsChunks } from './stream-collection';
import { relayStream, type StartedStream } from './stream-relay';

export type {
  CacheStatus,
  CallInfo,
  ChatAnswer,
  ChatCallContext,
  ChatServices,
  ChatStreamAnswer,
  KnownRoute,
} from './chat-call-types';
export { attemptsOf } from './call-outcome';

/**
 * One chat completion through the gateway, whatever the endpoint format:
 * route, cache, failover, cost, and one recorded event per call. What a call
 * came to is classified in `call-outcome`, recorded by `chat-call-record`;
 * a stream is relayed and collected by `stream-relay`.
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
      const cached = await this.services.cache.get(cacheKey, context.tenant.contentKey);
      if (cached) {
        recordChatCall(
          this.services,
          context,
          request,
          cacheHitFacts(cached, performance.now() - startedAt),
        );
        return { response: cached.response, info: cachedInfo(cached), costNanos: 0 };
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
      recordChatCall(this.services, context, request, {
        status: 'success',
        provider: info.provider,
        servedModel: info.servedModel,
        usage: settled.usage,
        estimatedUsage: settled.estimated,
        serviceTier,
        costNanos: cost.costNanos,
        unpriced: !cost.priced,
        priceSource: cost.price?.source,
        latencyMs: performance.now() - startedAt,
        attempts: routed.attempts,
        simulated,
        output: response.choices[0]?.message,
        cacheStatus: info.cache,
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
          .set(cacheKey, answer, route.cacheTtlMs, context.tenant.contentKey)
          .catch((error: unknown) =>
            this.services.logger.warn({ err: error }, 'could not store a response in the cache'),
          );
      }
      return { response, rawBody, info, costNanos: cost.costNanos, unpriced: !cost.priced };
    } catch (error) {
      recordChatCall(this.services, context, request, {
        ...failureFacts(route, error, performance.now() - startedAt),
        cacheStatus: cacheKey ? 'miss' : 'bypass',
      });
      throw error;
    }
  }

  async stream(request: OpenAIChatRequest, context: ChatCallContext): Promise<ChatStreamAnswer> {
    const startedAt = performance.now();
    const route = await this.resolve(context.tenant, request.model, context.knownRoute);
    const cacheKey = this.cacheKeyOf(route, request, context);
    if (cacheKey) {
      const cached = await this.services.cache.get(cacheKey, context.tenant.contentKey);
      if (cached) {
        recordChatCall(
          this.services,
          context,
          request,
          cacheHitFacts(cached, performance.now() - startedAt),
        );
        return { chunks: replayAsChunks(cached.response), info: cachedInfo(cached) };
      }
    }
    let routed: RoutedCall<StartedStream>;
    try {
      // Failover stays possible until the first chunk has arrived (nothing has reached the client yet).
      routed = await this.services.router.run(
        context.tenant.orgId,
        route,
        context.signal,
        async (provider, deployment, signal) => {
          // Ends the upstream's stream should it stall after its first chunk (see `relayStream`), and
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
      recordChatCall(this.services, context, request, {
        ...failureFacts(route, error, performance.now() - startedAt),
        cacheStatus: cacheKey ? 'miss' : 'bypass',
      });
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
      chunks: relayStream(this.services, {
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

  private cacheKeyOf(
    route: ResolvedRoute,
    request: OpenAIChatRequest,
    context: ChatCallContext,
  ): string | undefined {
    if (route.cacheTtlMs <= 0 || context.cacheMode === 'bypass') return undefined;
    return this.services.cache.keyOf(context.tenant.orgId, route.model, request);
  }
}

function cachedInfo(cached: CachedAnswer): CallInfo {
  return {
    provider: cached.provider,
    servedModel: cached.servedModel,
    attempts: 0,
    cache: 'hit',
    simulated: cached.simulated,
  };
}
