/**
 * Every gateway endpoint places its call in a run from the same headers and
 * body fields (`x-tollgate-run-id`, `-parent-id`, `-session-id`, `-user-id`,
 * OpenAI's `user`), and refuses a header that is not a sane id with a 400
 * naming it, in the endpoint's wire format, instead of replacing it.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface StoredCall {
  request_id: string;
  run_id: string;
  parent_id: string;
  session_id: string;
  user_id: string;
  operation: string;
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

function post(path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return server.request(path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** The one prompt_call event of a run, read through the events API (recording is asynchronous). */
async function callOfRun(runId: string): Promise<StoredCall> {
  for (let tries = 0; tries < 200; tries += 1) {
    const response = await server.request(
      `/api/v1/events?event_type=prompt_call&run_id=${encodeURIComponent(runId)}`,
    );
    const { events } = (await response.json()) as { events: StoredCall[] };
    if (events.length > 1) throw new Error(`${events.length} events in run ${runId}`);
    if (events[0]) return events[0];
    await sleep(50);
  }
  throw new Error(`nothing recorded in run ${runId}`);
}

describe('gateway call trace', () => {
  it('records an embedding in the run, parent, session and user its headers name', async () => {
    const runId = `run-${randomUUID()}`;
    const response = await post(
      '/v1/embeddings',
      { model: 'simulated/embed', input: 'hello' },
      {
        'x-tollgate-run-id': runId,
        'x-tollgate-parent-id': 'step-7',
        'x-tollgate-session-id': 'session-3',
        'x-tollgate-user-id': 'customer-42',
      },
    );
    expect(response.status).toBe(200);
    const call = await callOfRun(runId);
    expect(call).toMatchObject({
      run_id: runId,
      parent_id: 'step-7',
      session_id: 'session-3',
      user_id: 'customer-42',
      operation: 'embedding',
    });
  });

  it("takes an embedding's user from OpenAI's `user` when no header names one", async () => {
    const runId = `run-${randomUUID()}`;
    const response = await post(
      '/v1/embeddings',
      { model: 'simulated/embed', input: 'hello', user: 'body-user-9' },
      { 'x-tollgate-run-id': runId },
    );
    expect(response.status).toBe(200);
    expect((await callOfRun(runId)).user_id).toBe('body-user-9');
  });

  it.each([
    ['/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }] }],
    ['/v1/embeddings', { input: 'hi' }],
  ])(
    'refuses a run id with a space on %s in OpenAI’s shape, naming the header',
    async (path, body) => {
      const response = await post(
        path,
        { model: 'simulated/trace', ...body },
        { 'x-tollgate-run-id': 'my run' },
      );
      expect(response.status).toBe(400);
      const answer = (await response.json()) as {
        error: { type: string; param: string; message: string };
      };
      expect(answer.error.type).toBe('invalid_request_error');
      expect(answer.error.param).toBe('x-tollgate-run-id');
      expect(answer.error.message).toContain('x-tollgate-run-id');
    },
  );

  it('refuses a bad user header on /v1/messages in Anthropic’s shape, naming the header', async () => {
    const response = await post(
      '/v1/messages',
      { model: 'simulated/trace', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-tollgate-user-id': 'x'.repeat(129) },
    );
    expect(response.status).toBe(400);
    const answer = (await response.json()) as {
      type: string;
      error: { type: string; message: string };
    };
    expect(answer.type).toBe('error');
    expect(answer.error.type).toBe('invalid_request_error');
    expect(answer.error.message).toContain('x-tollgate-user-id');
  });

  it('records a chat call with the session and parent its headers name', async () => {
    const runId = `run-${randomUUID()}`;
    const response = await post(
      '/v1/chat/completions',
      { model: 'simulated/trace', messages: [{ role: 'user', content: 'hi' }], user: 'body-user' },
      { 'x-tollgate-run-id': runId, 'x-tollgate-parent-id': 'p-1', 'x-tollgate-session-id': 's-1' },
    );
    expect(response.status).toBe(200);
    expect(await callOfRun(runId)).toMatchObject({
      parent_id: 'p-1',
      session_id: 's-1',
      user_id: 'body-user',
      operation: 'chat',
    });
  });
});
