import { createEventId } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
/** A project key (scope ingest) of another organization. */
let foreignKey: string;
const ratedId = createEventId();

interface ErrorBody {
  error: { code: string; message: string; details?: { field?: string } };
}

async function json<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text) as T;
}

function feedback(body: unknown, eventId = ratedId, key?: string): Promise<Response> {
  return postJson(server, `/api/v1/events/${eventId}/feedback`, body, key);
}

beforeAll(async () => {
  server = await startTestServer();
  await json(
    await postJson(server, '/api/v1/events', [
      {
        event_id: ratedId,
        event_type: 'prompt_call',
        run_id: 'run-feedback',
        user_id: 'user-7',
        model: 'gpt-4o-mini',
        prompt_name: 'summarize',
        prompt_version: 3,
      },
    ]),
    200,
  );
  const org = await json<{ admin_key: { secret: string } }>(
    await postJson(server, '/api/v1/admin/orgs', { name: 'globex' }, server.tenant.adminKey),
    201,
  );
  const project = await json<{ id: string }>(
    await postJson(server, '/api/v1/admin/projects', { name: 'app' }, org.admin_key.secret),
    201,
  );
  const key = await json<{ secret: string }>(
    await postJson(
      server,
      '/api/v1/admin/keys',
      { name: 'ingest', scopes: ['ingest'], project_id: project.id },
      org.admin_key.secret,
    ),
    201,
  );
  foreignKey = key.secret;
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('POST /api/v1/events/:eventId/feedback', () => {
  it('stores a score and comment as a feedback event carrying the rated call’s prompt', async () => {
    const answer = await json<{ event_id: string; parent_id: string; score: number }>(
      await feedback({ score: 4.5, comment: 'clear and short' }),
      201,
    );
    expect(answer).toMatchObject({ parent_id: ratedId, score: 4.5, comment: 'clear and short' });
    const stored = await json<{ events: Array<Record<string, unknown>> }>(
      await server.request('/api/v1/events?event_type=custom&run_id=run-feedback'),
      200,
    );
    expect(stored.events).toEqual([
      expect.objectContaining({
        event_id: answer.event_id,
        name: 'feedback',
        parent_id: ratedId,
        user_id: 'user-7',
        score: 4.5,
        output: 'clear and short',
        prompt_name: 'summarize',
        prompt_version: 3,
      }),
    ]);
  });

  it('rejects a score outside 0 to 5, or of the wrong type, naming the field', async () => {
    for (const body of [
      { score: 5.5 },
      { score: -1 },
      { score: '4' },
      {},
      { score: 3, comment: 7 },
    ]) {
      const answer = await json<ErrorBody>(await feedback(body), 400);
      expect(answer.error.code).toBe('invalid_request');
      const field = 'comment' in body ? 'comment' : 'score';
      expect(answer.error.details?.field).toBe(field);
      expect(answer.error.message).toContain(field);
    }
    const badId = await json<ErrorBody>(await feedback({ score: 1 }, 'not-an-id'), 400);
    expect(badId.error.details?.field).toBe('eventId');
  });

  it('is for project keys: an org key is refused', async () => {
    const answer = await json<ErrorBody>(
      await feedback({ score: 3 }, ratedId, server.tenant.adminKey),
      403,
    );
    expect(answer.error.code).toBe('forbidden');
  });

  it('finds no event of another tenant, nor one that does not exist', async () => {
    expect(
      (await json<ErrorBody>(await feedback({ score: 3 }, ratedId, foreignKey), 404)).error.code,
    ).toBe('not_found');
    await json(await feedback({ score: 3 }, createEventId()), 404);
  });
});
