import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
let receiver: Server;
const bodies: unknown[] = [];
let hookUrl: string;

function admin(path: string, method: string, body?: unknown): Promise<Response> {
  return server.request(path, {
    method,
    key: server.tenant.adminKey,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      bodies.push(JSON.parse(text));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await startTestServer();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('alert rules through the admin API', () => {
  let id: string;

  it('creates a rule for the caller’s org, whatever org the body names', async () => {
    const response = await admin('/api/v1/admin/alerts', 'POST', {
      name: 'errors',
      kind: 'error_rate',
      org: 'org_someone_else',
      project: server.tenant.projectId,
      thresholdPercent: 50,
      minRequests: 4,
      webhook: { url: hookUrl, format: 'slack' },
    });
    expect(response.status).toBe(201);
    const rule = (await response.json()) as Record<string, unknown>;
    expect(rule).toMatchObject({
      name: 'errors',
      kind: 'error_rate',
      enabled: true,
      firing: false,
      project: server.tenant.projectId,
      windowHours: 1,
      thresholdPercent: 50,
      webhook: { url: hookUrl, format: 'slack', retries: 3 },
    });
    expect(rule).not.toHaveProperty('org');
    id = rule.id as string;
    const list = (await (await admin('/api/v1/admin/alerts', 'GET')).json()) as {
      rules: { id: string }[];
    };
    expect(list.rules.map((each) => each.id)).toEqual([id]);
  });

  it('answers 400 naming the field, 409 for a taken name, 403 for a project key', async () => {
    const bad = await admin('/api/v1/admin/alerts', 'POST', {
      name: 'x',
      kind: 'error_rate',
      thresholdPercent: 150,
      webhook: { url: hookUrl },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^thresholdPercent: /,
    );
    const noKind = await admin('/api/v1/admin/alerts', 'POST', { name: 'x' });
    expect(noKind.status).toBe(400);
    expect(
      ((await noKind.json()) as { error: { details: { field: string } } }).error.details.field,
    ).toBe('kind');
    const badPatch = await admin(`/api/v1/admin/alerts/${id}`, 'PATCH', { enabled: 'yes' });
    expect(badPatch.status).toBe(400);
    expect(((await badPatch.json()) as { error: { message: string } }).error.message).toMatch(
      /^enabled: /,
    );

    const taken = await admin('/api/v1/admin/alerts', 'POST', {
      name: 'errors',
      kind: 'cost',
      per: 'hour',
      thresholdUsd: 1,
      webhook: { url: hookUrl },
    });
    expect(taken.status).toBe(409);
    const projectKey = await server.request('/api/v1/admin/alerts');
    expect(projectKey.status).toBe(403);
  });

  it('evaluates a stored rule: one firing call, then no more while it fires', async () => {
    const failed = Array.from({ length: 5 }, () => ({
      event_type: 'prompt_call',
      provider: 'openai',
      model: 'gpt-4o-mini',
      status: 'error',
      latency_ms: 100,
    }));
    expect((await postJson(server, '/api/v1/events', failed)).status).toBe(200);
    await server.app.alerts.evaluate();
    for (let attempt = 0; attempt < 200 && bodies.length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(bodies).toEqual([
      { text: expect.stringMatching(/^\[FIRING\] errors: error rate 100\.0% of 5 calls/) },
    ]);
    await server.app.alerts.evaluate();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bodies).toHaveLength(1);
    const rule = (await (await admin(`/api/v1/admin/alerts/${id}`, 'GET')).json()) as {
      firing: boolean;
    };
    expect(rule.firing).toBe(true);
  });

  it('changes and deletes a rule, auditing both', async () => {
    const patched = await admin(`/api/v1/admin/alerts/${id}`, 'PATCH', {
      thresholdPercent: 80,
      enabled: false,
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      thresholdPercent: 80,
      enabled: false,
      kind: 'error_rate',
    });

    expect((await admin(`/api/v1/admin/alerts/${id}`, 'DELETE')).status).toBe(204);
    expect((await admin(`/api/v1/admin/alerts/${id}`, 'GET')).status).toBe(404);

    const audit = (await (await admin('/api/v1/admin/audit?limit=10', 'GET')).json()) as {
      entries: { action: string; target_id: string; before: unknown; after: unknown }[];
    };
    const mine = audit.entries.filter((entry) => entry.target_id === id);
    expect(mine.map((entry) => entry.action)).toEqual([
      'alert_rule.deleted',
      'alert_rule.updated',
      'alert_rule.created',
    ]);
    expect(mine[1]).toMatchObject({
      before: { thresholdPercent: 50, enabled: true },
      after: { thresholdPercent: 80, enabled: false },
    });
  });
});
