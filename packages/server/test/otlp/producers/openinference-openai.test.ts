import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { calculateCost } from '@tollgate/core';
import type OpenAIModule from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventNamed, type ApiEvent } from '../run-events';
import { UPSTREAM_ANSWER } from './openai-format-upstream';
import {
  expectOneTree,
  runEvents,
  startProducerHarness,
  type ProducerHarness,
} from './producer-harness';

const require = createRequire(import.meta.url);

let harness: ProducerHarness;
let events: ApiEvent[];

beforeAll(async () => {
  harness = await startProducerHarness({ encoding: 'json' });
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(harness.tracerProvider);
  const openai = require('openai') as typeof OpenAIModule;
  instrumentation.manuallyInstrument(openai);
  const client = new openai.OpenAI({ apiKey: 'sk-loopback', baseURL: harness.upstream.baseUrl });
  const traceId = await trace.getTracer('app').startActiveSpan('answer-question', async (root) => {
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Lisbon?' },
      ],
      user: 'user-17',
    });
    await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    root.end();
    return root.spanContext().traceId;
  });
  await harness.flush();
  instrumentation.disable();
  events = await runEvents(harness.server, traceId);
}, 180_000);

afterAll(async () => {
  await harness?.close();
});

describe('@arizeai/openinference-instrumentation-openai 4.2', () => {
  it('stores the LLM span as a priced chat call with cached and reasoning tokens', () => {
    const chat = eventNamed(events, 'OpenAI Chat Completions');
    const usage = {
      inputTokens: UPSTREAM_ANSWER.promptTokens,
      outputTokens: UPSTREAM_ANSWER.completionTokens,
      cachedInputTokens: UPSTREAM_ANSWER.cachedTokens,
    };
    expect(chat).toMatchObject({
      event_type: 'prompt_call',
      operation: 'chat',
      provider: 'openai',
      model: UPSTREAM_ANSWER.model,
      input_tokens: UPSTREAM_ANSWER.promptTokens,
      output_tokens: UPSTREAM_ANSWER.completionTokens,
      cached_tokens: UPSTREAM_ANSWER.cachedTokens,
      cost_nanos: calculateCost(UPSTREAM_ANSWER.model, usage).costNanos,
      cost_unpriced: false,
    });
    expect(chat.metadata.usage).toEqual({ reasoningTokens: UPSTREAM_ANSWER.reasoningTokens });
  });

  it('keeps the messages and the completion', () => {
    const chat = eventNamed(events, 'OpenAI Chat Completions');
    expect(JSON.parse(chat.input as string)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Lisbon?' },
    ]);
    // One assistant message of text is stored as its text, as the gateway stores answers.
    expect(chat.output).toBe(UPSTREAM_ANSWER.text);
    // Mapped attributes are not repeated in the metadata.
    expect(chat.metadata.attributes).not.toHaveProperty('llm.token_count.prompt');
    expect(chat.metadata.attributes).not.toHaveProperty('input.value');
  });

  it('stores the EMBEDDING span as an embedding call with its text', () => {
    const embedding = eventNamed(events, 'OpenAI Embeddings');
    expect(embedding).toMatchObject({
      event_type: 'prompt_call',
      operation: 'embedding',
      provider: 'openai',
      model: 'text-embedding-3-small',
      input: 'hello',
    });
  });

  it('nests the calls under the app span', () => {
    const root = eventNamed(events, 'answer-question');
    expect(events).toHaveLength(3);
    expectOneTree(events, root.event_id);
  });
});
