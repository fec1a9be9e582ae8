import { LangfuseSpanProcessor } from '@langfuse/otel';
import { propagateAttributes, startActiveObservation, startObservation } from '@langfuse/tracing';
import { calculateCost } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventNamed, type ApiEvent } from '../run-events';
import {
  expectOneTree,
  runEvents,
  startProducerHarness,
  type ProducerHarness,
} from './producer-harness';

let harness: ProducerHarness;
let events: ApiEvent[];

beforeAll(async () => {
  // Langfuse's own processor and exporter, pointed at Tollgate as LANGFUSE_BASE_URL, with a
  // Tollgate project key as the secret key.
  harness = await startProducerHarness({
    spanProcessors: (server) => [
      new LangfuseSpanProcessor({
        publicKey: 'pk-lf-tollgate',
        secretKey: server.tenant.projectKey,
        baseUrl: server.url,
        exportMode: 'immediate',
      }),
    ],
  });
  const traceId = await startActiveObservation('handle-request', async (span) => {
    span.update({ input: { question: 'Weather in Lisbon?' } });
    await propagateAttributes({ userId: 'user-5', sessionId: 'session-5' }, async () => {
      const generation = startObservation(
        'llm-call',
        { model: 'gpt-4o-mini', input: [{ role: 'user', content: 'Weather in Lisbon?' }] },
        { asType: 'generation' },
      );
      generation.update({
        output: { role: 'assistant', content: 'Sunny.' },
        // Langfuse's details are disjoint: input leaves the cache reads out.
        usageDetails: { input: 100, output: 20, cache_read_input_tokens: 10 },
        // A client-side cost is never taken: Tollgate prices from its catalogue.
        costDetails: { total: 5 },
      });
      generation.end();
    });
    span.update({ output: 'Sunny.' });
    return span.traceId;
  });
  await harness.flush();
  events = await runEvents(harness.server, traceId);
}, 180_000);

afterAll(async () => {
  await harness?.close();
});

describe('@langfuse/otel and @langfuse/tracing 5.11 exporting to /api/public/otel/v1/traces', () => {
  it('stores the generation as a chat call priced from the catalogue, not the client cost', () => {
    const generation = eventNamed(events, 'llm-call');
    const usage = { inputTokens: 110, outputTokens: 20, cachedInputTokens: 10 };
    expect(generation).toMatchObject({
      event_type: 'prompt_call',
      model: 'gpt-4o-mini',
      input_tokens: 110,
      output_tokens: 20,
      cached_tokens: 10,
      cost_nanos: calculateCost('gpt-4o-mini', usage).costNanos,
      user_id: 'user-5',
      session_id: 'session-5',
      output: 'Sunny.',
    });
    expect(JSON.parse(generation.input as string)).toEqual([
      { role: 'user', content: 'Weather in Lisbon?' },
    ]);
  });

  it('stores the span observation as a custom event with its input and output, as the root', () => {
    const root = eventNamed(events, 'handle-request');
    expect(root).toMatchObject({ event_type: 'custom', output: 'Sunny.' });
    expect(JSON.parse(root.input as string)).toEqual({ question: 'Weather in Lisbon?' });
    expect(events).toHaveLength(2);
    expectOneTree(events, root.event_id);
  });

  it("answers the SDK's auth check with the key's project", async () => {
    const response = await fetch(`${harness.server.url}/api/public/projects`, {
      headers: {
        authorization: `Basic ${Buffer.from(`pk-lf-x:${harness.server.tenant.projectKey}`).toString('base64')}`,
      },
    });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Array<{ id: string }> };
    expect(data.map((project) => project.id)).toEqual([harness.server.tenant.projectId]);
  });

  it('refuses Basic credentials without a valid Tollgate key', async () => {
    const response = await fetch(`${harness.server.url}/api/public/otel/v1/traces`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('pk-lf-x:sk-lf-not-a-key').toString('base64')}`,
      },
      body: '{}',
    });
    expect(response.status).toBe(401);
  });
});
