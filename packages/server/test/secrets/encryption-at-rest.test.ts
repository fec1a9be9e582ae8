/**
 * Encryption at rest as an operator meets it: a project turns on
 * `content_encryption` through the admin API, content arrives by the SDK's
 * route, a tool call and the gateway, and then the raw ClickHouse rows (read
 * with the server stopped, straight from the data directory) hold none of it
 * while the API shows all of it. A server started with another
 * `TOLLGATE_SECRET_KEY` refuses to start; `tollgate secrets rotate` moves the
 * install to a new key without rewriting an event.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportEventsCommand } from '../../src/cli/export-command';
import { secretsRotateCommand } from '../../src/cli/secrets-command';
import { loadConfiguration } from '../../src/config';
import { ResponseCache } from '../../src/gateway/call/response-cache';
import { ChdbDriver } from '../../src/stores/events/chdb';
import { closeStores, openStores } from '../../src/stores/open-stores';
import { credentialAssociatedData, SecretBox } from '../../src/secrets/secret-box';
import { waitFor } from '../helpers/poll';
import { createTempDir } from '../helpers/temp-dir';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

const PROMPT = 'Patient Zelda Quimby, born 1961, asks about dosage';
const ANSWER = 'Quimby should take the secret-answer-7731 dose';
const TOOL_INPUT = '{"account":"acct-secret-5512"}';
const TOOL_OUTPUT = 'balance-secret-9044';
const META = 'meta-secret-2208';
const GATEWAY_PROMPT = 'gateway-secret-6619 please summarise';
const CACHED_PROMPT = 'cached-secret-4420 say it again';
const FALLBACK_ARGUMENTS = '[{"invoice":"inv-secret-8812"}]';
const SECRETS = [
  PROMPT,
  ANSWER,
  'acct-secret-5512',
  TOOL_OUTPUT,
  META,
  GATEWAY_PROMPT,
  CACHED_PROMPT,
  'inv-secret-8812',
];

const firstKey = randomBytes(32).toString('hex');
const secondKey = randomBytes(32).toString('hex');
const directory = createTempDir('tollgate-encryption-');
let server: TestServer;
let running = false;
let adminKey: string;
let projectKey: string;
let orgId: string;
let projectId: string;

interface StoredEvent {
  event_id: string;
  event_type: string;
  input: string;
  output: string;
  metadata: Record<string, unknown>;
  request_id: string;
}

const routes = join(directory.path, 'routes.yaml');
writeFileSync(
  routes,
  'routes:\n  - model: cached\n    cacheTtlSeconds: 60\n    deployments:\n      - { provider: simulated, model: simulated/cached }\n',
);

async function start(secretKey: string): Promise<TestServer> {
  const started = await startTestServer({
    dataDir: directory.path,
    environment: { TOLLGATE_SECRET_KEY: secretKey, TOLLGATE_ROUTES: routes },
  });
  running = true;
  return started;
}

async function stop(): Promise<void> {
  if (running) await server.close();
  running = false;
}

/** The project's events once `count` (other than guardrail matches) are stored. */
async function storedEvents(key: string, count: number): Promise<StoredEvent[]> {
  return waitFor(
    async () => {
      const response = await server.request('/api/v1/events?limit=100', { key });
      return ((await response.json()) as { events: StoredEvent[] }).events;
    },
    (events) => events.filter((event) => event.event_type !== 'guardrail').length >= count,
    `${count} events to be stored`,
  );
}

/** Every column of every stored row, as ClickHouse holds it, with no server in between. */
async function rawRows(): Promise<string> {
  const driver = ChdbDriver.open(join(directory.path, 'events'));
  try {
    const rows = await driver.query<Record<string, unknown>>('SELECT * FROM events');
    return JSON.stringify(rows);
  } finally {
    await driver.close();
  }
}

