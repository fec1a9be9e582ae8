/**
 * A gateway call resolves its route once: the admission check resolves it for
 * per-route rate limits and hands it to the call, which does not resolve it
 * again (each resolution is a cache lookup, a key and a promise per call).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

describe('gateway route resolution', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await server?.close();
  });

  it('resolves the route once per chat call, streamed or not, and once per embedding call', async () => {
    const resolve = vi.spyOn(server.app.gateway.routeTable, 'resolve');
    const chat = await postJson(server, '/v1/chat/completions', {
      model: 'simulated/route-once',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(chat.status).toBe(200);
    expect(resolve.mock.calls).toEqual([[server.tenant.orgId, 'simulated/route-once']]);

    resolve.mockClear();
    const stream = await postJson(server, '/v1/chat/completions', {
      model: 'simulated/route-once',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    });
    expect(stream.status).toBe(200);
    expect(await stream.text()).toContain('data: [DONE]');
    expect(resolve).toHaveBeenCalledTimes(1);

    resolve.mockClear();
    const embedding = await postJson(server, '/v1/embeddings', {
      model: 'simulated/route-once',
      input: 'hello',
    });
    expect(embedding.status).toBe(200);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('still answers an unknown model with a 404 naming the model field', async () => {
    const response = await postJson(server, '/v1/chat/completions', {
      model: 'no-such-model',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { param: string; code: string } };
    expect(body.error).toMatchObject({ param: 'model', code: 'model_not_found' });
  });
});
