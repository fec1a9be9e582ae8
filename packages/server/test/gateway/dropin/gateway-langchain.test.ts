/**
 * LangChain's `ChatOpenAI` (`@langchain/openai`) pointed at the gateway:
 * invoke, stream and tool calls, checked on what LangChain got and on what
 * the gateway stored.
 */
import { ChatOpenAI } from '@langchain/openai';
import { calculateCost } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openAIDeployment,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../../helpers/gateway-server';
import { newRequestId, promptCallOf, type PromptCallEvent } from '../gateway-call-records';
import { startOpenAIUpstream } from '../../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../../helpers/upstreams/scripted-upstream';

let gateway: GatewayServer;
let gpt: ScriptedUpstream;

beforeAll(async () => {
  gpt = await startOpenAIUpstream();
  gateway = await startGatewayServer([route('gpt', openAIDeployment('gpt', gpt))]);
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await gpt?.close();
});

function chatModel(requestId: string, options: { useResponsesApi?: boolean } = {}): ChatOpenAI {
  return new ChatOpenAI({
    model: 'gpt',
    apiKey: gateway.reader.key,
    maxRetries: 0,
    configuration: {
      baseURL: `${gateway.server.url}/v1`,
      defaultHeaders: { 'x-request-id': requestId },
    },
    ...options,
  });
}

function stored(requestId: string): Promise<PromptCallEvent & { name: string }> {
  return promptCallOf(gateway.reader, requestId) as Promise<PromptCallEvent & { name: string }>;
}

function expectCost(event: PromptCallEvent, cachedInputTokens: number): void {
  expect(event.model).toBe('gpt-4o-mini');
  expect(event.cost_nanos).toBe(
    calculateCost('gpt-4o-mini', {
      inputTokens: event.input_tokens,
      outputTokens: event.output_tokens,
      cachedInputTokens,
    }).costNanos,
  );
}

describe('ChatOpenAI through the gateway', () => {
  it('invokes', async () => {
    gpt.script('text');
    const requestId = newRequestId('langchain-invoke');
    const message = await chatModel(requestId).invoke('Say hello');
    expect(message.content).toBe('Hello! How can I help you today?');
    expect(message.usage_metadata).toMatchObject({ input_tokens: 19, output_tokens: 10 });
    const event = await stored(requestId);
    expect(event.name).toBe('chat.completions');
    expect(event.input_tokens).toBe(19);
    expect(event.output_tokens).toBe(10);
    expectCost(event, 4);
  });

  it('streams, with usage', async () => {
    gpt.script('text-stream');
    const requestId = newRequestId('langchain-stream');
    let text = '';
    let outputTokens = 0;
    for await (const chunk of await chatModel(requestId).stream('Say hello')) {
      text += typeof chunk.content === 'string' ? chunk.content : '';
      outputTokens += chunk.usage_metadata?.output_tokens ?? 0;
    }
    expect(text).toBe('Hello! How can I help you today?');
    const event = await stored(requestId);
    expect(event.name).toBe('chat.completions');
    expect(event.output_tokens).toBe(outputTokens);
    expect(outputTokens).toBeGreaterThan(0);
  });

  it('calls a bound tool', async () => {
    gpt.script('tool');
    const requestId = newRequestId('langchain-tool');
    const model = chatModel(requestId).bindTools([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'The weather in a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ]);
    const message = await model.invoke('Weather in Paris?');
    expect(message.tool_calls).toMatchObject([{ name: 'get_weather', args: { city: 'Paris' } }]);
    const event = await stored(requestId);
    expect(JSON.parse(event.output).tool_calls[0].function.name).toBe('get_weather');
  });

  it('invokes through the Responses API (useResponsesApi)', async () => {
    gpt.script('text');
    const requestId = newRequestId('langchain-responses');
    const message = await chatModel(requestId, { useResponsesApi: true }).invoke('Say hello');
    expect(message.text).toBe('Hello! How can I help you today?');
    expect(message.usage_metadata).toMatchObject({ input_tokens: 19, output_tokens: 10 });
    const event = await stored(requestId);
    expect(event.name).toBe('responses');
    expectCost(event, 4);
  });
});
