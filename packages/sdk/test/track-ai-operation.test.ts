import { describe, expect, it } from 'vitest';
import { trackAIOperation, type EventInput } from '../src';
import { fakeTollgate } from './fake-tollgate';

type Recorded = EventInput & Record<string, unknown>;

describe('trackAIOperation', () => {
  it('returns the result and records the usage of an OpenAI response, not a price', async () => {
    const tollgate = fakeTollgate();
    const response = {
      usage: {
        prompt_tokens: 1000,
        completion_tokens: 500,
        prompt_tokens_details: { cached_tokens: 200 },
        completion_tokens_details: { reasoning_tokens: 300 },
      },
    };
    const result = await trackAIOperation(async () => response, {
      operationType: 'chat',
      model: 'gpt-4o',
      clientId: 'acme',
      name: 'summarize',
      tollgate,
    });
    expect(result).toBe(response);
    const [event] = tollgate.events as Recorded[];
    expect(event).toMatchObject({
      event_type: 'prompt_call',
      operation: 'chat',
      name: 'summarize',
      model: 'gpt-4o',
      user_id: 'acme',
      status: 'success',
      input_tokens: 1000,
      output_tokens: 500,
      cached_tokens: 200,
      reasoning_tokens: 300,
    });
    // The server prices the event with the org's prices: the SDK sends no list-price figure.
    expect(event).not.toHaveProperty('cost_usd');
  });

  it('reads Anthropic usage with cache reads and writes as input', async () => {
    const tollgate = fakeTollgate();
    await trackAIOperation(
      () => ({
        usage: {
          input_tokens: 10,
          cache_read_input_tokens: 30,
          cache_creation_input_tokens: 5,
          cache_creation: { ephemeral_5m_input_tokens: 3, ephemeral_1h_input_tokens: 2 },
          output_tokens: 7,
        },
      }),
      { model: 'claude-opus-4-1', tollgate },
    );
    expect(tollgate.events[0]).toMatchObject({
      input_tokens: 45,
      cached_tokens: 30,
      cache_write_5m_tokens: 3,
      cache_write_1h_tokens: 2,
      output_tokens: 7,
    });
  });

  it('uses the estimated cost when no price is known, and a word that is no operation kind as the name', async () => {
    const tollgate = fakeTollgate();
    await trackAIOperation(() => 'done', {
      operationType: 'video-render',
      model: 'in-house-model',
      estimatedCostUsd: 0.25,
      tollgate,
    });
    const [event] = tollgate.events as Recorded[];
    expect(event).toMatchObject({ name: 'video-render', cost_usd: 0.25 });
    expect(event!.operation).toBeUndefined();
  });

  it('rethrows the error unchanged and records it, timeouts as timeouts', async () => {
    const tollgate = fakeTollgate();
    const failure = new DOMException('too slow', 'TimeoutError');
    await expect(
      trackAIOperation(() => Promise.reject(failure), { model: 'gpt-4o', tollgate }),
    ).rejects.toBe(failure);
    expect(tollgate.events[0]).toMatchObject({ status: 'timeout', error_message: 'too slow' });
  });

  it('runs without any Tollgate client, and a throwing recorder never reaches the app', async () => {
    await expect(trackAIOperation(() => 1)).resolves.toBe(1);
    const broken = {
      ...fakeTollgate(),
      record: () => {
        throw new Error('down');
      },
    };
    await expect(trackAIOperation(() => 2, { tollgate: broken })).resolves.toBe(2);
  });
});
