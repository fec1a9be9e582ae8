import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

// Two replicas with the same rules and one hot store: only the holder of the evaluation lease
// notifies, so an incident is announced once, not once per replica. (A 24-hour window: with one
// hour, a run across the hour's end saw the calls leave the window and the rule resolve.)
const directory = createTempDir();
let receiver: WebhookReceiver;
let base: TestServer;
let replicas: TestServer[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const url = receiver.url;
  base = await startTestServer();
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
        build: { stores: base.app.stores },
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
  }));
  expect((await postJson(base, '/api/v1/events', failed, base.tenant.projectKey)).status).toBe(200);
  for (let waited = 0; waited < 10_000 && receiver.bodies.length === 0; waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
  // Several more passes of both replicas: still one notification.
  await new Promise((resolve) => setTimeout(resolve, 3_500));
  expect(receiver.bodies).toEqual([{ text: expect.stringMatching(/^\[FIRING\] errors:/) }]);
  expect(replicas.filter((replica) => replica.app.alerts.isFiring('errors'))).toHaveLength(1);
}, 60_000);
