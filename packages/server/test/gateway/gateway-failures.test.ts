/**
 * Upstream failures of every kind, through the real server and the official
 * clients: which upstream got each request and in what order, how many
 * retries, what the client saw, the circuit breaker's transitions, and the one
 * `prompt_call` event each call left. Every scenario has its own route and
 * upstreams (a breaker is per upstream), so breakers and scripted replies never
 * leak from one test into another; the server is started once because
 * starting one costs seconds. The breaker scenarios run on a second app over
 * the same stores whose clock is a `ManualClock`: their cool-downs and the
 * probe's attempt timeout pass when the test moves it, while the other
 * scenarios keep real timeouts and backoff.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
import { ManualClock } from '@tollgate/core';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicDeployment,
  openAIDeployment as deploymentOn,
  route,
  startGatewayServer,
  type GatewayServer,
} from '../helpers/gateway-server';
import { drainChat, drainMessages, FIXTURE_TEXT } from '../helpers/gateway-streams';
import { createTempDir } from '../helpers/temp-dir';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { startAnthropicUpstream } from '../helpers/upstreams/anthropic-upstream';
import { openAIWire, startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import { replyFor, type ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';
import { until } from '../helpers/poll';
import {
  ArrivalLog,
  newRequestId,
  promptCallCounts,
  promptCallOf,
  startStalledStreamUpstream,
  type EventReader,
  type StalledStreamUpstream,
} from './gateway-call-records';

/** A short per-attempt timeout for the hanging upstreams. */
const TIMEOUT_MS = 300;
/** The wait the rate-limited upstream asks for. */
const RETRY_AFTER_MS = 300;
/** Breakers open after this many failures in the window... */
const BREAKER_FAILURES = 2;
/** ...and let a probe through after this long. */
const BREAKER_COOLDOWN_MS = 1_000;
/** How long the breaker tests' probe hangs before its attempt times out. */
const PROBE_TIMEOUT_MS = 1_000;

const UPSTREAM_NAMES = [
  'errorsPrimary',
  'errorsSecondary',
  'alwaysFailing',
  'rateLimited',
  'hangingPrimary',
  'hangingSecondary',
  'hangingAlone',
  'resettingPrimary',
  'resettingSecondary',
  'cutPrimary',
  'cutSecondary',
  'brokenEarlyPrimary',
  'brokenEarlySecondary',
  'stalledSecondary',
  'breakerPrimary',
  'breakerSecondary',
] as const;
type UpstreamName = (typeof UPSTREAM_NAMES)[number];

let gateway: GatewayServer;
let server: TestServer;
let reader: EventReader;
let openai: OpenAI;
let anthropic: Anthropic;
let upstreams: Record<UpstreamName, ScriptedUpstream>;
let claudePrimary: ScriptedUpstream;
let claudeSecondary: ScriptedUpstream;
let stalledPrimary: StalledStreamUpstream;
let stalledAlone: StalledStreamUpstream;
let log: ArrivalLog;
/** The breaker scenarios' app, its routes file, client and clock. */
const breakerDirectory = createTempDir();
let breakerServer: TestServer;
let breakerClient: OpenAI;
const clock = new ManualClock(Date.now());
/** Every request id sent, to check at the end that each left exactly one event. */
const sentRequestIds: string[] = [];

function openAIDeployment(
  id: UpstreamName | 'stalledPrimary' | 'stalledAlone',
  settings: { priority?: number; maxRetries: number; timeoutMs?: number },
): string {
  const upstream = { ...upstreams, stalledPrimary, stalledAlone }[id];
  return deploymentOn(id, upstream, settings);
}

/** Request options that give the call our own request id (and remember it). */
function withRequestId(label: string): {
  id: string;
  options: { headers: Record<string, string> };
} {
  const id = newRequestId(label);
  sentRequestIds.push(id);
  return { id, options: { headers: { 'x-request-id': id } } };
}

const MESSAGES: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];

