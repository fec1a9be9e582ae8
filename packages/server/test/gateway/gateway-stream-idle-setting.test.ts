/**
 * `TOLLGATE_STREAM_IDLE_TIMEOUT_MS`, through the real server and the official
 * client: once set, it (not the deployment's much longer timeout) ends a stream
 * that stalls after its first chunk. Its own file: one embedded event store per process.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTempDir } from '../helpers/temp-dir';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { openAIWire, startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { UpstreamReply } from '../helpers/upstreams/loopback-upstream';
import { replyFor, type ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';
import { newRequestId, promptCallOf } from './gateway-call-records';

const IDLE_MS = 300;
const DEPLOYMENT_TIMEOUT_MS = 30_000;

/** A scripted stream that sends its first `events` events, then nothing while the connection stays open. */
function stalling(reply: UpstreamReply, events: number): UpstreamReply {
  if (reply.type !== 'sse') throw new Error('a stall needs a streamed fixture');
  return { ...reply, stallAfter: events };
}

const directory = createTempDir();
let server: TestServer;
let upstream: ScriptedUpstream;
let openai: OpenAI;

beforeAll(async () => {
  upstream = await startOpenAIUpstream();
  const routes = join(directory.path, 'routes.yaml');
  writeFileSync(
    routes,
    [
      'routes:',
      '  - model: patient',
      '    deployments:',
      `      - { id: patient, provider: openai, model: gpt-4o-mini, baseUrl: "${upstream.url}/v1", apiKeyEnv: TEST_OPENAI_KEY, maxRetries: 0, timeoutMs: ${DEPLOYMENT_TIMEOUT_MS} }`,
      '',
    ].join('\n'),
  );
  server = await startTestServer({
    environment: {
      TOLLGATE_ROUTES: routes,
      TEST_OPENAI_KEY: 'sk-test-openai',
      TOLLGATE_STREAM_IDLE_TIMEOUT_MS: String(IDLE_MS),
    },
  });
  openai = new OpenAI({
    apiKey: server.tenant.projectKey,
    baseURL: `${server.url}/v1`,
    maxRetries: 0,
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await upstream?.close();
  directory.remove();
});

it("ends a stalled stream after the configured idle time, not the deployment's timeout", async () => {
  upstream.reply(stalling(replyFor(openAIWire('openai'), 'text-stream'), 3));
  const id = newRequestId('configured-stall');
  const startedAt = performance.now();
  const stream = await openai.chat.completions.create(
    { model: 'patient', messages: [{ role: 'user', content: 'hi' }], stream: true },
    { headers: { 'x-request-id': id } },
  );
  let error: unknown;
  try {
    for await (const chunk of stream) void chunk;
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(OpenAI.APIError);
  expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_timeout');
  expect(performance.now() - startedAt).toBeLessThan(5_000);
  const event = await promptCallOf({ url: server.url, key: server.tenant.projectKey }, id);
  expect(event.status).toBe('timeout');
  expect(event.error_message).toContain(`sent nothing for ${IDLE_MS} ms`);
});
