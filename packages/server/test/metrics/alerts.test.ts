import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWebhook, type AlertNotice } from '../../src/alerts/alert-webhook';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { advanceUntil, until } from '../helpers/poll';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * The server's clock, pinned (moved only to run the webhook's backoff), and
 * the time of every call sent: a one-hour window (the current rollup hour)
 * keeps holding them when the run crosses an hour's end.
 */
const NOW = Date.now();
const clock = new ManualClock(NOW);
const directory = createTempDir();
let base: TestServer;
let server: TestServer;
let slack: WebhookReceiver;
let flaky: WebhookReceiver;

function calls(status: string, count: number) {
  return Array.from({ length: count }, () => ({
    event_type: 'prompt_call',
    provider: 'openai',
    model: 'gpt-4o-mini',
    status,
    latency_ms: 300,
    cost_usd: 0.001,
    ts: new Date(NOW).toISOString(),
  }));
}

beforeAll(async () => {
  [slack, flaky] = await Promise.all([startWebhookReceiver(), startWebhookReceiver(2)]);
  // The rules name the org, which exists once a first server has bootstrapped the stores.
  base = await startTestServer();
  const rules = join(directory.path, 'alerts.yaml');
  writeFileSync(
    rules,
    `intervalSeconds: 3600
rules:
  - name: project-error-rate
    kind: error_rate
    org: ${base.tenant.orgId}
    project: ${base.tenant.projectId}
    windowHours: 1
    thresholdPercent: 50
    minRequests: 10
    webhook: { url: "${slack.url}", format: slack }
  - name: org-cost-per-hour
    kind: cost
    org: ${base.tenant.orgId}
    per: hour
    thresholdUsd: 0.005
    webhook: { url: "${flaky.url}", format: generic, retries: 3, backoffMs: 10 }
`,
  );
  server = await startTestServer({
    environment: { TOLLGATE_ALERTS: rules },
    build: { stores: base.app.stores, clock },
  });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await base?.close();
  await Promise.all([slack?.close(), flaky?.close()]);
  directory.remove();
});

describe('alerts', () => {
  it('calls the webhook once when an incident starts and once when it ends', async () => {
    const alerts = server.app.alerts!;
    const send = (events: unknown[]) =>
      postJson(server, '/api/v1/events', events, base.tenant.projectKey);

    await alerts.evaluate();
    expect(slack.bodies).toEqual([]);

    // The incident: 12 failed calls out of 12.
    expect((await send(calls('error', 12))).status).toBe(200);
    await alerts.evaluate();
    await until(() => slack.bodies.length === 1, 'the firing call');
    expect(alerts.isFiring('project-error-rate')).toBe(true);
    expect(slack.bodies[0]).toEqual({
      text: expect.stringMatching(/^\[FIRING\] project-error-rate: error rate 100\.0% of 12 calls/),
    });

    // Still failing: no second notification.
    expect((await send(calls('error', 3))).status).toBe(200);
    await alerts.evaluate();
    await alerts.evaluate();

    // Recovery: 15 errors out of 60 calls is 25%.
    expect((await send(calls('success', 45))).status).toBe(200);
    await alerts.evaluate();
    await until(() => slack.bodies.length === 2, 'the resolved call');
    await alerts.evaluate();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(slack.bodies).toHaveLength(2);
    expect(slack.bodies[1]).toEqual({
      text: expect.stringMatching(
        /^\[RESOLVED\] project-error-rate: error rate 25\.0% of 60 calls/,
      ),
    });
    expect(alerts.isFiring('project-error-rate')).toBe(false);

    // Each transition is an event too.
    const response = await server.request('/api/v1/events?event_type=performance_alert&limit=10', {
      key: base.tenant.projectKey,
    });
    const { events } = (await response.json()) as {
      events: { name: string; status: string; metadata: { state: string } }[];
    };
    expect(events.map((event) => [event.name, event.metadata.state]).sort()).toEqual([
      ['project-error-rate', 'firing'],
      ['project-error-rate', 'resolved'],
    ]);
  });

  it('retries a failing receiver with backoff until it takes the call', async () => {
    // The calls above cost $0.06 this hour: the org's cost rule fired once. Its receiver fails
    // twice; each retry waits on the server's clock, moved here past the backoff (10 ms, 20 ms).
    await advanceUntil(clock, () => flaky.bodies.length === 3, 'three deliveries', {
      stepMs: 10,
    });
    expect(server.app.alerts!.isFiring('org-cost-per-hour')).toBe(true);
    const [first, ...retries] = flaky.bodies;
    expect(first).toMatchObject({
      alert: { rule: 'org-cost-per-hour', kind: 'cost', state: 'firing', threshold: 0.005 },
    });
    for (const retry of retries) expect(retry).toEqual(first);
    const response = await server.request(
      '/api/v1/events?event_type=cost_threshold_exceeded&limit=10',
      { key: base.tenant.adminKey },
    );
    const { events } = (await response.json()) as { events: { name: string }[] };
    expect(events.map((event) => event.name)).toEqual(['org-cost-per-hour']);
  });

  it('gives up after its retries, waiting longer each time', async () => {
    const down = await startWebhookReceiver(100);
    const waits: number[] = [];
    const notice: AlertNotice = {
      rule: 'r',
      kind: 'cost',
      state: 'firing',
      org: 'o',
      value: 2,
      threshold: 1,
      summary: 's',
      at: new Date(0).toISOString(),
    };
    try {
      await expect(
        deliverWebhook(
          { url: down.url, format: 'discord', retries: 3, backoffMs: 100, timeoutMs: 1000 },
          notice,
          async (milliseconds) => void waits.push(milliseconds),
        ),
      ).rejects.toThrow(/HTTP 500/);
      expect(down.bodies).toHaveLength(4);
      expect(down.bodies[0]).toEqual({ content: '[FIRING] r: s' });
      expect(waits).toEqual([100, 200, 400]);
    } finally {
      await down.close();
    }
  });
});
