/**
 * Requests Fastify refuses before any handler runs still get Tollgate's error
 * format, never Fastify's own body or a 500 (found by the hostile-input chaos
 * scenario): a path parameter over the router's limit, and a gateway body over
 * the size limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';

const MAX_BYTES = 4_096;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ environment: { TOLLGATE_INGEST_MAX_BYTES: String(MAX_BYTES) } });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('framework errors', () => {
  it('answers a path parameter longer than the router accepts with 400 invalid_request', async () => {
    const response = await server.request(`/api/v1/events/${'x'.repeat(500)}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ score: 1 }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'a path parameter is longer than the router accepts',
      },
    });
  });

  it('answers a gateway body over the size limit with 413 in OpenAI format', async () => {
    const response = await server.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'simulated/big',
        messages: [{ role: 'user', content: 'x'.repeat(MAX_BYTES) }],
      }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('payload_too_large');
    expect(body.error.message).toMatch(/too large/i);
  });
});
