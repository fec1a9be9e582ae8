/**
 * Streams after their first byte, through the real server and the official
 * clients: a stream that stalls is ended with an error event in the client's
 * wire format and recorded as a timeout; a stream that breaks counts against
 * its deployment's circuit breaker, and only a stream that completes counts
 * for it (a half-open probe is judged at the end of its stream).
 */
import Anthropic from '@anthropic-ai/sdk';
import { ManualClock } from '@tollgate/core';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicDeployment,
  openAIDeployment,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../helpers/gateway-server';
import { drainChat, drainMessages, FIXTURE_TEXT } from '../helpers/gateway-streams';
import { anthropicWire, startAnthropicUpstream } from '../helpers/upstreams/anthropic-upstream';
import { openAIWire, startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import { stallingReply, type ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';
import { waitFor } from '../helpers/poll';
import { newRequestId, promptCallOf } from './gateway-call-records';

/** The deployments' timeout, which is also the idle limit of their streams here. */
const TIMEOUT_MS = 400;
const BREAKER_FAILURES = 2;
const BREAKER_COOLDOWN_MS = 1_000;
const MESSAGES: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];
/** The server's clock: the breaker's cool-down passes when the test moves it (stream idle limits keep real time). */
const clock = new ManualClock(Date.now());

let setup: GatewayServer;
let stalling: ScriptedUpstream;
let claude: ScriptedUpstream;
let breaking: ScriptedUpstream;

beforeAll(async () => {
  [stalling, claude, breaking] = await Promise.all([
    startOpenAIUpstream(),
    startAnthropicUpstream(),
    startOpenAIUpstream(),
  ]);
  setup = await startGatewayServer(
    [
      route('stalling', openAIDeployment('stalling', stalling, { timeoutMs: TIMEOUT_MS })),
      route('claude-stalling', anthropicDeployment('claude', claude, { timeoutMs: TIMEOUT_MS })),
      route('breaking', openAIDeployment('breaking', breaking, { timeoutMs: 5_000 })),
    ],
    {
      TOLLGATE_BREAKER_FAILURES: String(BREAKER_FAILURES),
      TOLLGATE_BREAKER_COOLDOWN_MS: String(BREAKER_COOLDOWN_MS),
    },
    { clock },
  );
}, 120_000);

afterAll(async () => {
  await setup?.close();
  await Promise.all([stalling, claude, breaking].map((upstream) => upstream?.close()));
});

describe('a stream that stalls after its first chunk', () => {
  it("is ended after the deployment's timeout with an OpenAI-format error, and recorded as a timeout", async () => {
    stalling.reply(stallingReply(openAIWire('openai'), 3));
    const id = newRequestId('stall');
    const startedAt = performance.now();
    const stream = await setup.openai.chat.completions.create(
      { model: 'stalling', messages: MESSAGES, stream: true },
      { headers: { 'x-request-id': id } },
    );
    const { text, error } = await drainChat(stream);
    const elapsedMs = performance.now() - startedAt;

    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_timeout');
    expect(text.length).toBeGreaterThan(0);
    expect(FIXTURE_TEXT.startsWith(text) && text !== FIXTURE_TEXT).toBe(true);
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + 3_000);
    expect(stalling.requests).toHaveLength(1);
    const event = await promptCallOf(setup.reader, id);
    expect(event).toMatchObject({ status: 'timeout', attempts: 1, output: text });
    expect(event.error_message).toContain(`sent nothing for ${TIMEOUT_MS} ms`);
  });

  it('is ended with an error event the Anthropic client raises', async () => {
    claude.reply(stallingReply(anthropicWire, 4));
    const id = newRequestId('claude-stall');
    const stream = await setup.anthropic.messages.create(
      {
        model: 'claude-stalling',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      },
      { headers: { 'x-request-id': id } },
    );
    const { text, error } = await drainMessages(stream);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'api_error' },
    });
    expect(text).toBe('Hello!');
    const event = await promptCallOf(setup.reader, id);
    expect(event).toMatchObject({ status: 'timeout', provider: 'anthropic', output: 'Hello!' });
  });
});

describe("the deployment's circuit breaker", () => {
  async function breakerState(): Promise<string> {
    const { gateway } = setup.server.app;
    const resolved = await gateway.routeTable.resolve(setup.server.tenant.orgId, 'breaking');
    return (await gateway.router.snapshot(setup.server.tenant.orgId, resolved!.deployments[0]!))
      .state;
  }

  /** The breaker is told when the relay ends, just after the client's last byte: wait for it. */
  async function expectBreaker(state: string): Promise<void> {
    const reached = await waitFor(
      breakerState,
      (current) => current === state,
      `the breaker ${state}`,
      {
        intervalMs: 20,
      },
    );
    expect(reached).toBe(state);
  }

  async function streamOnce(scenario: 'cut-stream' | 'text-stream') {
    breaking.script(scenario);
    const stream = await setup.openai.chat.completions.create({
      model: 'breaking',
      messages: MESSAGES,
      stream: true,
    });
    return drainChat(stream);
  }

  it('counts streams broken after their first chunk as failures: it opens', async () => {
    for (let failure = 1; failure <= BREAKER_FAILURES; failure++) {
      expect(await breakerState()).toBe('closed');
      const { text, error } = await streamOnce('cut-stream');
      expect(text.length).toBeGreaterThan(0);
      expect(error).toBeInstanceOf(OpenAI.APIError);
    }
    await expectBreaker('open');
    const calls = breaking.requests.length;
    await expect(
      setup.openai.chat.completions.create({ model: 'breaking', messages: MESSAGES, stream: true }),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(breaking.requests).toHaveLength(calls);
  });

  it('judges a half-open probe by the end of its stream: broken re-opens, completed closes', async () => {
    await clock.advance(BREAKER_COOLDOWN_MS);
    const broken = await streamOnce('cut-stream');
    expect(broken.error).toBeInstanceOf(OpenAI.APIError);
    await expectBreaker('open');

    await clock.advance(BREAKER_COOLDOWN_MS);
    const completed = await streamOnce('text-stream');
    expect(completed).toEqual({ text: FIXTURE_TEXT, error: undefined });
    await expectBreaker('closed');
  });
});
