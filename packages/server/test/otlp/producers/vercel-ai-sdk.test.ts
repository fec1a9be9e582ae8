import { createOpenAI } from '@ai-sdk/openai';
import { calculateCost } from '@tollgate/core';
import { embed, generateText, stepCountIs, tool } from 'ai';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventNamed, type ApiEvent } from '../run-events';
import { UPSTREAM_ANSWER } from './openai-format-upstream';
import {
  expectOneTree,
  runEvents,
  startProducerHarness,
  type ProducerHarness,
} from './producer-harness';

let harness: ProducerHarness;
let textEvents: ApiEvent[];
let embedEvents: ApiEvent[];
let toolEvents: ApiEvent[];

/** The trace id of the spans the AI SDK made for one call, found by its root span's name. */
async function traceOf(name: string): Promise<string> {
  const response = await harness.server.request(`/api/v1/events?limit=1000`);
  const { events } = (await response.json()) as { events: ApiEvent[] };
  return eventNamed(events, name).run_id as string;
}

beforeAll(async () => {
  harness = await startProducerHarness({ encoding: 'json' });
  const openai = createOpenAI({ apiKey: 'sk-loopback', baseURL: harness.upstream.baseUrl });
  const result = await generateText({
    model: openai.chat('gpt-4o-mini'),
    system: 'Be brief.',
    prompt: 'Weather in Lisbon?',
    experimental_telemetry: {
      isEnabled: true,
      functionId: 'weather',
      metadata: { userId: 'user-9', sessionId: 'session-9' },
    },
  });
  expect(result.text).toBe(UPSTREAM_ANSWER.text);
  await embed({
    model: openai.embedding('text-embedding-3-small'),
    value: 'hello',
    experimental_telemetry: { isEnabled: true },
  });
  await generateText({
    model: openai.chat('gpt-4o-mini'),
    prompt: 'Weather in Lisbon?',
    tools: {
      get_weather: tool({
        description: 'The weather in a city',
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }) => ({ city, celsius: 21 }),
      }),
    },
    stopWhen: stepCountIs(2),
    experimental_telemetry: { isEnabled: true, functionId: 'weather-agent' },
  });
  await harness.flush();
  const runs = await harness.server.request(`/api/v1/events?limit=1000`);
  const listed = ((await runs.json()) as { events: ApiEvent[] }).events;
  const runOf = (functionId: string) =>
    listed.find(
      (event) =>
        event.name === 'ai.generateText' &&
        event.metadata.attributes?.['ai.telemetry.functionId'] === functionId,
    )!.run_id as string;
  textEvents = await runEvents(harness.server, runOf('weather'));
  toolEvents = await runEvents(harness.server, runOf('weather-agent'));
  embedEvents = await runEvents(harness.server, await traceOf('ai.embed'));
}, 180_000);

afterAll(async () => {
  await harness?.close();
});

describe('ai 6 (Vercel AI SDK experimental_telemetry)', () => {
  it('counts the provider call (doGenerate) as the model call, priced with cached tokens', () => {
    const call = eventNamed(textEvents, 'ai.generateText.doGenerate');
    const usage = {
      inputTokens: UPSTREAM_ANSWER.promptTokens,
      outputTokens: UPSTREAM_ANSWER.completionTokens,
      cachedInputTokens: UPSTREAM_ANSWER.cachedTokens,
    };
    expect(call).toMatchObject({
      event_type: 'prompt_call',
      operation: 'chat',
      // gen_ai.system is "openai.chat": the provider is openai.
      provider: 'openai',
      model: UPSTREAM_ANSWER.model,
      model_requested: 'gpt-4o-mini',
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cached_tokens: usage.cachedInputTokens,
      cost_nanos: calculateCost(UPSTREAM_ANSWER.model, usage).costNanos,
      user_id: 'user-9',
      session_id: 'session-9',
      output: UPSTREAM_ANSWER.text,
    });
    expect(call.metadata.usage).toEqual({ reasoningTokens: UPSTREAM_ANSWER.reasoningTokens });
    expect(JSON.parse(call.input as string)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather in Lisbon?' }] },
    ]);
  });

  it('keeps the generateText span around it as a custom event that is not counted again', () => {
    const wrapper = eventNamed(textEvents, 'ai.generateText');
    expect(wrapper).toMatchObject({
      event_type: 'custom',
      input_tokens: 0,
      cost_nanos: 0,
      user_id: 'user-9',
      output: UPSTREAM_ANSWER.text,
    });
    expect(textEvents.filter((event) => event.event_type === 'prompt_call')).toHaveLength(1);
    expectOneTree(textEvents, wrapper.event_id);
    expect(eventNamed(textEvents, 'ai.generateText.doGenerate').parent_id).toBe(wrapper.event_id);
  });

  it('records the tool the model called, between the two model calls of the loop', () => {
    const toolCall = eventNamed(toolEvents, 'ai.toolCall');
    expect(toolCall).toMatchObject({ event_type: 'tool_call', tool_name: 'get_weather' });
    expect(JSON.parse(toolCall.input as string)).toEqual({ city: 'Lisbon' });
    expect(JSON.parse(toolCall.output as string)).toEqual({ city: 'Lisbon', celsius: 21 });
    const calls = toolEvents.filter((event) => event.event_type === 'prompt_call');
    expect(calls).toHaveLength(2);
    // The first call's completion is the tool call the model asked for.
    expect(calls.map((call) => call.output as string).join('\n')).toContain('get_weather');
    expectOneTree(toolEvents, eventNamed(toolEvents, 'ai.generateText').event_id);
  });

  it('counts an embedding once, with its tokens, under the embed span', () => {
    const calls = embedEvents.filter((event) => event.event_type === 'prompt_call');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      name: 'ai.embed.doEmbed',
      operation: 'embedding',
      provider: 'openai',
      model: 'text-embedding-3-small',
      input_tokens: UPSTREAM_ANSWER.embeddingTokens,
      input: 'hello',
      cost_nanos: calculateCost('text-embedding-3-small', {
        inputTokens: UPSTREAM_ANSWER.embeddingTokens,
        outputTokens: 0,
      }).costNanos,
    });
    expectOneTree(embedEvents, eventNamed(embedEvents, 'ai.embed').event_id);
  });
});
