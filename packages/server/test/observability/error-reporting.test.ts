/**
 * Error reporting end to end: the real server with `SENTRY_DSN` pointed at a
 * loopback endpoint speaking Sentry's envelope protocol, driven over HTTP
 * into each reported failure (a gateway call every deployment failed, an
 * unhandled error, an event store outage with the spool filling up, a row
 * dead-lettered). Asserts what arrives (tags with the request, org and
 * project ids, environment, release) and what never does (API keys, the
 * provider key, prompt text, request bodies and headers).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEventRow, createEventId } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config';
import { disabledErrorReporter } from '../../src/observability/error-reporter';
import { defaultRelease } from '../../src/observability/sentry-reporter';
import { openStores } from '../../src/stores/open-stores';
import { openAIDeployment, route } from '../helpers/gateway-server';
import {
  startSentryReceiver,
  type ReceivedEvent,
  type SentryReceiver,
} from '../helpers/sentry-receiver';
import { withOutage } from '../helpers/store-outage';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { startOpenAIUpstream } from '../helpers/upstreams/openai-upstream';
import type { ScriptedUpstream } from '../helpers/upstreams/scripted-upstream';

/** Text that stands for a prompt: it must never leave for Sentry. */
const PROMPT = 'PROMPT-TEXT-do-not-report-4b1d';
const PROVIDER_KEY = 'sk-test-openai-provider-key-0123456789';

let receiver: SentryReceiver;
let upstream: ScriptedUpstream;
let server: TestServer;
let outage: ReturnType<typeof withOutage>;
let failListing = false;
const dataDir = createTempDir();

const withProblem = (kind: string) => (event: ReceivedEvent) => event.tags?.problem === kind;