beforeAll(async () => {
  const started = await Promise.all(UPSTREAM_NAMES.map(() => startOpenAIUpstream()));
  upstreams = Object.fromEntries(
    UPSTREAM_NAMES.map((name, index) => [name, started[index]!]),
  ) as Record<UpstreamName, ScriptedUpstream>;
  [claudePrimary, claudeSecondary, stalledPrimary, stalledAlone] = await Promise.all([
    startAnthropicUpstream(),
    startAnthropicUpstream(),
    startStalledStreamUpstream(),
    startStalledStreamUpstream(),
  ]);
  log = new ArrivalLog({
    ...upstreams,
    claudePrimary,
    claudeSecondary,
    stalledPrimary,
    stalledAlone,
  });

  // Opening the embedded stores takes seconds, many more on a busy machine (hence the hook's timeout).
  gateway = await startGatewayServer(
    [
      route(
        'server-errors',
        openAIDeployment('errorsPrimary', { maxRetries: 1 }),
        openAIDeployment('errorsSecondary', { priority: 1, maxRetries: 0 }),
      ),
      route('always-failing', openAIDeployment('alwaysFailing', { maxRetries: 1 })),
      route('rate-limited', openAIDeployment('rateLimited', { maxRetries: 1 })),
      route(
        'hanging',
        openAIDeployment('hangingPrimary', { maxRetries: 1, timeoutMs: TIMEOUT_MS }),
        openAIDeployment('hangingSecondary', { priority: 1, maxRetries: 0 }),
      ),
      route(
        'hanging-alone',
        openAIDeployment('hangingAlone', { maxRetries: 0, timeoutMs: TIMEOUT_MS }),
      ),
      route(
        'resetting',
        openAIDeployment('resettingPrimary', { maxRetries: 1 }),
        openAIDeployment('resettingSecondary', { priority: 1, maxRetries: 0 }),
      ),
      route(
        'cut-stream',
        openAIDeployment('cutPrimary', { maxRetries: 1 }),
        openAIDeployment('cutSecondary', { priority: 1, maxRetries: 0 }),
      ),
      route(
        'broken-early',
        openAIDeployment('brokenEarlyPrimary', { maxRetries: 1 }),
        openAIDeployment('brokenEarlySecondary', { priority: 1, maxRetries: 0 }),
      ),
      route(
        'stalled-stream',
        openAIDeployment('stalledPrimary', { maxRetries: 0, timeoutMs: TIMEOUT_MS }),
        openAIDeployment('stalledSecondary', { priority: 1, maxRetries: 0 }),
      ),
      route(
        'stalled-alone',
        openAIDeployment('stalledAlone', { maxRetries: 0, timeoutMs: TIMEOUT_MS }),
      ),
      route(
        'claude-cut',
        anthropicDeployment('claudePrimary', claudePrimary, { maxRetries: 1 }),
        anthropicDeployment('claudeSecondary', claudeSecondary, { priority: 1 }),
      ),
    ],
    {
      // Two failures open a breaker; the other scenarios fail a deployment at most twice, last.
      TOLLGATE_BREAKER_FAILURES: String(BREAKER_FAILURES),
      TOLLGATE_BREAKER_COOLDOWN_MS: String(BREAKER_COOLDOWN_MS),
    },
  );
  ({ server, reader, openai, anthropic } = gateway);

  // Over the first server's stores (its org, keys and events), so it starts in a moment.
  const breakerRoutes = join(breakerDirectory.path, 'routes.yaml');
  writeFileSync(
    breakerRoutes,
    [
      'routes:',
      route(
        'breaker',
        openAIDeployment('breakerPrimary', { maxRetries: 0, timeoutMs: PROBE_TIMEOUT_MS }),
        openAIDeployment('breakerSecondary', { priority: 1, maxRetries: 0 }),
      ),
      '',
    ].join('\n'),
  );
  breakerServer = await startTestServer({
    environment: {
      TOLLGATE_ROUTES: breakerRoutes,
      TEST_OPENAI_KEY: 'sk-test-openai',
      TOLLGATE_BREAKER_FAILURES: String(BREAKER_FAILURES),
      TOLLGATE_BREAKER_COOLDOWN_MS: String(BREAKER_COOLDOWN_MS),
    },
    build: { stores: server.app.stores, clock },
  });
  breakerClient = new OpenAI({
    apiKey: server.tenant.projectKey,
    baseURL: `${breakerServer.url}/v1`,
    maxRetries: 0,
  });
}, 120_000);

afterAll(async () => {
  await breakerServer?.close();
  breakerDirectory.remove();
  await gateway?.close();
  await Promise.all(
    [
      ...Object.values(upstreams ?? {}),
      claudePrimary,
      claudeSecondary,
      stalledPrimary,
      stalledAlone,
    ].map((upstream) => upstream?.close()),
  );
});

