/**
 * `TOLLGATE_STREAM_IDLE_TIMEOUT_MS`, through the real server and the official
 * client: once set, it (not the deployment's much longer timeout) ends a stream
 * that stalls after its first chunk. Its own file: one embedded event store per process.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  openAIDeployment,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../helpers/gateway-server';
import { drainChat } from '../helpers/gateway-streams';
import { openAIWire, startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import { stallingReply, type ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';
import { newRequestId, promptCallOf } from './gateway-call-records';

const IDLE_MS = 300;
const DEPLOYMENT_TIMEOUT_MS = 30_000;

let gateway: GatewayServer;
let upstream: ScriptedUpstream;

beforeAll(async () => {
  upstream = await startOpenAIUpstream();
  gateway = await startGatewayServer(
    [route('patient', openAIDeployment('patient', upstream, { timeoutMs: DEPLOYMENT_TIMEOUT_MS }))],
    { TOLLGATE_STREAM_IDLE_TIMEOUT_MS: String(IDLE_MS) },
  );
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

it("ends a stalled stream after the configured idle time, not the deployment's timeout", async () => {
  upstream.reply(stallingReply(openAIWire('openai'), 3));
  const id = newRequestId('configured-stall');
  const startedAt = performance.now();
  const stream = await gateway.openai.chat.completions.create(
    { model: 'patient', messages: [{ role: 'user', content: 'hi' }], stream: true },
    { headers: { 'x-request-id': id } },
  );
  const { error } = await drainChat(stream);
  expect(error).toBeInstanceOf(OpenAI.APIError);
  expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_timeout');
  expect(performance.now() - startedAt).toBeLessThan(5_000);
  const event = await promptCallOf(gateway.reader, id);
  expect(event.status).toBe('timeout');
  expect(event.error_message).toContain(`sent nothing for ${IDLE_MS} ms`);
});