beforeAll(async () => {
  receiver = await startSentryReceiver();
  upstream = await startOpenAIUpstream();
  const routesFile = join(dataDir.path, 'routes.yaml');
  writeFileSync(
    routesFile,
    ['routes:', route('reported-model', openAIDeployment('only', upstream)), ''].join('\n'),
  );
  const environment = {
    TOLLGATE_DATA_DIR: dataDir.path,
    TOLLGATE_ROUTES: routesFile,
    TEST_OPENAI_KEY: PROVIDER_KEY,
    TOLLGATE_SPOOL_MAX_BYTES: '20000',
    SENTRY_DSN: receiver.dsn,
    SENTRY_ENVIRONMENT: 'staging-test',
    SENTRY_RELEASE: 'tollgate@9.9.9-test',
  };
  const stores = await openStores(loadConfiguration(environment));
  outage = withOutage(stores.events);
  // A read that fails the way no code expects: the request's 500 is an unhandled error.
  const listEvents = outage.store.listEvents.bind(outage.store);
  Object.assign(outage.store, {
    listEvents: (...args: Parameters<typeof listEvents>) => {
      if (failListing) {
        throw new TypeError(`cannot read properties of undefined (reading '${PROMPT}')`);
      }
      return listEvents(...args);
    },
  });
  server = await startTestServer({
    environment,
    build: { stores: { ...stores, events: outage.store } },
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await upstream?.close();
  await receiver?.close();
  dataDir.remove();
});

describe('error reporting to Sentry (SENTRY_DSN)', () => {
  it('reports a gateway call every deployment failed, with its request, org and project', async () => {
    upstream.script('server-error');
    const response = await server.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-upstream-1' },
      body: JSON.stringify({
        model: 'reported-model',
        messages: [{ role: 'user', content: PROMPT }],
      }),
    });
    expect(response.status).toBeGreaterThanOrEqual(500);
    await receiver.waitFor((events) => events.some(withProblem('upstream_exhausted')));
    const event = receiver.events.find(withProblem('upstream_exhausted'))!;
    expect(event.tags).toMatchObject({
      problem: 'upstream_exhausted',
      request_id: 'req-upstream-1',
      org_id: server.tenant.orgId,
      project_id: server.tenant.projectId,
    });
    expect(event.environment).toBe('staging-test');
    expect(event.release).toBe('tollgate@9.9.9-test');
    expect(event.contexts?.tollgate).toMatchObject({
      status: response.status,
      method: 'POST',
      route: '/v1/chat/completions',
    });
    expect(event.request).toBeUndefined();
    expect(event.breadcrumbs).toBeUndefined();
  });

  it('reports an unhandled error with its type and a scrubbed message', async () => {
    failListing = true;
    try {
      const response = await server.request('/api/v1/events?limit=5', {
        headers: { 'x-request-id': 'req-unhandled-1' },
      });
      expect(response.status).toBe(500);
    } finally {
      failListing = false;
    }
    await receiver.waitFor((events) => events.some(withProblem('unhandled_error')));
    const event = receiver.events.find(withProblem('unhandled_error'))!;
    expect(event.tags).toMatchObject({
      request_id: 'req-unhandled-1',
      org_id: server.tenant.orgId,
      project_id: server.tenant.projectId,
    });
    const exception = event.exception?.values?.at(-1);
    expect(exception?.type).toBe('TypeError');
    expect(exception?.value).toMatch(/cannot read properties of undefined/);
    expect(event.level).toBe('error');
  });

  it('reports an event store outage, the spool growing, then full', async () => {
    outage.setDown(true);
    try {
      const batch = (index: number) => [
        {
          event_type: 'prompt_call',
          model: 'gpt-4o-mini',
          input: `${PROMPT} ${index}`,
          output: 'a response nobody may see',
        },
      ];
      const first = await postJson(server, '/api/v1/events', batch(0));
      expect(first.status).toBe(200);
      let full: Response | undefined;
      for (let index = 1; index < 200 && !full; index += 1) {
        const next = await postJson(server, '/api/v1/events', batch(index), undefined);
        if (next.status === 503) full = next;
        else expect(next.status).toBe(200);
      }
      expect(full?.status).toBe(503);
    } finally {
      outage.setDown(false);
    }
    // The writer replays the spool once the store answers again (every 2 s): wait for it.
    for (const giveUpAt = Date.now() + 30_000; server.app.eventWriter.isSpooling;) {
      if (Date.now() > giveUpAt) throw new Error('the spool was not replayed in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await receiver.waitFor(
      (events) =>
        events.some(withProblem('store_outage')) &&
        events.filter(withProblem('spool_growth')).length >= 3 &&
        events.some((event) => event.tags?.problem === 'server_error'),
    );
    const outageEvent = receiver.events.find(withProblem('store_outage'))!;
    expect(outageEvent.exception?.values?.at(-1)?.value).toMatch(/ECONNREFUSED/);
    const growth = receiver.events.filter(withProblem('spool_growth'));
    const messages = growth.map((event) => messageOf(event));
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/passed 50% of its size/),
        expect.stringMatching(/passed 90% of its size/),
        expect.stringMatching(/spool is full/),
      ]),
    );
    expect(growth.find((event) => /spool is full/.test(messageOf(event)))?.level).toBe('fatal');
    // The 503 the client got is a 5xx answer, reported with its request.
    const answer = receiver.events.find(withProblem('server_error'))!;
    expect(answer.contexts?.tollgate).toMatchObject({ status: 503, code: 'spool_full' });
    expect(answer.tags?.org_id).toBe(server.tenant.orgId);
  });

  it('reports rows dead-lettered, by org, with counts and the store code only', async () => {
    const tenant = {
      orgId: server.tenant.orgId,
      projectId: server.tenant.projectId,
      retentionDays: 365,
    };
    const ts = Date.now() - 1000;
    const row = buildEventRow({ event_type: 'custom', event_id: createEventId(ts), ts }, tenant);
    // A lone surrogate the engine refuses for good, beside prompt text.
    const bad = JSON.stringify({ ...row, name: `bad \ud800 ${PROMPT}` });
    await server.app.eventWriter.write(Buffer.from(`${bad}\n`), 1);
    await receiver.waitFor((events) => events.some(withProblem('dead_letter')));
    const event = receiver.events.find(withProblem('dead_letter'))!;
    expect(event.tags?.org_id).toBe(server.tenant.orgId);
    expect(event.contexts?.tollgate).toMatchObject({ rows: 1, clickhouse_code: 25 });
    expect(event.level).toBe('warning');
  });

  it('never sends a key, a prompt, a response or a request body', async () => {
    await server.app.errorReporter.flush(5000);
    expect(receiver.rawBodies.length).toBeGreaterThan(0);
    const everything = receiver.rawBodies.join('\n');
    for (const secret of [
      server.tenant.projectKey,
      server.tenant.adminKey,
      PROVIDER_KEY,
      PROMPT,
      'a response nobody may see',
      'authorization',
      'Bearer',
    ]) {
      expect(everything, secret).not.toContain(secret);
    }
  });
});

describe('error reporting configuration', () => {
  it('is off without SENTRY_DSN, and takes its environment and release with it', () => {
    expect(loadConfiguration({}).sentry).toBeUndefined();
    expect(loadConfiguration({ SENTRY_DSN: 'https://abc@sentry.example/42' }).sentry).toEqual({
      dsn: 'https://abc@sentry.example/42',
      environment: 'production',
      release: undefined,
    });
    expect(disabledErrorReporter.enabled).toBe(false);
    // The release by default: the server package's version (read beside the source or the bundle).
    expect(defaultRelease()).toMatch(/^tollgate@\d+\.\d+\.\d+/);
  });

  it('refuses a SENTRY_DSN without a key or project, naming the variable', () => {
    expect(() => loadConfiguration({ SENTRY_DSN: 'http://127.0.0.1:9/' })).toThrow(/SENTRY_DSN/);
  });
});

function messageOf(event: ReceivedEvent): string {
  return typeof event.message === 'string' ? event.message : (event.message?.formatted ?? '');
}