describe('failures before the answer: retry, then fail over', () => {
  it('retries a 500 once on the same deployment, then fails over to the next priority', async () => {
    log.clear();
    upstreams.errorsPrimary.script('server-error');
    upstreams.errorsPrimary.script('server-error');
    upstreams.errorsSecondary.script('text');
    const { id, options } = withRequestId('server-errors');
    const { data, response } = await openai.chat.completions
      .create({ model: 'server-errors', messages: MESSAGES }, options)
      .withResponse();

    expect(data.choices[0]!.message.content).toBe(FIXTURE_TEXT);
    expect(log.order()).toEqual(['errorsPrimary', 'errorsPrimary', 'errorsSecondary']);
    expect(response.headers.get('x-tollgate-attempts')).toBe('3');
    expect(response.headers.get('x-request-id')).toBe(id);
    const event = await promptCallOf(reader, id);
    expect(event).toMatchObject({
      status: 'success',
      attempts: 3,
      providers_tried: ['errorsPrimary', 'errorsSecondary'],
      model_requested: 'server-errors',
      provider: 'openai',
      error_message: '',
    });
  });

  it('answers with the last error once every attempt failed, and records it', async () => {
    log.clear();
    upstreams.alwaysFailing.script('server-error');
    upstreams.alwaysFailing.script('server-error');
    const { id, options } = withRequestId('always-failing');
    const error = await openai.chat.completions
      .create({ model: 'always-failing', messages: MESSAGES }, options)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    const apiError = error as InstanceType<typeof OpenAI.InternalServerError>;
    expect(apiError.status).toBe(502);
    expect(apiError.code).toBe('upstream_http_500');
    expect(apiError.requestID).toBe(id);
    expect(log.order()).toEqual(['alwaysFailing', 'alwaysFailing']);
    const event = await promptCallOf(reader, id);
    expect(event).toMatchObject({
      status: 'error',
      attempts: 2,
      providers_tried: ['alwaysFailing'],
      model_requested: 'always-failing',
    });
    expect(event.error_message).toContain('The server had an error while processing your request');
  });

  it('waits as long as a 429 asks (retry-after-ms) before retrying', async () => {
    log.clear();
    upstreams.rateLimited.reply({
      type: 'json',
      status: 429,
      body: {
        error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
      },
      headers: { 'retry-after-ms': String(RETRY_AFTER_MS) },
    });
    upstreams.rateLimited.script('text');
    const { id, options } = withRequestId('rate-limited');
    const { data, response } = await openai.chat.completions
      .create({ model: 'rate-limited', messages: MESSAGES }, options)
      .withResponse();

    expect(data.choices[0]!.message.content).toBe(FIXTURE_TEXT);
    expect(log.order()).toEqual(['rateLimited', 'rateLimited']);
    const [waited] = log.gaps();
    // The retry waits the full Retry-After (the backoff's jitter, under 250 ms here, is
    // smaller); 2 ms of slack for timers firing a hair early against performance.now().
    expect(waited).toBeGreaterThanOrEqual(RETRY_AFTER_MS - 2);
    expect(waited).toBeLessThan(RETRY_AFTER_MS + 1_500);
    expect(response.headers.get('x-tollgate-attempts')).toBe('2');
    const event = await promptCallOf(reader, id);
    expect(event).toMatchObject({
      status: 'success',
      attempts: 2,
      providers_tried: ['rateLimited'],
    });
    expect(event.latency_ms).toBeGreaterThanOrEqual(RETRY_AFTER_MS - 2);
  });

  it('gives up on a hanging upstream after the per-attempt timeout, retries, then fails over', async () => {
    log.clear();
    upstreams.hangingPrimary.script('hang');
    upstreams.hangingPrimary.script('hang');
    upstreams.hangingSecondary.script('text');
    const { id, options } = withRequestId('hanging');
    const startedAt = performance.now();
    const { data, response } = await openai.chat.completions
      .create({ model: 'hanging', messages: MESSAGES }, options)
      .withResponse();
    const tookMs = performance.now() - startedAt;

    expect(data.choices[0]!.message.content).toBe(FIXTURE_TEXT);
    expect(log.order()).toEqual(['hangingPrimary', 'hangingPrimary', 'hangingSecondary']);
    // Two attempts, one after the other, each given up after its timeout.
    expect(tookMs).toBeGreaterThanOrEqual(2 * TIMEOUT_MS - 2);
    expect(tookMs).toBeLessThan(2 * TIMEOUT_MS + 3_000);
    expect(response.headers.get('x-tollgate-attempts')).toBe('3');
    const event = await promptCallOf(reader, id);
    expect(event).toMatchObject({
      status: 'success',
      attempts: 3,
      providers_tried: ['hangingPrimary', 'hangingSecondary'],
    });
  });

  it('answers 504 and records a timeout when the only deployment hangs', async () => {
    log.clear();
    upstreams.hangingAlone.script('hang');
    const { id, options } = withRequestId('hanging-alone');
    const error = await openai.chat.completions
      .create({ model: 'hanging-alone', messages: MESSAGES }, options)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_timeout');
    expect(log.order()).toEqual(['hangingAlone']);
    const event = await promptCallOf(reader, id);
    expect(event).toMatchObject({
      status: 'timeout',
      attempts: 1,
      providers_tried: ['hangingAlone'],
    });
    expect(event.error_message).toContain('did not answer in time');
  });

  it('retries a reset connection, then fails over', async () => {
    log.clear();
    upstreams.resettingPrimary.script('reset');
    upstreams.resettingPrimary.script('reset');
    upstreams.resettingSecondary.script('text');
    const { id, options } = withRequestId('resetting');
    const { data, response } = await openai.chat.completions
      .create({ model: 'resetting', messages: MESSAGES }, options)
      .withResponse();

    expect(data.choices[0]!.message.content).toBe(FIXTURE_TEXT);
    expect(log.order()).toEqual(['resettingPrimary', 'resettingPrimary', 'resettingSecondary']);
    expect(response.headers.get('x-tollgate-attempts')).toBe('3');
    const event = await promptCallOf(reader, id);
    expect(event).toMatchObject({
      status: 'success',
      attempts: 3,
      providers_tried: ['resettingPrimary', 'resettingSecondary'],
      provider: 'openai',
    });
  });
});

