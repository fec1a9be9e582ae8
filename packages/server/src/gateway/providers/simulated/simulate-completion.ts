import { createUsage, maxOutputTokens } from '@tollgate/core';
import type {
  OpenAIChatRequest,
  OpenAIFinishReason,
  OpenAIToolCall,
  OpenAIUsage,
} from '@tollgate/core';
import type { TokenCounter } from '../../../tokens/token-counter';
import type { SimulatedOptions } from './simulated-options';
import { seededRandom } from './simulated-random';
import type { SeededRandom } from './simulated-random';
import { simulatedProse, simulatedValue } from './simulated-text';

export const SIMULATED_SYSTEM_FINGERPRINT = 'tollgate-simulated';

export interface SimulatedChoice {
  content: string | null;
  toolCalls: OpenAIToolCall[] | undefined;
  finishReason: OpenAIFinishReason;
}

export interface SimulatedCompletion {
  id: string;
  choices: SimulatedChoice[];
  usage: OpenAIUsage;
}

/**
 * The simulated answer to a request: a function of the request alone (not of
 * `stream`), so the same request always gets the same answer, streamed or not.
 * Token counts come from the real tokenizer; the output length comes from the
 * request's hash, within the deployment's bounds and the request's `max_tokens`.
 */
export function simulateCompletion(
  request: OpenAIChatRequest,
  model: string,
  counter: TokenCounter,
  options: SimulatedOptions,
): SimulatedCompletion {
  const { stream: _stream, stream_options: _streamOptions, ...answered } = request;
  const seed = JSON.stringify({ ...answered, model });
  const choices: SimulatedChoice[] = [];
  let completionTokens = 0;
  for (let index = 0; index < (request.n ?? 1); index++) {
    const random = seededRandom(index === 0 ? seed : `${seed}#${index}`);
    const { choice, tokens } = simulateChoice(request, random, counter, options);
    choices.push(choice);
    completionTokens += tokens;
  }
  return {
    id: `chatcmpl-sim-${seededRandom(seed).hex.slice(0, 24)}`,
    choices,
    usage: createUsage(counter.countPrompt(request), completionTokens, { cachedTokens: 0 }),
  };
}

function simulateChoice(
  request: OpenAIChatRequest,
  random: SeededRandom,
  counter: TokenCounter,
  options: SimulatedOptions,
): { choice: SimulatedChoice; tokens: number } {
  const tool = chooseTool(request, random);
  if (tool) {
    const call: OpenAIToolCall = {
      id: `call_${random.hex.slice(0, 24)}`,
      type: 'function',
      function: {
        name: tool.function.name,
        arguments: JSON.stringify(
          simulatedValue(random, tool.function.parameters ?? { type: 'object' }),
        ),
      },
    };
    const tokens =
      counter.countText(call.function.name) + counter.countText(call.function.arguments);
    return { choice: { content: null, toolCalls: [call], finishReason: 'tool_calls' }, tokens };
  }
  const target = random.integer(options.minOutputTokens, options.maxOutputTokens);
  const format = request.response_format;
  let content =
    format?.type === 'json_schema'
      ? JSON.stringify(simulatedValue(random, format.json_schema.schema ?? { type: 'object' }))
      : format?.type === 'json_object'
        ? JSON.stringify({ answer: simulatedProse(random, target) })
        : simulatedProse(random, target);
  let tokens = counter.countText(content);
  const limit = maxOutputTokens(request);
  let finishReason: OpenAIFinishReason = 'stop';
  if (limit !== undefined && tokens > limit) {
    content = counter.truncate(content, limit);
    tokens = counter.countText(content);
    finishReason = 'length';
  }
  return { choice: { content, toolCalls: undefined, finishReason }, tokens };
}

/**
 * The tool to call, if any: the named one, any one when calls are required,
 * and with `auto` every other request (by hash), but never right after a tool
 * result, so an agent loop ends.
 */
function chooseTool(request: OpenAIChatRequest, random: SeededRandom) {
  const tools = request.tools ?? [];
  const choice = request.tool_choice;
  if (tools.length === 0 || choice === 'none') return undefined;
  if (typeof choice === 'object')
    return tools.find((tool) => tool.function.name === choice.function.name);
  const toss = random.next();
  if (choice !== 'required') {
    if (request.messages.at(-1)?.role === 'tool' || toss < 0.5) return undefined;
  }
  return random.pick(tools);
}
