import type { OpenAIChatChunk, OpenAIChatChunkChoice } from '@tollgate/core';
import type { SimulatedCompletion } from './simulate-completion';
import { SIMULATED_SYSTEM_FINGERPRINT } from './simulate-completion';

export interface SimulatedStreamOptions {
  model: string;
  created: number;
  timeToFirstTokenMs: number;
  chunkIntervalMs: number;
  /** Waits (with jitter) and throws if the call is aborted meanwhile. */
  wait(milliseconds: number): Promise<void>;
}

/**
 * A simulated completion as OpenAI streams it: a role chunk, content one word
 * per chunk (or a tool call: its name, then its arguments in pieces), a
 * finish chunk per choice, then the usage chunk. Paced by the deployment's
 * time to first token and chunk interval.
 */
export async function* simulatedChunks(
  completion: SimulatedCompletion,
  options: SimulatedStreamOptions,
): AsyncGenerator<OpenAIChatChunk, void, undefined> {
  const chunk = (choices: OpenAIChatChunkChoice[]): OpenAIChatChunk => ({
    id: completion.id,
    object: 'chat.completion.chunk',
    created: options.created,
    model: options.model,
    system_fingerprint: SIMULATED_SYSTEM_FINGERPRINT,
    choices,
  });
  await options.wait(options.timeToFirstTokenMs);
  let first = true;
  for (const [index, choice] of completion.choices.entries()) {
    for (const delta of deltasOf(choice)) {
      if (!first) await options.wait(options.chunkIntervalMs);
      first = false;
      yield chunk([{ index, delta, finish_reason: null }]);
    }
  }
  yield chunk(
    completion.choices.map((choice, index) => ({
      index,
      delta: {},
      finish_reason: choice.finishReason,
    })),
  );
  yield { ...chunk([]), usage: completion.usage };
}

function* deltasOf(
  choice: SimulatedCompletion['choices'][number],
): Generator<OpenAIChatChunkChoice['delta']> {
  yield { role: 'assistant', content: choice.toolCalls ? null : '' };
  for (const [index, call] of (choice.toolCalls ?? []).entries()) {
    yield {
      tool_calls: [
        {
          index,
          id: call.id,
          type: 'function',
          function: { name: call.function.name, arguments: '' },
        },
      ],
    };
    for (const piece of splitInPieces(call.function.arguments, 3)) {
      yield { tool_calls: [{ index, function: { arguments: piece } }] };
    }
  }
  // Each word with the space before it, as tokens come: the pieces join back into the content.
  for (const word of choice.content?.match(/\s*\S+|\s+$/g) ?? []) yield { content: word };
}

function splitInPieces(text: string, pieces: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const result: string[] = [];
  for (let start = 0; start < text.length; start += size)
    result.push(text.slice(start, start + size));
  return result;
}
