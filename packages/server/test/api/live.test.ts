import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;

/** Reads the live stream until `count` summaries arrived, then hangs up. */
async function summaries(key: string, count: number, query = '') {
  const abort = new AbortController();
  const response = await server.request(`/api/v1/live?interval_ms=500${query}`, {
    key,
    signal: abort.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const found: { requests: number; errors: number; cost_usd: number }[] = [];
  let text = '';
  while (found.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
      const [event, data] = text.slice(0, end).split('\n');
      text = text.slice(end + 2);
      expect(event).toBe('event: summary');
      found.push(JSON.parse(data!.slice('data: '.length)));
    }
  }
  abort.abort();
  return found;
}

beforeAll(async () => {
  server = await startTestServer();
}, 120_000);

afterAll(async () => server?.close());

describe('GET /api/v1/live', () => {
  it('pushes the totals of the key’s tenant only', async () => {
    const call = { event_type: 'prompt_call', model: 'm', provider: 'p', cost_usd: 0.25 };
    expect((await postJson(server, '/api/v1/events', [call, call])).status).toBe(200);
    // Another project of the org: its calls are not the first project's.
    const project = await server.request('/api/v1/admin/projects', {
      method: 'POST',
      key: server.tenant.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'other' }),
    });
    const { id } = (await project.json()) as { id: string };
    const key = await server.request('/api/v1/admin/keys', {
      method: 'POST',
      key: server.tenant.adminKey,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'other', scopes: ['ingest', 'read'], project_id: id }),
    });
    const { secret } = (await key.json()) as { secret: string };
    expect((await postJson(server, '/api/v1/events', [call], secret)).status).toBe(200);

    const [first] = await summaries(server.tenant.projectKey, 1);
    expect(first).toMatchObject({ requests: 2, errors: 0, cost_usd: 0.5 });
    const [org] = await summaries(server.tenant.adminKey, 1);
    expect(org).toMatchObject({ requests: 3, cost_usd: 0.75 });
    const [one] = await summaries(server.tenant.adminKey, 1, `&project_id=${id}`);
    expect(one).toMatchObject({ requests: 1 });
  });

  it('answers a bad request before streaming, naming the field', async () => {
    const bad = await server.request('/api/v1/live?from=yesterday');
    expect(bad.status).toBe(400);
    expect(
      ((await bad.json()) as { error: { details: { field: string } } }).error.details.field,
    ).toBe('from');
    const slow = await server.request('/api/v1/live?interval_ms=10');
    expect(slow.status).toBe(400);
    expect((await server.request('/api/v1/live', { key: 'tg_nope' })).status).toBe(401);
  });
});
