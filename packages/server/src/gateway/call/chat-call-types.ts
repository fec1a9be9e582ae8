import type { OpenAIChatChunk, OpenAIChatResponse, StreamUsageReport } from '@tollgate/core';
import type { FastifyBaseLogger } from 'fastify';
import type { UsedPrompt } from '../../prompts/prompt-reference';
import type { TokenCounter } from '../../tokens/token-counter';
import type { ResolvedRoute, RouteTable } from '../routing/route-table';
import type { GatewayRouter } from './gateway-router';
import type { CallRecorder, CallTenant, CallTrace } from './record-prompt-call';
import type { ResponseCache } from './response-cache';

export type CacheStatus = 'hit' | 'miss' | 'bypass';

export interface ChatServices {
  routeTable: RouteTable;
  router: GatewayRouter;
  cache: ResponseCache;
  /** Where the call's event goes: journaled, batched and written (see `recordPromptCall`). */
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
  /** The endpoint's name for the recorded call: `messages`, `responses`; `chat.completions` when unset. */
  callName?: string;
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
