/** Reading the gateway's streams through the official clients, as far as they go. */
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';

/** The text of the OpenAI `chat-text` and `text-stream` fixtures. */
export const FIXTURE_TEXT = 'Hello! How can I help you today?';

/** Reads an OpenAI chat stream to its end or its error; returns the text and what it threw. */
export async function drainChat(
  stream: AsyncIterable<OpenAI.ChatCompletionChunk>,
): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    return { text, error: undefined };
  } catch (error) {
    return { text, error };
  }
}

/** Reads an Anthropic message stream to its end or its error: its text, its event types, what it threw. */
export async function drainMessages(
  stream: AsyncIterable<Anthropic.RawMessageStreamEvent>,
): Promise<{ text: string; types: string[]; error: unknown }> {
  let text = '';
  const types: string[] = [];
  try {
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
        text += event.delta.text;
    }
    return { text, types, error: undefined };
  } catch (error) {
    return { text, types, error };
  }
}
