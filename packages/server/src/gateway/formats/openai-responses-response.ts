/**
 * `/v1/responses`, the answer side: a canonical (Chat Completions) answer → a
 * Responses API `response` object. Its output items, in order: the reasoning
 * text when the provider sent any (as a summary), the message (text or
 * refusal), then one `function_call` per tool call.
 */
import { randomBytes } from 'node:crypto';
import type {
  OpenAIChatResponse,
  OpenAIChatResponseMessage,
  OpenAIFinishReason,
  OpenAIToolCall,
  OpenAIUsage,
} from '@tollgate/core';
import type { ResponsesRequest } from './openai-responses-request';

export type ResponsesOutputText = {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
};
export type ResponsesRefusal = { type: 'refusal'; refusal: string };

export type ResponsesOutputItem =
  | {
      type: 'message';
      id: string;
      status: 'in_progress' | 'completed';
      role: 'assistant';
      content: Array<ResponsesOutputText | ResponsesRefusal>;
    }
  | {
      type: 'function_call';
      id: string;
      call_id: string;
      name: string;
      arguments: string;
      status: 'in_progress' | 'completed';
    }
  | { type: 'reasoning'; id: string; summary: Array<{ type: 'summary_text'; text: string }> };

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponsesStatus = 'in_progress' | 'completed' | 'incomplete';

export interface ResponsesObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponsesStatus;
  error: null;
  incomplete_details: { reason: string } | null;
  model: string;
  output: ResponsesOutputItem[];
  usage: ResponsesUsage | null;
  [field: string]: unknown;
}

/** A new id suffix, shared by a response and its items (each answer, a cached one too, gets its own). */
export function newResponsesId(): string {
  return randomBytes(16).toString('hex');
}

export function functionCallItemId(callId: string): string {
  return `fc_${callId.replace(/^(call_|toolu_)/, '').replace(/[^a-zA-Z0-9]/g, '')}`;
}

export function responsesUsageOf(usage: OpenAIUsage | undefined | null): ResponsesUsage | null {
  if (!usage) return null;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: {
      reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    },
    total_tokens: usage.total_tokens,
  };
}

/** A response's status and why it is incomplete, from the canonical finish reason. */
export function responsesStatusOf(finishReason: OpenAIFinishReason | null | undefined): {
  status: ResponsesStatus;
  incomplete_details: { reason: string } | null;
} {
  switch (finishReason) {
    case 'length':
      return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
    case 'content_filter':
      return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
    default:
      return { status: 'completed', incomplete_details: null };
  }
}

/** The `response` object around its output: the request's settings echoed as OpenAI does. */
export function responsesObject(
  request: ResponsesRequest,
  facts: {
    id: string;
    createdAt: number;
    model: string;
    output: ResponsesOutputItem[];
    usage: ResponsesUsage | null;
    finishReason: OpenAIFinishReason | null | undefined;
    inProgress?: boolean;
  },
): ResponsesObject {
  const settled = facts.inProgress
    ? { status: 'in_progress' as const, incomplete_details: null }
    : responsesStatusOf(facts.finishReason);
  const fields = request as Record<string, unknown>;
  return {
    id: `resp_${facts.id}`,
    object: 'response',
    created_at: facts.createdAt,
    ...settled,
    error: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: facts.model,
    output: facts.output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: null },
    store: request.store !== false,
    temperature: request.temperature ?? 1,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage: facts.usage,
    user: request.user ?? null,
    metadata: fields.metadata ?? {},
  };
}

/** The output items of a canonical message. */
export function outputItemsOf(
  message: OpenAIChatResponseMessage | undefined,
  id: string,
): ResponsesOutputItem[] {
  if (!message) return [];
  const items: ResponsesOutputItem[] = [];
  const reasoning = reasoningTextOf(message);
  if (reasoning) {
    items.push({
      type: 'reasoning',
      id: `rs_${id}`,
      summary: [{ type: 'summary_text', text: reasoning }],
    });
  }
  const content: Array<ResponsesOutputText | ResponsesRefusal> = [];
  if (typeof message.refusal === 'string' && message.refusal)
    content.push({ type: 'refusal', refusal: message.refusal });
  if (message.content) content.push(outputText(message.content));
  if (content.length > 0 || !message.tool_calls?.length) {
    if (content.length === 0) content.push(outputText(''));
    items.push({
      type: 'message',
      id: `msg_${id}`,
      status: 'completed',
      role: 'assistant',
      content,
    });
  }
  for (const call of message.tool_calls ?? []) items.push(functionCallItem(call, 'completed'));
  return items;
}

export function outputText(text: string): ResponsesOutputText {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

export function functionCallItem(
  call: OpenAIToolCall,
  status: 'in_progress' | 'completed',
): ResponsesOutputItem {
  return {
    type: 'function_call',
    id: functionCallItemId(call.id),
    call_id: call.id,
    name: call.function.name,
    arguments: call.function.arguments,
    status,
  };
}

/** Reasoning text the way OpenAI-compatible servers put it on a message. */
export function reasoningTextOf(message: Record<string, unknown>): string | undefined {
  for (const field of ['reasoning_content', 'reasoning']) {
    const value = message[field];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** Canonical answer → Responses `response` object (the first choice). */
export function convertToResponsesObject(
  response: OpenAIChatResponse,
  request: ResponsesRequest,
): ResponsesObject {
  const choice = response.choices[0];
  const id = newResponsesId();
  return responsesObject(request, {
    id,
    createdAt: response.created || Math.floor(Date.now() / 1000),
    model: response.model || request.model,
    output: outputItemsOf(choice?.message, id),
    usage: responsesUsageOf(response.usage),
    finishReason: choice?.finish_reason,
  });
}
