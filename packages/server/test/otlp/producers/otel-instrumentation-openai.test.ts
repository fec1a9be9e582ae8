import { createRequire } from 'node:module';
import { metrics, trace } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { calculateCost } from '@tollgate/core';
import type OpenAIModule from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventNamed, type ApiEvent } from '../run-events';
import { UPSTREAM_ANSWER } from './openai-format-upstream';
import {
  expectOneTree,
  listRunEvents,
  runEvents,
  startProducerHarness,
  type ProducerHarness,
} from './producer-harness';

// The instrumentation patches the CommonJS `openai` module as Node loads it.
const require = createRequire(import.meta.url);

let harness: ProducerHarness;
let traceId: string;
let events: ApiEvent[];

beforeAll(async () => {
  harness = await startProducerHarness({ encoding: 'protobuf' });
  const instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
  instrumentation.setTracerProvider(harness.tracerProvider);
  instrumentation.setLoggerProvider(harness.loggerProvider);
  // Its metric instruments are made here (class fields reset the constructor's).
  instrumentation.setMeterProvider(metrics.getMeterProvider());
  instrumentation.enable();
  const { OpenAI } = require('openai') as typeof OpenAIModule;
  const client = new OpenAI({ apiKey: 'sk-loopback', baseURL: harness.upstream.baseUrl });
  traceId = await trace.getTracer('app').startActiveSpan('answer-question', async (root) => {
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Lisbon?' },
      ],
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

describe('@opentelemetry/instrumentation-openai 0.21 (spans to /v1/traces, content as logs to /v1/logs)', () => {
  it('stores the chat call with its model, provider, tokens and the catalogue cost', () => {
    const chat = eventNamed(events, 'chat gpt-4o-mini');
    const cost = calculateCost(UPSTREAM_ANSWER.model, {
      inputTokens: UPSTREAM_ANSWER.promptTokens,
      outputTokens: UPSTREAM_ANSWER.completionTokens,
    });
    expect(chat).toMatchObject({
      event_type: 'prompt_call',
      operation: 'chat',
      provider: 'openai',
      model: UPSTREAM_ANSWER.model,
      model_requested: 'gpt-4o-mini',
      input_tokens: UPSTREAM_ANSWER.promptTokens,
      output_tokens: UPSTREAM_ANSWER.completionTokens,
      cost_nanos: cost.costNanos,
      cost_unpriced: false,
      service: 'drop-in-app',
    });
  });

  it('joins the prompt and completion log records into the chat call', () => {
    const chat = eventNamed(events, 'chat gpt-4o-mini');
    expect(JSON.parse(chat.input as string)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Lisbon?' },
    ]);
    expect(chat.output).toBe(UPSTREAM_ANSWER.text);
    // The content events are folded into their span's event, not listed beside it.
    expect(events.filter((event) => event.name.startsWith('gen_ai.'))).toEqual([]);
  });

  it('joins the content in the events listing too', async () => {
    const listed = await listRunEvents(harness.server, traceId);
    expect(eventNamed(listed, 'chat gpt-4o-mini').output).toBe(UPSTREAM_ANSWER.text);
  });

  it('stores the embeddings call priced from its input tokens', () => {
    const embedding = eventNamed(events, 'embeddings text-embedding-3-small');
    expect(embedding).toMatchObject({
      event_type: 'prompt_call',
      operation: 'embedding',
      provider: 'openai',
      model: 'text-embedding-3-small',
      input_tokens: UPSTREAM_ANSWER.embeddingTokens,
      cost_nanos: calculateCost('text-embedding-3-small', {
        inputTokens: UPSTREAM_ANSWER.embeddingTokens,
        outputTokens: 0,
      }).costNanos,
    });
  });

  it('nests the calls under the app span', () => {
    const root = eventNamed(events, 'answer-question');
    expect(events).toHaveLength(3);
    expectOneTree(events, root.event_id);
    expect(eventNamed(events, 'chat gpt-4o-mini').parent_id).toBe(root.event_id);
  });
});
