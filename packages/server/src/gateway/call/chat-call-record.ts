import {
  tokenUsageOf,
  type EventStatus,
  type FailoverAttempt,
  type OpenAIChatRequest,
  type OpenAIUsage,
} from '@tollgate/core';
import type { ResolvedRoute } from '../routing/route-table';
import { attemptsOf, messageOf, statusOf } from './call-outcome';
import type { CacheStatus, ChatCallContext, ChatServices } from './chat-call-types';
import type { EstimatedUsagePart } from './call-usage';
import { recordPromptCall, type PromptCallRecord } from './record-prompt-call';
import type { CachedAnswer } from './response-cache';

/** What one chat call came to, as its event records it. */
export interface ChatCallFacts {
  status: EventStatus;
  provider?: string;
  servedModel?: string;
  usage: OpenAIUsage | undefined;
  estimatedUsage?: EstimatedUsagePart[];
  serviceTier?: string;
  costNanos: number;
  unpriced?: boolean;
  /** Which price list layer priced the call (`catalogue`, `override` …). */
  priceSource?: string;
  latencyMs: number;
  ttftMs?: number;
  attempts: FailoverAttempt[];
  simulated: boolean;
  cacheHit?: boolean;
  output?: unknown;
  errorMessage?: string;
  metadata?: Record<string, unknown>;
  /** Whether the response cache served the call, missed, or was not asked (recorded in metadata). */
  cacheStatus?: CacheStatus;
}

/** Records one chat call (fire and forget, see `recordPromptCall`). */
export function recordChatCall(
  services: Pick<ChatServices, 'recorder'>,
  context: ChatCallContext,
  request: OpenAIChatRequest,
  facts: ChatCallFacts,
): void {
  const tokens = facts.usage
    ? tokenUsageOf(facts.usage)
    : { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  const record: PromptCallRecord = {
    requestId: context.requestId,
    operation: 'chat',
    name: context.callName,
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
    priceSource: facts.priceSource,
    latencyMs: Math.round(facts.latencyMs * 1000) / 1000,
    ttftMs: facts.ttftMs === undefined ? undefined : Math.round(facts.ttftMs * 1000) / 1000,
    attempts: facts.attempts,
    cacheHit: facts.cacheHit ?? false,
    simulated: facts.simulated,
    input: request.messages,
    output: facts.output,
    errorMessage: facts.errorMessage,
    userId: typeof request.user === 'string' ? request.user : undefined,
    metadata: facts.cacheStatus
      ? { ...facts.metadata, cache_status: facts.cacheStatus }
      : facts.metadata,
    trace: context.trace,
    prompt: context.prompt,
  };
  recordPromptCall(services.recorder, context.tenant, record);
}

/** The facts of an answer served from the response cache: no cost, the saving in metadata. */
export function cacheHitFacts(cached: CachedAnswer, latencyMs: number): ChatCallFacts {
  return {
    status: 'cached',
    provider: cached.provider,
    servedModel: cached.servedModel,
    usage: cached.response.usage,
    costNanos: 0,
    latencyMs,
    attempts: [],
    simulated: cached.simulated,
    cacheHit: true,
    cacheStatus: 'hit',
    output: cached.response.choices[0]?.message,
    metadata: { cost_saved_usd: cached.costNanos / 1e9 },
  };
}

/** The facts of a call that got no answer. */
export function failureFacts(
  route: ResolvedRoute,
  error: unknown,
  latencyMs: number,
): ChatCallFacts {
  return {
    status: statusOf(error),
    usage: undefined,
    costNanos: 0,
    latencyMs,
    attempts: attemptsOf(error),
    simulated: route.deployments.every((deployment) => deployment.provider === 'simulated'),
    errorMessage: messageOf(error),
  };
}
