import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '@tollgate/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { advanceUntil, until } from '../helpers/poll';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

// Two replicas with the same rules and one hot store: only the holder of the evaluation lease
// notifies, so an incident is announced once, not once per replica. (A 24-hour window: with one
// hour, a run across the hour's end saw the calls leave the window and the rule resolve.)
// One manual clock drives the three servers: the replicas' passes (every second) and the lease's
// expiry in the shared memory hot store, which the base server opened on it.
const START = Date.now();
const clock = new ManualClock(START);
const directory = createTempDir();
let receiver: WebhookReceiver;
let base: TestServer;
let replicas: TestServer[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const url = receiver.url;
  base = await startTestServer({ build: { clock } });
  const rules = join(directory.path, 'alerts.yaml');
  writeFileSync(
    rules,
    `intervalSeconds: 1
rules:
  - name: errors
    kind: error_rate
    org: ${base.tenant.orgId}
    windowHours: 24
    thresholdPercent: 50
    minRequests: 5
    webhook: { url: "${url}", format: slack }
`,
  );
  replicas = await Promise.all(
    [1, 2].map(() =>
      startTestServer({
        environment: { TOLLGATE_ALERTS: rules },
        build: { stores: base.app.stores, clock },
      }),
    ),
  );
}, 180_000);

afterAll(async () => {
  for (const replica of replicas) await replica.close();
  await base?.close();
  await receiver?.close();
  directory.remove();
});

it('announces an incident once across replicas sharing the hot store', async () => {
  const failed = Array.from({ length: 8 }, () => ({
    event_type: 'prompt_call',
    model: 'gpt-4o-mini',
    status: 'error',
    latency_ms: 100,
    ts: new Date(START).toISOString(),
  }));
  expect((await postJson(base, '/api/v1/events', failed, base.tenant.projectKey)).status).toBe(200);
  const passesDone = () => replicas.every((replica) => !replica.app.alerts.evaluating);
  await advanceUntil(clock, () => receiver.bodies.length > 0, 'the firing call', {
    intervalMs: 100,
  });
  // Three more passes of both replicas, each run to its end: still one notification.
  for (let pass = 0; pass < 3; pass++) {
    await clock.advance(1_000);
    await until(passesDone, 'the replicas to finish their pass');
  }
  expect(receiver.bodies).toEqual([{ text: expect.stringMatching(/^\[FIRING\] errors:/) }]);
  expect(replicas.filter((replica) => replica.app.alerts.isFiring('errors'))).toHaveLength(1);
}, 60_000);
