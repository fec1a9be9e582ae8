import { countsOfOpenAIChat, countsOfOpenAIResponses } from '../tracking/usage';
import { estimateTokens } from './estimate-tokens';
import type { CallFacts, CallReader, StreamCollector } from './instrument-call';

/** The parts of OpenAI's request and response shapes the readers look at (no import of `openai`). */
interface ChatParams {
  model?: string;
  messages?: unknown[];
  stream?: boolean | null;
}

interface ChatCompletion {
  model?: string;
  usage?: Record<string, unknown> | null;
  choices?: { index?: number; message?: unknown }[];
}

interface ChatChunk {
  model?: string;
  usage?: Record<string, unknown> | null;
  choices?: {
    index?: number;
    delta?: {
      content?: string | null;
      tool_calls?: { index?: number; function?: { name?: string; arguments?: string } }[];
    };
  }[];
}

type Record_ = Record<string, unknown>;

const copy = (value: unknown): unknown => (Array.isArray(value) ? value.slice() : value);

export const openAIChatReader: CallReader<ChatParams, ChatCompletion, ChatChunk> = {
  provider: 'openai',
  name: 'chat.completions.create',
  operation: 'chat',
  modelOf: (params) => params?.model,
  isStream: (params) => params?.stream === true,
  inputOf: (params) => copy(params?.messages),
  fromResult: (result) => ({
    model: result?.model,
    counts: result?.usage ? countsOfOpenAIChat(result.usage) : undefined,
    output: result?.choices?.[0]?.message,
  }),
  collector: (params) => new OpenAIChatCollector(params),
};

class OpenAIChatCollector implements StreamCollector<ChatChunk> {
  private model: string | undefined;
  private usage: Record_ | undefined;
  private text = '';
  private readonly toolCalls: { name: string; arguments: string }[] = [];

  constructor(private readonly params: ChatParams) {}

  add(chunk: ChatChunk): void {
    this.model ??= chunk.model;
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if ((choice.index ?? 0) !== 0) continue;
      const delta = choice.delta;
      if (typeof delta?.content === 'string') this.text += delta.content;
      for (const call of delta?.tool_calls ?? []) {
        const slot = (this.toolCalls[call.index ?? 0] ??= { name: '', arguments: '' });
        slot.name += call.function?.name ?? '';
        slot.arguments += call.function?.arguments ?? '';
      }
    }
  }

  facts(): CallFacts {
    const output =
      this.toolCalls.length > 0
        ? { content: this.text || null, tool_calls: this.toolCalls }
        : this.text;
    if (this.usage) return { model: this.model, counts: countsOfOpenAIChat(this.usage), output };
    return {
      model: this.model,
      output,
      counts: {
        inputTokens: estimateTokens(this.params.messages),
        outputTokens:
          estimateTokens(this.text) +
          estimateTokens(this.toolCalls.length ? this.toolCalls : undefined),
        cachedTokens: 0,
      },
      metadata: { usage_estimated: true },
    };
  }
}

interface EmbeddingParams {
  model?: string;
  input?: unknown;
}

interface EmbeddingResponse {
  model?: string;
  usage?: Record_;
  data?: { embedding?: unknown }[];
}

export const openAIEmbeddingsReader: CallReader<EmbeddingParams, EmbeddingResponse, never> = {
  provider: 'openai',
  name: 'embeddings.create',
  operation: 'embedding',
  modelOf: (params) => params?.model,
  isStream: () => false,
  inputOf: (params) => copy(params?.input),
  fromResult: (result) => {
    const first = result?.data?.[0]?.embedding;
    return {
      model: result?.model,
      counts: result?.usage ? countsOfOpenAIChat(result.usage) : undefined,
      metadata: {
        embeddings: result?.data?.length ?? 0,
        ...(Array.isArray(first) ? { dimensions: first.length } : {}),
      },
    };
  },
  collector: () => ({ add: () => undefined, facts: () => ({}) }),
};

interface ResponsesParams {
  model?: string;
  input?: unknown;
  instructions?: string | null;
  stream?: boolean | null;
}

interface ResponsesResult {
  model?: string;
  usage?: Record_ | null;
  output_text?: string;
  output?: unknown;
}

interface ResponsesEvent {
  type?: string;
  delta?: string;
  response?: ResponsesResult;
}

export const openAIResponsesReader: CallReader<ResponsesParams, ResponsesResult, ResponsesEvent> = {
  provider: 'openai',
  name: 'responses.create',
  operation: 'chat',
  modelOf: (params) => params?.model,
  isStream: (params) => params?.stream === true,
  inputOf: (params) =>
    params?.instructions
      ? { instructions: params.instructions, input: copy(params.input) }
      : copy(params?.input),
  fromResult: (result) => ({
    model: result?.model,
    counts: result?.usage ? countsOfOpenAIResponses(result.usage) : undefined,
    output: typeof result?.output_text === 'string' ? result.output_text : result?.output,
  }),
  collector: () => {
    let text = '';
    let final: ResponsesResult | undefined;
    let model: string | undefined;
    return {
      add(event) {
        if (event.type === 'response.output_text.delta' && typeof event.delta === 'string') {
          text += event.delta;
        }
        if (event.response) {
          model ??= event.response.model;
          if (event.response.usage) final = event.response;
        }
      },
      facts: () => ({
        model: final?.model ?? model,
        counts: final?.usage ? countsOfOpenAIResponses(final.usage) : undefined,
        output: text,
      }),
    };
  },
};
