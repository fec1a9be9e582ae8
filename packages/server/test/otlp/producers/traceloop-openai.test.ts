import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
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
  harness = await startProducerHarness({ encoding: 'protobuf' });
  const instrumentation = new OpenAIInstrumentation({ traceContent: true });
  instrumentation.setTracerProvider(harness.tracerProvider);
  const openai = require('openai') as typeof OpenAIModule;
  instrumentation.manuallyInstrument(openai.OpenAI as never);
  const client = new openai.OpenAI({ apiKey: 'sk-loopback', baseURL: harness.upstream.baseUrl });
  const traceId = await trace.getTracer('app').startActiveSpan('answer-question', async (root) => {
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Lisbon?' }],
    });
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

describe('@traceloop/instrumentation-openai 0.27 (OpenLLMetry)', () => {
  it('stores the chat span priced, with its content', () => {
    const chat = eventNamed(events, 'chat gpt-4o-mini');
    expect(chat).toMatchObject({
      event_type: 'prompt_call',
      operation: 'chat',
      provider: 'openai',
      model: UPSTREAM_ANSWER.model,
      model_requested: 'gpt-4o-mini',
      input_tokens: UPSTREAM_ANSWER.promptTokens,
      output_tokens: UPSTREAM_ANSWER.completionTokens,
      cost_nanos: calculateCost(UPSTREAM_ANSWER.model, {
        inputTokens: UPSTREAM_ANSWER.promptTokens,
        outputTokens: UPSTREAM_ANSWER.completionTokens,
      }).costNanos,
      output: UPSTREAM_ANSWER.text,
    });
    expect(JSON.parse(chat.input as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Lisbon?' }] },
    ]);
    expect(chat.metadata.attributes).not.toHaveProperty('gen_ai.usage.total_tokens');
  });

  it('nests the call under the app span', () => {
    const root = eventNamed(events, 'answer-question');
    expect(events).toHaveLength(2);
    expectOneTree(events, root.event_id);
  });
});
