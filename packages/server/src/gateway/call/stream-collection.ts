import type { OpenAIChatChunk, OpenAIChatResponse, OpenAIUsage } from '@tollgate/core';
import { DeliveredOutput } from './call-usage';

/** Gathers what a stream said, to record it, cache it and count its tokens when it reports no usage. */
export class StreamCollector {
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
export async function* replayAsChunks(
  response: OpenAIChatResponse,
): AsyncGenerator<OpenAIChatChunk> {
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
