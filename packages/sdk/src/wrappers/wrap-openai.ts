import { instrumentMethod, wrappedMark, type WrapOptions } from './instrument-call';
import { openAIChatReader, openAIEmbeddingsReader, openAIResponsesReader } from './openai-readers';

interface OpenAILike {
  chat?: { completions?: unknown };
  embeddings?: unknown;
  responses?: unknown;
}

/**
 * Instruments an official `openai` client in place and returns it: every
 * `chat.completions.create` (streamed or not, with tools; also what
 * `.stream()`, `.parse()` and `.runTools()` call), `embeddings.create` and
 * `responses.create` records a `prompt_call` event with tokens, cost,
 * latency and time to first token. What the app gets back is unchanged: the
 * same promise type, the same objects, streams chunk by chunk.
 */
export function wrapOpenAI<Client extends object>(
  client: Client,
  options: WrapOptions = {},
): Client {
  const target = client as Client & OpenAILike & { [wrappedMark]?: true };
  if (target[wrappedMark]) return client;
  instrumentMethod(target.chat?.completions, 'create', openAIChatReader, options);
  instrumentMethod(target.embeddings, 'create', openAIEmbeddingsReader, options);
  instrumentMethod(target.responses, 'create', openAIResponsesReader, options);
  Object.defineProperty(target, wrappedMark, { value: true });
  return client;
}
