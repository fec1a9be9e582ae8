import { ManualClock } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSender } from '../helpers/admin-requests';
import { until } from '../helpers/poll';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * The server's clock, pinned, and the time of the calls sent: the rule's
 * one-hour window (the current rollup hour) keeps holding them when the run
 * crosses an hour's end.
 */
const NOW = Date.now();
const clock = new ManualClock(NOW);
let server: TestServer;
let receiver: WebhookReceiver;
const send = adminSender(() => server);

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startTestServer({ build: { clock } });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

describe('alert rules through the admin API', () => {
  let id: string;

  it('creates a rule for the caller’s org, whatever org the body names', async () => {
    const response = await send('POST', '/api/v1/admin/alerts', {
      name: 'errors',
      kind: 'error_rate',
      org: 'org_someone_else',
      project: server.tenant.projectId,
      thresholdPercent: 50,
      minRequests: 4,
      webhook: { url: receiver.url, format: 'slack' },
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
      webhook: { url: receiver.url, format: 'slack', retries: 3 },
    });
    expect(rule).not.toHaveProperty('org');
    id = rule.id as string;
    const list = (await (await send('GET', '/api/v1/admin/alerts')).json()) as {
      rules: { id: string }[];
    };
    expect(list.rules.map((each) => each.id)).toEqual([id]);
  });

  it('answers 400 naming the field, 409 for a taken name, 403 for a project key', async () => {
    const bad = await send('POST', '/api/v1/admin/alerts', {
      name: 'x',
      kind: 'error_rate',
      thresholdPercent: 150,
      webhook: { url: receiver.url },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^thresholdPercent: /,
    );
    const noKind = await send('POST', '/api/v1/admin/alerts', { name: 'x' });
    expect(noKind.status).toBe(400);
    expect(
      ((await noKind.json()) as { error: { details: { field: string } } }).error.details.field,
    ).toBe('kind');
    const badPatch = await send('PATCH', `/api/v1/admin/alerts/${id}`, { enabled: 'yes' });
    expect(badPatch.status).toBe(400);
    expect(((await badPatch.json()) as { error: { message: string } }).error.message).toMatch(
      /^enabled: /,
    );

    const taken = await send('POST', '/api/v1/admin/alerts', {
      name: 'errors',
      kind: 'cost',
      per: 'hour',
      thresholdUsd: 1,
      webhook: { url: receiver.url },
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
      ts: new Date(NOW).toISOString(),
    }));
    expect((await postJson(server, '/api/v1/events', failed)).status).toBe(200);
    await server.app.alerts.evaluate();
    await until(() => receiver.bodies.length > 0, 'the firing call');
    expect(receiver.bodies).toEqual([
      { text: expect.stringMatching(/^\[FIRING\] errors: error rate 100\.0% of 5 calls/) },
    ]);
    await server.app.alerts.evaluate();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.bodies).toHaveLength(1);
    const rule = (await (await send('GET', `/api/v1/admin/alerts/${id}`)).json()) as {
      firing: boolean;
    };
    expect(rule.firing).toBe(true);
  });

  it('changes and deletes a rule, auditing both', async () => {
    const patched = await send('PATCH', `/api/v1/admin/alerts/${id}`, {
      thresholdPercent: 80,
      enabled: false,
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      thresholdPercent: 80,
      enabled: false,
      kind: 'error_rate',
    });

    expect((await send('DELETE', `/api/v1/admin/alerts/${id}`)).status).toBe(204);
    expect((await send('GET', `/api/v1/admin/alerts/${id}`)).status).toBe(404);

    const audit = (await (await send('GET', '/api/v1/admin/audit?limit=10')).json()) as {
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
