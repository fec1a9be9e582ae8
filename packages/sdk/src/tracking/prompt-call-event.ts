import type { EventInput, EventStatus, OperationKind } from '@tollgate/core';
import { currentLinks, type EventLinks } from './event-context';
import type { TokenCounts } from './usage';

type PromptCallInput = Extract<EventInput, { event_type: 'prompt_call' }>;

/** What is known about one model call once it ended. */
export interface PromptCallFacts {
  /** Event time: when the call started (epoch ms). */
  startedAt: number;
  status: EventStatus;
  latencyMs: number;
  operation?: string;
  name?: string;
  provider?: string;
  /** The model that answered (the response's), else the one asked for. */
  model?: string;
  modelRequested?: string;
  counts?: TokenCounts;
  /** The app's own figure: sent as `cost_usd`, which the server keeps only for a model it cannot price. */
  fallbackCostUsd?: number;
  ttftMs?: number;
  input?: unknown;
  output?: unknown;
  errorMessage?: string;
  userId?: string;
  sessionId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

/**
 * The core's OPERATION_KINDS, held in step by the type (a kind added or
 * removed there fails to compile here): importing the list itself would pull
 * the whole zod event schema into the SDK bundle.
 */
const operationKinds: Readonly<Record<OperationKind, true>> = {
  chat: true,
  completion: true,
  embedding: true,
  image: true,
  video: true,
  moderation: true,
};

export function isOperationKind(value: string | undefined): value is OperationKind {
  return value !== undefined && Object.hasOwn(operationKinds, value);
}

/** A `prompt_call` event linked to the current run, step and request. */
export function promptCallEvent(
  facts: PromptCallFacts,
  links: EventLinks = currentLinks(),
): PromptCallInput {
  const event: PromptCallInput = {
    event_type: 'prompt_call',
    ts: facts.startedAt,
    status: facts.status,
    latency_ms: facts.latencyMs,
  };
  // Field by field, not spread: this runs on every tracked call.
  if (links.run_id !== undefined) event.run_id = links.run_id;
  if (links.parent_id !== undefined) event.parent_id = links.parent_id;
  if (links.request_id !== undefined) event.request_id = links.request_id;
  if (links.user_id !== undefined) event.user_id = links.user_id;
  if (links.session_id !== undefined) event.session_id = links.session_id;
  if (isOperationKind(facts.operation)) event.operation = facts.operation;
  if (facts.name !== undefined) event.name = facts.name;
  if (facts.provider !== undefined) event.provider = facts.provider;
  if (facts.model !== undefined) event.model = facts.model;
  if (facts.modelRequested !== undefined) event.model_requested = facts.modelRequested;
  if (facts.counts) {
    event.input_tokens = facts.counts.inputTokens;
    event.output_tokens = facts.counts.outputTokens;
    event.cached_tokens = facts.counts.cachedTokens;
    if (facts.counts.cacheWrite5mTokens)
      event.cache_write_5m_tokens = facts.counts.cacheWrite5mTokens;
    if (facts.counts.cacheWrite1hTokens)
      event.cache_write_1h_tokens = facts.counts.cacheWrite1hTokens;
    if (facts.counts.reasoningTokens) event.reasoning_tokens = facts.counts.reasoningTokens;
  }
  // Usage, not a price: the server prices the event with the org's prices.
  if (facts.fallbackCostUsd !== undefined) event.cost_usd = facts.fallbackCostUsd;
  if (facts.ttftMs !== undefined) event.ttft_ms = facts.ttftMs;
  if (facts.input !== undefined) event.input = facts.input;
  if (facts.output !== undefined) event.output = facts.output;
  if (facts.errorMessage !== undefined) event.error_message = facts.errorMessage;
  if (facts.userId !== undefined) event.user_id = facts.userId;
  if (facts.sessionId !== undefined) event.session_id = facts.sessionId;
  if (facts.tags !== undefined) event.tags = facts.tags;
  if (facts.metadata !== undefined) event.metadata = facts.metadata;
  return event;
}
