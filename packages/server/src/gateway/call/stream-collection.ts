/**
 * A stream's answer, collected and replayed. The collector rebuilds from the
 * chunks the full answer a non-streamed call would have given (text, refusal,
 * reasoning text, tool calls, finish reason, usage), per choice; the replay
 * turns a stored answer back into chunks a client's stream parser accepts:
 * per choice the role and text, then each tool call whole, then the finish,
 * then the usage.
 */
import type {
  OpenAIChatChoice,
  OpenAIChatChunk,
  OpenAIChatChunkDelta,
  OpenAIChatResponse,
  OpenAIChatResponseMessage,
  OpenAIFinishReason,
  OpenAIToolCall,
  OpenAIUsage,
} from '@tollgate/core';
import { DeliveredOutput } from './call-usage';

/** Text fields of a delta that are concatenated across chunks (reasoning: vLLM, DeepSeek, OpenRouter). */
const TEXT_FIELDS = ['content', 'refusal', 'reasoning_content', 'reasoning'] as const;

interface CollectedChoice {
  text: Partial<Record<(typeof TEXT_FIELDS)[number], string>>;
  toolCalls: Map<number, OpenAIToolCall>;
  finishReason: OpenAIFinishReason | null;
}

/** Gathers what a stream said, to record it, cache it and count its tokens when it reports no usage. */
export class StreamCollector {
  usage: OpenAIUsage | undefined;
  finished = false;
  /** Everything delivered that counts as output, for a usage the stream never reported. */
  readonly delivered = new DeliveredOutput();
  private readonly choices = new Map<number, CollectedChoice>();
  private id = '';
  private model = '';
  private created = 0;
  private systemFingerprint: string | undefined;

  add(chunk: OpenAIChatChunk): void {
    this.id ||= chunk.id;
    this.model ||= chunk.model;
    this.created ||= chunk.created;
    if (typeof chunk.system_fingerprint === 'string')
      this.systemFingerprint ??= chunk.system_fingerprint;
    if (chunk.usage) {
      this.usage = chunk.usage;
      this.finished = true;
    }
    this.delivered.add(chunk);
    for (const choice of chunk.choices) {
      const collected = this.choiceAt(choice.index);
      addDelta(collected, choice.delta);
      if (choice.finish_reason) {
        collected.finishReason = choice.finish_reason;
        if (choice.index === 0) this.finished = true;
      }
    }
  }

  /**
   * What the event records of the first choice: its text when that is all it
   * said, else its message as a non-streamed answer carries it (tool calls,
   * refusal, reasoning text).
   */
  get output(): string | OpenAIChatResponseMessage {
    const message = this.message;
    const onlyText = Object.keys(message).every((field) => field === 'role' || field === 'content');
    return onlyText ? (message.content ?? '') : message;
  }

  /** The first choice's message, as a non-streamed answer carries it (what the event records). */
  get message(): OpenAIChatResponseMessage {
    return messageOf(this.choiceAt(0));
  }

  toResponse(usage: OpenAIUsage): OpenAIChatResponse {
    const indexes = [...this.choices.keys()].sort((left, right) => left - right);
    if (indexes.length === 0) indexes.push(0);
    const response: OpenAIChatResponse = {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: indexes.map((index): OpenAIChatChoice => ({
        index,
        message: messageOf(this.choiceAt(index)),
        finish_reason: this.choiceAt(index).finishReason ?? 'stop',
        logprobs: null,
      })),
      usage,
    };
    if (this.systemFingerprint !== undefined) response.system_fingerprint = this.systemFingerprint;
    return response;
  }

  private choiceAt(index: number): CollectedChoice {
    let choice = this.choices.get(index);
    if (!choice) {
      choice = { text: {}, toolCalls: new Map(), finishReason: null };
      this.choices.set(index, choice);
    }
    return choice;
  }
}

function addDelta(choice: CollectedChoice, delta: OpenAIChatChunkDelta): void {
  for (const field of TEXT_FIELDS) {
    const piece = delta[field];
    if (typeof piece === 'string') choice.text[field] = (choice.text[field] ?? '') + piece;
  }
  for (const piece of delta.tool_calls ?? []) {
    let call = choice.toolCalls.get(piece.index);
    if (!call) {
      call = { id: '', type: 'function', function: { name: '', arguments: '' } };
      choice.toolCalls.set(piece.index, call);
    }
    if (piece.id) call.id = piece.id;
    if (piece.function?.name) call.function.name += piece.function.name;
    if (piece.function?.arguments) call.function.arguments += piece.function.arguments;
  }
}

function messageOf(choice: CollectedChoice): OpenAIChatResponseMessage {
  const toolCalls = [...choice.toolCalls.entries()]
    .sort(([left], [right]) => left - right)
    .map(([, call]) => call);
  const message: OpenAIChatResponseMessage = {
    role: 'assistant',
    content: choice.text.content ?? (toolCalls.length > 0 || choice.text.refusal ? null : ''),
  };
  if (choice.text.refusal !== undefined) message.refusal = choice.text.refusal;
  if (choice.text.reasoning_content !== undefined)
    message.reasoning_content = choice.text.reasoning_content;
  if (choice.text.reasoning !== undefined) message.reasoning = choice.text.reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

/** A cached answer replayed as a stream, every choice in order, then the usage. */
export async function* replayAsChunks(
  response: OpenAIChatResponse,
): AsyncGenerator<OpenAIChatChunk> {
  const base = {
    id: response.id,
    object: 'chat.completion.chunk' as const,
    created: response.created,
    model: response.model,
    ...(response.system_fingerprint ? { system_fingerprint: response.system_fingerprint } : {}),
  };
  for (const choice of response.choices) {
    const chunkOf = (
      delta: OpenAIChatChunkDelta,
      finishReason: OpenAIFinishReason | null = null,
    ): OpenAIChatChunk => ({
      ...base,
      choices: [{ index: choice.index, delta, finish_reason: finishReason }],
    });
    const { content, refusal, tool_calls: toolCalls, role: _role, ...extra } = choice.message;
    const reasoning = Object.fromEntries(
      Object.entries(extra).filter(
        ([field, value]) => TEXT_FIELDS.includes(field as never) && typeof value === 'string',
      ),
    );
    yield chunkOf({
      role: 'assistant',
      ...reasoning,
      ...(typeof refusal === 'string' ? { refusal } : {}),
      content: toolCalls?.length && !content ? null : (content ?? ''),
    });
    for (const [index, call] of (toolCalls ?? []).entries()) {
      yield chunkOf({
        tool_calls: [
          {
            index,
            id: call.id,
            type: 'function',
            function: { name: call.function.name, arguments: call.function.arguments },
          },
        ],
      });
    }
    yield chunkOf({}, choice.finish_reason ?? 'stop');
  }
  if (response.usage) yield { ...base, choices: [], usage: response.usage };
}
