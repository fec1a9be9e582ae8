import { countsOfAnthropic } from '../tracking/usage';
import {
  instrumentMethod,
  wrappedMark,
  type CallReader,
  type StreamCollector,
  type WrapOptions,
} from './instrument-call';

interface MessageParams {
  model?: string;
  system?: unknown;
  messages?: unknown[];
  stream?: boolean;
}

interface Message {
  model?: string;
  usage?: Record<string, unknown>;
  content?: unknown;
}

interface StreamEvent {
  type?: string;
  message?: Message;
  usage?: Record<string, unknown>;
  index?: number;
  content_block?: { type?: string; name?: string; text?: string };
  delta?: { type?: string; text?: string; partial_json?: string };
}

const anthropicMessagesReader: CallReader<MessageParams, Message, StreamEvent> = {
  provider: 'anthropic',
  name: 'messages.create',
  operation: 'chat',
  modelOf: (params) => params?.model,
  isStream: (params) => params?.stream === true,
  inputOf: (params) =>
    params?.system === undefined
      ? params?.messages?.slice()
      : [{ role: 'system', content: params.system }, ...(params.messages ?? [])],
  fromResult: (result) => ({
    model: result?.model,
    counts: result?.usage ? countsOfAnthropic(result.usage) : undefined,
    output: result?.content,
  }),
  collector: () => new AnthropicStreamCollector(),
};

/** Usage comes in `message_start` and is completed by `message_delta` (cumulative counts). */
class AnthropicStreamCollector implements StreamCollector<StreamEvent> {
  private model: string | undefined;
  private usage: Record<string, unknown> = {};
  private sawUsage = false;
  private readonly blocks: { type: string; text: string; name?: string }[] = [];

  add(event: StreamEvent): void {
    switch (event.type) {
      case 'message_start':
        this.model ??= event.message?.model;
        this.mergeUsage(event.message?.usage);
        return;
      case 'message_delta':
        this.mergeUsage(event.usage);
        return;
      case 'content_block_start':
        this.blocks[event.index ?? this.blocks.length] = {
          type: event.content_block?.type ?? 'text',
          text: event.content_block?.text ?? '',
          ...(event.content_block?.name ? { name: event.content_block.name } : {}),
        };
        return;
      case 'content_block_delta': {
        const block = (this.blocks[event.index ?? 0] ??= { type: 'text', text: '' });
        block.text += event.delta?.text ?? event.delta?.partial_json ?? '';
        return;
      }
      default:
        return;
    }
  }

  facts() {
    const blocks = this.blocks.filter(Boolean);
    const onlyText = blocks.every((block) => block.type === 'text');
    return {
      model: this.model,
      counts: this.sawUsage ? countsOfAnthropic(this.usage) : undefined,
      output: onlyText ? blocks.map((block) => block.text).join('') : blocks,
    };
  }

  private mergeUsage(usage: Record<string, unknown> | undefined): void {
    if (!usage) return;
    this.sawUsage = true;
    for (const [key, value] of Object.entries(usage)) {
      if (typeof value === 'number') this.usage[key] = value;
    }
  }
}

interface AnthropicLike {
  messages?: unknown;
  beta?: { messages?: unknown };
}

/**
 * Instruments an official `@anthropic-ai/sdk` client in place and returns it:
 * `messages.create` (streamed or not, with tools; also what `messages.stream()`
 * and `messages.parse()` call) and `beta.messages.create` record a
 * `prompt_call` event with tokens (cache reads and writes counted as input, as
 * the gateway does), cost, latency and time to first token. What the app gets
 * back is unchanged.
 */
export function wrapAnthropic<Client extends object>(
  client: Client,
  options: WrapOptions = {},
): Client {
  const target = client as Client & AnthropicLike & { [wrappedMark]?: true };
  if (target[wrappedMark]) return client;
  instrumentMethod(target.messages, 'create', anthropicMessagesReader, options);
  instrumentMethod(target.beta?.messages, 'create', anthropicMessagesReader, options);
  Object.defineProperty(target, wrappedMark, { value: true });
  return client;
}
