import {
  tokenUsageOf,
  UpstreamError,
  type OpenAIChatChunk,
  type OpenAIChatRequest,
  type StreamUsageReport,
} from '@tollgate/core';
import type { ResolvedRoute } from '../routing/route-table';
import { messageOf, statusOf } from './call-outcome';
import { costOfCall } from './call-cost';
import { settleStreamUsage } from './call-usage';
import { recordChatCall } from './chat-call-record';
import type { CallInfo, ChatCallContext, ChatServices } from './chat-call-types';
import type { RoutedCall } from './gateway-router';
import type { CachedAnswer } from './response-cache';
import { StreamCollector } from './stream-collection';
import { StreamIdleTimer } from './stream-idle-timer';

/** A stream that has begun: its first chunk is in, the client has been sent nothing yet. */
export interface StartedStream {
  iterator: AsyncIterator<OpenAIChatChunk>;
  first: IteratorResult<OpenAIChatChunk>;
  simulated: boolean;
  /** Ends the upstream's stream. */
  stop: AbortController;
  /** What the upstream has reported of its usage so far. */
  reported: StreamUsageReport | undefined;
}

export interface RelayedStream extends StartedStream {
  request: OpenAIChatRequest;
  context: ChatCallContext;
  route: ResolvedRoute;
  info: CallInfo;
  cacheKey: string | undefined;
  startedAt: number;
  ttftMs: number;
  routed: RoutedCall<unknown>;
}

/**
 * Passes the chunks on while collecting what the stream said; ends a stream
 * that stalls with a timeout; records the call and tells the deployment's
 * breaker when it ends, however it ends.
 */
export async function* relayStream(
  services: ChatServices,
  stream: RelayedStream,
): AsyncGenerator<OpenAIChatChunk> {
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
  const idleMs = services.streamIdleTimeoutMs || deployment.timeoutMs;
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
      counter: services.tokenCounter,
    });
    const serviceTier = collected.delivered.serviceTier;
    const cost = costOfCall(deployment.model, tokenUsageOf(usage), context.tenant, {
      serviceTier,
    });
    recordChatCall(services, context, request, {
      status: failure ? statusOf(failure) : 'success',
      provider: info.provider,
      servedModel: info.servedModel,
      usage,
      estimatedUsage: estimated,
      serviceTier,
      costNanos: cost.costNanos,
      unpriced: !cost.priced,
      priceSource: cost.price?.source,
      latencyMs: performance.now() - startedAt,
      ttftMs,
      attempts: routed.attempts,
      simulated,
      output: collected.output,
      cacheStatus: info.cache,
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
      services.cache
        .set(cacheKey, answer, route.cacheTtlMs, context.tenant.contentKey)
        .catch(() => undefined);
    }
    if (!collected.finished) await iterator.return?.();
  }
}
