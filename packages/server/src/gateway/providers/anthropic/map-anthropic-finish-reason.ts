import type { OpenAIFinishReason } from '@tollgate/core';
import type { AnthropicStopReason } from './anthropic-api';

/** One table for both directions: Anthropic stop reason → OpenAI finish reason. */
const FINISH_REASON_OF: Record<AnthropicStopReason, OpenAIFinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** The first Anthropic reason listed for each OpenAI reason is its inverse. */
const STOP_REASON_OF = new Map<OpenAIFinishReason, AnthropicStopReason>();
for (const [stopReason, finishReason] of Object.entries(FINISH_REASON_OF) as [
  AnthropicStopReason,
  OpenAIFinishReason,
][]) {
  if (!STOP_REASON_OF.has(finishReason)) STOP_REASON_OF.set(finishReason, stopReason);
}

export function mapAnthropicStopReason(stopReason: string | null | undefined): OpenAIFinishReason {
  if (stopReason == null) return 'stop';
  return FINISH_REASON_OF[stopReason as AnthropicStopReason] ?? 'stop';
}

/** The inverse, for Tollgate's own Anthropic endpoint; `function_call` counts as tool use. */
export function toAnthropicStopReason(
  finishReason: OpenAIFinishReason | null | undefined,
): AnthropicStopReason {
  if (finishReason === 'function_call') return 'tool_use';
  return (finishReason && STOP_REASON_OF.get(finishReason)) || 'end_turn';
}