beforeAll(async () => {
  server = await start(firstKey);
  ({ adminKey, projectKey, orgId, projectId } = server.tenant);
  const patched = await server.request(`/api/v1/admin/projects/${projectId}`, {
    method: 'PATCH',
    key: adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content_encryption: true }),
  });
  expect(patched.status).toBe(200);
  expect(((await patched.json()) as { content_encryption: boolean }).content_encryption).toBe(true);
  const credential = await server.request('/api/v1/admin/credentials/openai-main', {
    method: 'PUT',
    key: adminKey,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'openai', apiKey: 'sk-live-credential-1234' }),
  });
  expect(credential.status).toBe(200);

  const ingested = await postJson(
    server,
    '/api/v1/events',
    [
      {
        event_type: 'prompt_call',
        provider: 'openai',
        model: 'gpt-4o',
        input_tokens: 12,
        output_tokens: 9,
        input: PROMPT,
        output: ANSWER,
        metadata: { customer: META, seats: 3 },
      },
      { event_type: 'tool_call', tool_name: 'lookup', input: TOOL_INPUT, output: TOOL_OUTPUT },
      {
        event_type: 'ai_fallback',
        service: 'crm',
        name: 'formatInvoice',
        model: 'gpt-4o-mini',
        input: FALLBACK_ARGUMENTS,
        status: 'success',
      },
    ],
    projectKey,
  );
  expect(ingested.status).toBe(200);
  const call = await postJson(
    server,
    '/v1/chat/completions',
    { model: 'simulated/demo', messages: [{ role: 'user', content: GATEWAY_PROMPT }] },
    projectKey,
  );
  expect(call.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await stop();
  directory.remove();
});

