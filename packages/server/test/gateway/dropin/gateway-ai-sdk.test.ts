/**
 * The Vercel AI SDK (`ai` + `@ai-sdk/openai`) pointed at the gateway: its
 * default OpenAI model speaks the Responses API, `.chat(model)` Chat
 * Completions; generateText, streamText and a tool loop, each checked on
 * what the SDK got and on what the gateway stored.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { calculateCost } from '@tollgate/core';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
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
let provider: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  gpt = await startOpenAIUpstream();
  gateway = await startGatewayServer([route('gpt', openAIDeployment('gpt', gpt))]);
  provider = createOpenAI({ baseURL: `${gateway.server.url}/v1`, apiKey: gateway.reader.key });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await gpt?.close();
});

function stored(requestId: string): Promise<PromptCallEvent & { name: string }> {
  return promptCallOf(gateway.reader, requestId) as Promise<PromptCallEvent & { name: string }>;
}

function expectCost(event: PromptCallEvent, cachedInputTokens = 0): void {
  expect(event.model).toBe('gpt-4o-mini');
  expect(event.cost_nanos).toBe(
    calculateCost('gpt-4o-mini', {
      inputTokens: event.input_tokens,
      outputTokens: event.output_tokens,
      ...(cachedInputTokens ? { cachedInputTokens } : {}),
    }).costNanos,
  );
  expect(event.cost_nanos).toBeGreaterThan(0);
}

const weather = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});

describe('the default OpenAI model (Responses API)', () => {
  it('generates text', async () => {
    gpt.script('text');
    const requestId = newRequestId('ai-sdk-generate');
    const result = await generateText({
      model: provider('gpt'),
      prompt: 'Say hello',
      headers: { 'x-request-id': requestId },
    });
    expect(gpt.lastRequest().url).toBe('/v1/chat/completions');
    expect(result.text).toBe('Hello! How can I help you today?');
    expect(result.usage.inputTokens).toBe(19);
    expect(result.usage.outputTokens).toBe(10);
    expect(result.finishReason).toBe('stop');
    const event = await stored(requestId);
    expect(event.name).toBe('responses');
    expect(event.input_tokens).toBe(19);
    expect(event.output_tokens).toBe(10);
    expectCost(event, 4);
  });

  it('streams text', async () => {
    gpt.script('text-stream');
    const requestId = newRequestId('ai-sdk-stream');
    const result = streamText({
      model: provider('gpt'),
      prompt: 'Say hello',
      headers: { 'x-request-id': requestId },
    });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Hello! How can I help you today?');
    const usage = await result.usage;
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(await result.finishReason).toBe('stop');
    const event = await stored(requestId);
    expect(event.name).toBe('responses');
    expect(event.output_tokens).toBe(usage.outputTokens);
    expectCost(event, usage.inputTokenDetails?.cacheReadTokens ?? 0);
  });

  it('runs a tool loop: the tool call, then the answer with its result', async () => {
    gpt.script('tool');
    gpt.script('text');
    const result = await generateText({
      model: provider('gpt'),
      prompt: 'Weather in Paris?',
      tools: { get_weather: weather },
      stopWhen: stepCountIs(3),
    });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({
      toolName: 'get_weather',
      input: { city: 'Paris' },
    });
    expect(result.steps[0]!.toolResults[0]!.output).toEqual({ city: 'Paris', celsius: 21 });
    expect(result.text).toBe('Hello! How can I help you today?');
    const followUp = gpt.lastRequest().json as { messages: Array<{ role: string }> };
    expect(followUp.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
  });

  it('streams a tool call', async () => {
    gpt.script('tool-stream');
    const result = streamText({
      model: provider('gpt'),
      prompt: 'Weather in Paris?',
      tools: {
        get_weather: tool({
          description: 'The weather in a city',
          inputSchema: z.object({ city: z.string() }),
        }),
      },
      toolChoice: 'required',
    });
    const calls = await result.toolCalls;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ toolName: 'get_weather', input: { city: 'Paris' } });
    expect(await result.finishReason).toBe('tool-calls');
  });
});

describe('a conversation continued with the messages of an earlier answer', () => {
  it('resolves the item references the SDK sends for them', async () => {
    gpt.script('text');
    const first = await generateText({ model: provider('gpt'), prompt: 'Say hello' });
    gpt.script('text');
    const second = await generateText({
      model: provider('gpt'),
      messages: [
        { role: 'user', content: 'Say hello' },
        ...first.response.messages,
        { role: 'user', content: 'Again' },
      ],
    });
    expect(second.text).toBe('Hello! How can I help you today?');
    const sent = (gpt.lastRequest().json as { messages: Array<{ role: string }> }).messages;
    expect(sent.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    // The SDK sent the earlier answer as an item_reference: the gateway filled it in.
    expect(sent[1]).toEqual({ role: 'assistant', content: 'Hello! How can I help you today?' });
  });
});

describe('.chat(model) (Chat Completions)', () => {
  it('generates text, recorded as chat.completions', async () => {
    gpt.script('text');
    const requestId = newRequestId('ai-sdk-chat');
    const result = await generateText({
      model: provider.chat('gpt'),
      prompt: 'Say hello',
      headers: { 'x-request-id': requestId },
    });
    expect(result.text).toBe('Hello! How can I help you today?');
    expect(result.usage.inputTokens).toBe(19);
    const event = await stored(requestId);
    expect(event.name).toBe('chat.completions');
    expectCost(event, 4);
  });

  it('streams a tool loop', async () => {
    gpt.script('tool-stream');
    gpt.script('text-stream');
    const result = streamText({
      model: provider.chat('gpt'),
      prompt: 'Weather in Paris?',
      tools: { get_weather: weather },
      stopWhen: stepCountIs(3),
    });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    const steps = await result.steps;
    expect(steps[0]!.toolCalls[0]).toMatchObject({ input: { city: 'Paris' } });
    expect(text).toBe('Hello! How can I help you today?');
  });
});