describe('streams', () => {
  it('ends a stream cut after its first chunk with an OpenAI-format error, without failing over', async () => {
    log.clear();
    upstreams.cutPrimary.script('cut-stream');
    const { id, options } = withRequestId('cut-stream');
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'cut-stream', messages: MESSAGES, stream: true }, options)
      .withResponse();
    expect(response.headers.get('x-tollgate-attempts')).toBe('1');
    const { text, error } = await drainChat(stream);

    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_stream_broken');
    expect((error as InstanceType<typeof OpenAI.APIError>).type).toBe('server_error');
    expect(text.length).toBeGreaterThan(0);
    expect(FIXTURE_TEXT.startsWith(text)).toBe(true);
    expect(text).not.toBe(FIXTURE_TEXT);
    // Part of the answer had reached the client: no retry, no failover.
    expect(log.order()).toEqual(['cutPrimary']);
    const event = await promptCallOf(reader, id);
    expect(event).toMatchObject({
      status: 'error',
      attempts: 1,
      providers_tried: ['cutPrimary'],
      output: text,
    });
    expect(event.error_message).toContain('stream broke');
  });

  it('passes an error the upstream sends mid-stream on to the client, without failing over', async () => {
    log.clear();
    upstreams.cutPrimary.script('stream-error');
    const { id, options } = withRequestId('stream-error');
    const stream = await openai.chat.completions.create(
      { model: 'cut-stream', messages: MESSAGES, stream: true },
      options,
    );
    const { text, error } = await drainChat(stream);

    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain(
      'The server had an error while processing your request',
    );
    expect(text).toBe('Hello');
    expect(log.order()).toEqual(['cutPrimary']);
    const event = await promptCallOf(reader, id);
    expect(event).toMatchObject({ status: 'error', attempts: 1, providers_tried: ['cutPrimary'] });
    expect(event.error_message).toContain('The server had an error while processing your request');
  });

  it('fails over a stream that breaks before its first chunk: the client sees one clean stream', async () => {
    log.clear();
    const textStream = replyFor(openAIWire('openai'), 'text-stream');
    if (textStream.type !== 'sse') throw new Error('the text-stream fixture is not a stream');
    // Half of the first event, then the connection drops.
    upstreams.brokenEarlyPrimary.reply({ ...textStream, cutAfter: 0 });
    // On the retry, an error event as the very first thing in the stream.
    upstreams.brokenEarlyPrimary.reply({
      type: 'sse',
      events: [
        `data: ${JSON.stringify({ error: { message: 'overloaded, try again', type: 'server_error', code: null } })}\n\n`,
      ],
    });
    upstreams.brokenEarlySecondary.script('text-stream');

    const { id, options } = withRequestId('broken-early');
    const { data: stream, response } = await openai.chat.completions
      .create(
        {
          model: 'broken-early',
          messages: MESSAGES,
          stream: true,
          stream_options: { include_usage: true },
        },
        options,
      )
      .withResponse();
    const { text, error } = await drainChat(stream);

    expect(error).toBeUndefined();
    expect(text).toBe(FIXTURE_TEXT);
    expect(log.order()).toEqual([
      'brokenEarlyPrimary',
      'brokenEarlyPrimary',
      'brokenEarlySecondary',
    ]);
    expect(response.headers.get('x-tollgate-attempts')).toBe('3');
    const event = await promptCallOf(reader, id);
    expect(event).toMatchObject({
      status: 'success',
      attempts: 3,
      providers_tried: ['brokenEarlyPrimary', 'brokenEarlySecondary'],
      output: FIXTURE_TEXT,
      error_message: '',
    });
  });

  it('fails over a stream whose first chunk does not come within the per-attempt timeout', async () => {
    log.clear();
    upstreams.stalledSecondary.script('text-stream');
    const { id, options } = withRequestId('stalled-stream');
    const startedAt = performance.now();
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'stalled-stream', messages: MESSAGES, stream: true }, options)
      .withResponse();
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(TIMEOUT_MS - 2);
    const { text, error } = await drainChat(stream);

    expect(error).toBeUndefined();
    expect(text).toBe(FIXTURE_TEXT);
    expect(log.order()).toEqual(['stalledPrimary', 'stalledSecondary']);
    expect(response.headers.get('x-tollgate-attempts')).toBe('2');
    expect(await promptCallOf(reader, id)).toMatchObject({
      status: 'success',
      attempts: 2,
      providers_tried: ['stalledPrimary', 'stalledSecondary'],
    });
  });

  it("answers 504 and records a timeout when the only deployment's stream stalls", async () => {
    log.clear();
    const { id, options } = withRequestId('stalled-alone');
    const error = await openai.chat.completions
      .create({ model: 'stalled-alone', messages: MESSAGES, stream: true }, options)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_timeout');
    expect(log.order()).toEqual(['stalledAlone']);
    const event = await promptCallOf(reader, id);
    expect(event).toMatchObject({
      status: 'timeout',
      attempts: 1,
      providers_tried: ['stalledAlone'],
    });
    expect(event.error_message).toContain('did not answer in time');
  });

  it('ends an Anthropic-format stream cut mid-way with an error event the Anthropic client raises', async () => {
    log.clear();
    claudePrimary.script('cut-stream');
    const { id, options } = withRequestId('claude-cut');
    const stream = await anthropic.messages.create(
      {
        model: 'claude-cut',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      },
      options,
    );
    const { text, types, error } = await drainMessages(stream);

    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'api_error' },
    });
    expect(types[0]).toBe('message_start');
    expect(types).not.toContain('message_stop');
    expect(text).toBe('Hello!');
    expect(log.order()).toEqual(['claudePrimary']);
    const event = await promptCallOf(reader, id);
    expect(event).toMatchObject({
      status: 'error',
      attempts: 1,
      providers_tried: ['claudePrimary'],
      model_requested: 'claude-cut',
      provider: 'anthropic',
    });
    expect(event.error_message).toContain('stream broke');
  });
});