describe('a project with content_encryption', () => {
  it('shows its prompts, responses, tool input and metadata to its keys through the API', async () => {
    const events = await storedEvents(projectKey, 4);
    const call = events.find((event) => event.input === PROMPT)!;
    expect(call.output).toBe(ANSWER);
    expect(call.metadata).toEqual({ customer: META, seats: 3 });
    const tool = events.find((event) => event.event_type === 'tool_call')!;
    expect(tool.input).toBe(TOOL_INPUT);
    expect(tool.output).toBe(TOOL_OUTPUT);
    const gateway = events.find((event) => event.input.includes(GATEWAY_PROMPT))!;
    expect(gateway.output.length).toBeGreaterThan(0);

    const detail = await server.request(`/api/v1/events/${call.event_id}`, { key: adminKey });
    expect(detail.status).toBe(200);
    const shown = (await detail.json()) as {
      event: StoredEvent;
      content: { stored: boolean; encrypted: boolean };
    };
    expect(shown.content).toMatchObject({ stored: true, encrypted: true });
    expect(shown.event.input).toBe(PROMPT);

    // The AI fallback's typical arguments are read by ClickHouse aggregation, and still opened.
    const learning = await server.request(
      '/api/v1/analytics/fallbacks/learning-candidates?minSuccesses=0',
      { key: adminKey },
    );
    const candidates = (
      (await learning.json()) as { candidates: { method: string; typical_arguments: unknown[] }[] }
    ).candidates;
    expect(candidates.find((each) => each.method === 'formatInvoice')!.typical_arguments).toEqual([
      [{ invoice: 'inv-secret-8812' }],
    ]);
    expect(shown.event.metadata).toEqual({ customer: META, seats: 3 });
  });

  it('keeps the response cache sealed in the hot store, and still answers from it', async () => {
    const request = {
      model: 'cached',
      messages: [{ role: 'user' as const, content: CACHED_PROMPT }],
    };
    const cacheStatuses: (string | null)[] = [];
    const answers: string[] = [];
    for (let round = 0; round < 2; round += 1) {
      const response = await postJson(server, '/v1/chat/completions', request, projectKey);
      expect(response.status).toBe(200);
      cacheStatuses.push(response.headers.get('x-tollgate-cache'));
      answers.push(JSON.stringify(((await response.json()) as { choices: unknown }).choices));
    }
    expect(cacheStatuses).toEqual(['miss', 'hit']);
    expect(answers[1]).toBe(answers[0]);
    const kept = await server.app.stores.hot.get(
      new ResponseCache(server.app.stores.hot).keyOf(orgId, 'cached', request),
    );
    expect(kept).toMatch(/^tgenc:v1:/);
    expect(kept).not.toContain(answers[0]!.slice(20, 60));
  });

  it('refuses free-text search over it, naming q, instead of missing every event', async () => {
    for (const path of ['/api/v1/events?q=Quimby', '/api/v1/analytics/users?q=Quimby']) {
      const response = await server.request(path, { key: adminKey });
      expect(response.status).toBe(400);
      const body = (await response.json()) as {
        error: { code: string; message: string; details: { field: string } };
      };
      expect(body.error.details.field).toBe('q');
      expect(body.error.message).toMatch(/content_encryption/);
    }
    const filtered = await server.request('/api/v1/events?event_type=tool_call', {
      key: adminKey,
    });
    expect(filtered.status).toBe(200);
  });

  it('keeps no plaintext in the raw ClickHouse rows', async () => {
    await stop();
    const raw = await rawRows();
    expect(raw).toContain('tgenc:v1:');
    expect(raw).toContain('lookup'); // what is not content stays readable (tool name)
    for (const secret of SECRETS) expect(raw).not.toContain(secret);
    expect(raw).not.toContain('Quimby');
  });

  it('does not start with another TOLLGATE_SECRET_KEY, and says why', async () => {
    await expect(start(secondKey)).rejects.toThrow(
      /TOLLGATE_SECRET_KEY is not the key that wrapped 1 of 1 content keys/,
    );
  });

  it('moves to a new key with `tollgate secrets rotate`, every event still readable', async () => {
    const configuration = loadConfiguration({
      TOLLGATE_DATA_DIR: directory.path,
      LOG_LEVEL: 'warn',
      TOLLGATE_SECRET_KEY: secondKey,
      TOLLGATE_PREVIOUS_SECRET_KEY: firstKey,
    });
    await secretsRotateCommand(configuration);
    // The provider credential was re-sealed under the new key too.
    const stores = await openStores(configuration);
    try {
      const { credentials, contentKeys } = await stores.meta.listAllSecrets();
      expect(contentKeys).toHaveLength(1);
      const [credential] = credentials;
      const box = new SecretBox(Buffer.from(secondKey, 'hex'));
      expect(
        box.decrypt(credential!.ciphertext, credentialAssociatedData(orgId, 'openai-main')),
      ).toBe('sk-live-credential-1234');
    } finally {
      await closeStores(stores);
    }

    server = await start(secondKey);
    const events = await storedEvents(projectKey, 6);
    expect(events.find((event) => event.event_type === 'tool_call')!.output).toBe(TOOL_OUTPUT);
    expect(events.some((event) => event.input === PROMPT)).toBe(true);
    await stop();
    await expect(start(firstKey)).rejects.toThrow(/is not the key that wrapped/);
  });

  it('exports its events opened with `tollgate export events`, beside a server and without one', async () => {
    const configuration = loadConfiguration({
      TOLLGATE_DATA_DIR: directory.path,
      LOG_LEVEL: 'warn',
      TOLLGATE_SECRET_KEY: secondKey,
    });
    const range = { from: String(Date.now() - 3_600_000), to: String(Date.now() + 60_000) };
    const exported = async (options: { url?: string; adminKey?: string }) => {
      const lines: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        lines.push(String(chunk));
        return true;
      });
      try {
        await exportEventsCommand(configuration, { ...range, ...options });
      } finally {
        spy.mockRestore();
      }
      return lines
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as StoredEvent);
    };
    server = await start(secondKey);
    const throughServer = await exported({ url: server.url, adminKey });
    await stop();
    const direct = await exported({});
    for (const events of [throughServer, direct]) {
      expect(events.filter((event) => event.event_type !== 'guardrail')).toHaveLength(6);
      expect(events.find((event) => event.event_type === 'tool_call')!.input).toBe(TOOL_INPUT);
      expect(events.find((event) => event.output === ANSWER)!.metadata).toEqual({
        customer: META,
        seats: 3,
      });
    }
  });
});
