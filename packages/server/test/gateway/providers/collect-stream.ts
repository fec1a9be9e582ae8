import type { OpenAIChatChunk, OpenAIFinishReason, OpenAIUsage } from '@tollgate/core';

export interface CollectedStream {
  chunks: OpenAIChatChunk[];
  text: string;
  roles: string[];
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: OpenAIFinishReason | null;
  usage: OpenAIUsage | undefined;
  /** Chunks that came after the usage chunk (there should be none). */
  chunksAfterUsage: number;
}

/** Reads a canonical stream to its end and adds up what it said (choice 0). */
export async function collectStream(
  chunks: AsyncIterable<OpenAIChatChunk>,
): Promise<CollectedStream> {
  const collected: CollectedStream = {
    chunks: [],
    text: '',
    roles: [],
    toolCalls: [],
    finishReason: null,
    usage: undefined,
    chunksAfterUsage: 0,
  };
  for await (const chunk of chunks) {
    collected.chunks.push(chunk);
    if (collected.usage) collected.chunksAfterUsage++;
    if (chunk.usage) collected.usage = chunk.usage;
    const choice = chunk.choices.find((candidate) => candidate.index === 0);
    if (!choice) continue;
    if (choice.delta.role) collected.roles.push(choice.delta.role);
    if (choice.delta.content) collected.text += choice.delta.content;
    for (const delta of choice.delta.tool_calls ?? []) {
      const toolCall = (collected.toolCalls[delta.index] ??= { id: '', name: '', arguments: '' });
      if (delta.id) toolCall.id = delta.id;
      if (delta.function?.name) toolCall.name += delta.function.name;
      if (delta.function?.arguments) toolCall.arguments += delta.function.arguments;
    }
    if (choice.finish_reason) collected.finishReason = choice.finish_reason;
  }
  return collected;
}