describe('the circuit breaker, through HTTP', () => {
  async function breakerState(): Promise<string> {
    const { gateway: breakerGateway } = breakerServer.app;
    const route = await breakerGateway.routeTable.resolve(server.tenant.orgId, 'breaker');
    const primary = route!.deployments.find((deployment) => deployment.id === 'breakerPrimary')!;
    return (await breakerGateway.router.snapshot(server.tenant.orgId, primary)).state;
  }

  async function callBreakerRoute(label: string) {
    const { id, options } = withRequestId(label);
    const { data, response } = await breakerClient.chat.completions
      .create({ model: 'breaker', messages: MESSAGES }, options)
      .withResponse();
    expect(data.choices[0]!.message.content).toBe(FIXTURE_TEXT);
    return { id, attemptsHeader: response.headers.get('x-tollgate-attempts') };
  }

  async function waitForArrivals(count: number): Promise<void> {
    await until(() => log.arrivals.length >= count, `${count} requests to arrive`);
  }

  it(`opens after ${BREAKER_FAILURES} failures: the next call skips the deployment without calling it`, async () => {
    const failures: string[] = [];
    for (let failure = 1; failure <= BREAKER_FAILURES; failure++) {
      log.clear();
      upstreams.breakerPrimary.script('server-error');
      upstreams.breakerSecondary.script('text');
      const { id, attemptsHeader } = await callBreakerRoute(`breaker-failure-${failure}`);
      expect(log.order()).toEqual(['breakerPrimary', 'breakerSecondary']);
      expect(attemptsHeader).toBe('2');
      failures.push(id);
    }
    expect(await breakerState()).toBe('open');

    log.clear();
    upstreams.breakerSecondary.script('text');
    const skipped = await callBreakerRoute('breaker-skipped');
    expect(log.order()).toEqual(['breakerSecondary']);
    expect(skipped.attemptsHeader).toBe('1');

    for (const id of failures) {
      expect(await promptCallOf(reader, id)).toMatchObject({
        status: 'success',
        attempts: 2,
        providers_tried: ['breakerPrimary', 'breakerSecondary'],
      });
    }
    expect(await promptCallOf(reader, skipped.id)).toMatchObject({
      status: 'success',
      attempts: 1,
      providers_tried: ['breakerSecondary'],
    });
  });

  it('lets exactly one probe through after the cool-down; its failure re-opens, its success closes', async () => {
    await clock.advance(BREAKER_COOLDOWN_MS);
    log.clear();
    // The probe hangs until its attempt times out: calls made meanwhile must not reach the upstream.
    upstreams.breakerPrimary.script('hang');
    upstreams.breakerSecondary.script('text');
    upstreams.breakerSecondary.script('text');
    upstreams.breakerSecondary.script('text');
    const primaryCalls = upstreams.breakerPrimary.requests.length;
    const probe = callBreakerRoute('breaker-failed-probe');
    await waitForArrivals(1);
    expect(await breakerState()).toBe('half-open');
    const during = await Promise.all([
      callBreakerRoute('breaker-during-probe-1'),
      callBreakerRoute('breaker-during-probe-2'),
    ]);
    expect(upstreams.breakerPrimary.requests.length).toBe(primaryCalls + 1);
    // The probe's attempt times out when the clock reaches it; it then fails over.
    await clock.advance(PROBE_TIMEOUT_MS);
    const failedProbe = await probe;
    expect(log.order()).toEqual([
      'breakerPrimary',
      'breakerSecondary',
      'breakerSecondary',
      'breakerSecondary',
    ]);
    expect(await breakerState()).toBe('open');
    expect(failedProbe.attemptsHeader).toBe('2');
    expect(await promptCallOf(reader, failedProbe.id)).toMatchObject({
      status: 'success',
      attempts: 2,
      providers_tried: ['breakerPrimary', 'breakerSecondary'],
    });
    for (const call of during) {
      expect(call.attemptsHeader).toBe('1');
      expect(await promptCallOf(reader, call.id)).toMatchObject({
        attempts: 1,
        providers_tried: ['breakerSecondary'],
      });
    }

    await clock.advance(BREAKER_COOLDOWN_MS);
    log.clear();
    upstreams.breakerPrimary.script('text');
    const goodProbe = await callBreakerRoute('breaker-good-probe');
    expect(log.order()).toEqual(['breakerPrimary']);
    expect(await breakerState()).toBe('closed');
    expect(await promptCallOf(reader, goodProbe.id)).toMatchObject({
      status: 'success',
      attempts: 1,
      providers_tried: ['breakerPrimary'],
    });

    upstreams.breakerPrimary.script('text');
    await callBreakerRoute('breaker-closed');
    expect(log.order()).toEqual(['breakerPrimary', 'breakerPrimary']);
  });
});

describe('recording', () => {
  it('left exactly one prompt_call event for every call above', async (context) => {
    // Run alone (a `-t` filter), there is nothing to check.
    if (sentRequestIds.length === 0) return context.skip();
    // Recording is asynchronous: wait until every call has one, then look for any extra.
    let counts = await promptCallCounts(reader);
    for (let tries = 0; sentRequestIds.some((id) => !counts.has(id)) && tries < 100; tries++) {
      await sleep(50);
      counts = await promptCallCounts(reader);
    }
    for (const id of sentRequestIds)
      expect({ id, count: counts.get(id) }).toEqual({ id, count: 1 });
  });
});
