/**
 * The usage a gateway call is charged for, when the provider did not say it
 * all. What the provider reported is kept as it is; the local tokenizer fills
 * only the side (prompt or completion) it never reported, counting everything
 * the call delivered (text, tool-call names and arguments, reasoning text),
 * and the result says which sides it estimated, for the event.
 */
import { createUsage } from '@tollgate/core';
import type {
  EstimatedUsagePart,
  OpenAIChatChunk,
  OpenAIChatRequest,
  OpenAIChatResponse,
  OpenAIUsage,
  StreamUsageReport,
} from '@tollgate/core';
import type { TokenCounter } from '../../tokens/token-counter';

export type { EstimatedUsagePart } from '@tollgate/core';

export interface SettledUsage {
  usage: OpenAIUsage;
  /** Empty when the provider reported everything. */
  estimated: EstimatedUsagePart[];
}

/** Everything a stream delivered that counts as output, gathered chunk by chunk. */
export class DeliveredOutput {
  text = '';
  toolCalls = '';
  reasoning = '';
  /** The service tier the provider says it used (OpenAI's `service_tier`). */
  serviceTier: string | undefined;

  add(chunk: OpenAIChatChunk): void {
    if (typeof chunk.service_tier === 'string') this.serviceTier = chunk.service_tier;
    for (const choice of chunk.choices) {
      if (choice.index !== 0) continue;
      const delta = choice.delta;
      if (typeof delta.content === 'string') this.text += delta.content;
      this.reasoning += reasoningTextOf(delta);
      for (const call of delta.tool_calls ?? []) {
        this.toolCalls += (call.function?.name ?? '') + (call.function?.arguments ?? '');
      }
    }
  }
}

/**
 * The usage of a stream that ended, however it ended: the final usage chunk
 * when it came; otherwise each side the provider reported on the way
 * (`reported`), and the tokenizer's count of the request or of what was
 * delivered for a side it never reported.
 */
export function settleStreamUsage(stream: {
  final: OpenAIUsage | undefined;
  reported: StreamUsageReport | undefined;
  request: OpenAIChatRequest;
  delivered: DeliveredOutput;
  counter: TokenCounter;
}): SettledUsage {
  const { final, reported, request, delivered, counter } = stream;
  if (final) return { usage: final, estimated: [] };
  const estimated: EstimatedUsagePart[] = [];
  let prompt = reported?.prompt;
  if (!prompt) {
    estimated.push('input');
    prompt = { prompt_tokens: counter.countPrompt(request) };
  }
  let completion = reported?.completion;
  if (!completion) {
    estimated.push('output');
    completion = estimatedCompletion(counter, delivered, reported);
  }
  return { usage: joinUsage(prompt, completion), estimated };
}

/** The usage of a whole answer: the provider's, or (when it sent none) the tokenizer's count. */
export function settleAnswerUsage(
  response: OpenAIChatResponse,
  request: OpenAIChatRequest,
  counter: TokenCounter,
): SettledUsage {
  if (response.usage) return { usage: response.usage, estimated: [] };
  const delivered = new DeliveredOutput();
  const message = response.choices.find((choice) => choice.index === 0)?.message;
  if (message) {
    delivered.text = typeof message.content === 'string' ? message.content : '';
    delivered.reasoning = reasoningTextOf(message);
    for (const call of message.tool_calls ?? []) {
      delivered.toolCalls += call.function.name + call.function.arguments;
    }
  }
  const usage = joinUsage(
    { prompt_tokens: counter.countPrompt(request) },
    estimatedCompletion(counter, delivered),
  );
  return { usage, estimated: ['input', 'output'] };
}

/** The service tier an answer says it was served with, if any. */
export function serviceTierOf(response: OpenAIChatResponse): string | undefined {
  return typeof response.service_tier === 'string' ? response.service_tier : undefined;
}

/** The tokenizer's count of the output delivered; reasoning the upstream counted is taken as it said. */
function estimatedCompletion(
  counter: TokenCounter,
  delivered: DeliveredOutput,
  reported: StreamUsageReport = {},
): Pick<OpenAIUsage, 'completion_tokens' | 'completion_tokens_details'> {
  const reasoning =
    reported.reasoningTokens ??
    counter.countText(delivered.reasoning) + counter.countText(reported.reasoningText ?? '');
  const completion =
    counter.countText(delivered.text) + counter.countText(delivered.toolCalls) + reasoning;
  return {
    completion_tokens: completion,
    ...(reasoning > 0 && { completion_tokens_details: { reasoning_tokens: reasoning } }),
  };
}

function joinUsage(
  prompt: Pick<OpenAIUsage, 'prompt_tokens' | 'prompt_tokens_details'>,
  completion: Pick<OpenAIUsage, 'completion_tokens' | 'completion_tokens_details'>,
): OpenAIUsage {
  const usage = createUsage(prompt.prompt_tokens, completion.completion_tokens);
  if (prompt.prompt_tokens_details) usage.prompt_tokens_details = prompt.prompt_tokens_details;
  if (completion.completion_tokens_details) {
    usage.completion_tokens_details = completion.completion_tokens_details;
  }
  return usage;
}

/** Reasoning text as OpenAI-compatible servers send it: `reasoning_content` (DeepSeek, vLLM) or `reasoning`. */
function reasoningTextOf(part: Record<string, unknown>): string {
  const text = part.reasoning_content ?? part.reasoning;
  return typeof text === 'string' ? text : '';
}
