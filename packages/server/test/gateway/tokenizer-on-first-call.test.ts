/**
 * The tokenizer's tables (~40 MB, ~0.5 s) are not loaded by starting the
 * server: an idle or ingest-only server never holds them. The first gateway
 * call loads them, and its token counts are the tokenizer's.
 */
import { countTokens } from 'gpt-tokenizer';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenCounterLoaded } from '../../src/tokens/token-counter';
import { startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

describe('the tokenizer', () => {
  it('is not loaded by start-up, and the first gateway call loads it', async () => {
    const ingest = await server.request('/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ event_type: 'prompt_call', model: 'gpt-4o-mini', latency_ms: 5 }]),
    });
    expect(ingest.status).toBe(200);
    expect(tokenCounterLoaded()).toBe(false);

    const openai = new OpenAI({ apiKey: server.tenant.projectKey, baseURL: `${server.url}/v1` });
    const content = 'Count the tokens of this prompt, please.';
    const completion = await openai.chat.completions.create({
      model: 'simulated/demo',
      messages: [{ role: 'user', content }],
    });
    expect(tokenCounterLoaded()).toBe(true);
    // OpenAI's chat framing: 3 tokens per message plus its role, and 3 to prime the reply.
    expect(completion.usage?.prompt_tokens).toBe(
      3 + countTokens('user') + countTokens(content) + 3,
    );
  });
});
