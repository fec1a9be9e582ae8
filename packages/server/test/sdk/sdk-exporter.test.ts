/**
 * The SDK's exporter against a real server: batching by size and interval,
 * retries after the server comes back, a bounded queue while it is away,
 * nothing thrown into the app, and everything flushed by shutdown() and at
 * process exit.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createTollgate, trackAIOperation, type EventInput, type Tollgate } from '@tollgate/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { startPausableProxy, type PausableProxy } from './pausable-proxy';
import { countingFetch, listEvents, until, waitForEvents } from './sdk-test-support';

let server: TestServer;
let proxy: PausableProxy;
const clients: Tollgate[] = [];

beforeAll(async () => {
  server = await startTestServer();
  proxy = await startPausableProxy(server.url);
});

afterEach(async () => {
  await proxy.start().catch(() => undefined);
  await Promise.all(clients.splice(0).map((client) => client.shutdown({ timeoutMs: 2000 })));
});

afterAll(async () => {
  await proxy.close();
  await server.close();
});

function client(options: Partial<Parameters<typeof createTollgate>[0]> = {}): Tollgate & {
  warnings: string[];
} {
  const warnings: string[] = [];
  const created = createTollgate({
    baseUrl: proxy.url,
    apiKey: server.tenant.projectKey,
    setAsDefault: false,
    flushOnExit: false,
    retryBaseMs: 20,
    retryMaxMs: 200,
    onWarning: (message) => warnings.push(message),
    ...options,
  });
  clients.push(created);
  return Object.assign(created, { warnings });
}

/** `count` custom events named after a fresh label, so each test reads back its own. */
function events(count: number): { label: string; list: EventInput[] } {
  const label = `sdk-${randomUUID()}`;
  return {
    label,
    list: Array.from({ length: count }, (_, index) => ({
      event_type: 'custom' as const,
      name: label,
      metadata: { index },
    })),
  };
}

async function arrived(label: string): Promise<number[]> {
  const stored = await listEvents(server, 'event_type=custom');
  return stored
    .filter((event) => event.name === label)
    .map((event) => event.metadata.index as number)
    .sort((a, b) => a - b);
}

describe('createTollgate against a real server', () => {
  it('sends full batches at once and the rest after the interval', async () => {
    const counting = countingFetch();
    const tollgate = client({ batchSize: 10, flushIntervalMs: 300, fetch: counting.fetch });
    const { label, list } = events(25);
    for (const event of list) tollgate.record(event);
    await until(() => counting.batches.length >= 2, 'the second batch');
    expect(counting.batches.slice(0, 2)).toEqual([10, 10]);
    await until(() => counting.batches.length >= 3, 'the third batch', { timeoutMs: 5000 });
    expect(counting.batches).toEqual([10, 10, 5]);
    await waitForEvents(
      server,
      'event_type=custom',
      (stored) => stored.filter((event) => event.name === label).length === 25,
    );
    expect(await arrived(label)).toEqual(list.map((_, index) => index));
    expect(tollgate.stats()).toMatchObject({ recorded: 25, sent: 25, queued: 0, dropped: 0 });
  });

  it('retries while the server is down and delivers everything once it is back', async () => {
    const tollgate = client({ batchSize: 10, flushIntervalMs: 50 });
    await proxy.stop();
    const { label, list } = events(30);
    for (const event of list) tollgate.record(event);
    await until(() => tollgate.stats().failedRequests >= 2, 'two failed requests');
    expect(tollgate.stats()).toMatchObject({ serverReachable: false, sent: 0, dropped: 0 });
    expect(
      tollgate.warnings.filter((warning) => warning.startsWith('cannot send events')),
    ).toHaveLength(1);

    await proxy.start();
    const result = await tollgate.flush({ timeoutMs: 10_000 });
    expect(result).toEqual({ complete: true, pending: 0, dropped: 0 });
    expect(await arrived(label)).toEqual(list.map((_, index) => index));
    expect(tollgate.stats()).toMatchObject({ serverReachable: true, sent: 30, dropped: 0 });
    expect(tollgate.warnings.at(-1)).toMatch(/^sending events to .* again$/);
  });

  it('keeps a bounded queue while the server is stopped, dropping the oldest and counting them', async () => {
    const tollgate = client({ batchSize: 10, maxQueueSize: 50, flushIntervalMs: 50 });
    await proxy.stop();
    const { label, list } = events(1000);
    for (const event of list) tollgate.record(event);
    const during = tollgate.stats();
    expect(during.queued).toBeLessThanOrEqual(50);
    expect(during.queued + during.inFlight + during.dropped).toBe(1000);
    expect(during.dropped).toBeGreaterThanOrEqual(940);

    await proxy.start();
    expect(await tollgate.flush({ timeoutMs: 10_000 })).toEqual({
      complete: true,
      pending: 0,
      dropped: 0,
    });
    const delivered = await arrived(label);
    const stats = tollgate.stats();
    expect(delivered.length).toBe(stats.sent);
    expect(stats.sent + stats.dropped).toBe(1000);
    // The newest events survive: the last one recorded is among those delivered.
    expect(delivered.at(-1)).toBe(999);
    expect(tollgate.warnings.some((warning) => warning.startsWith('the event queue is full'))).toBe(
      true,
    );
  });

  it('never throws into the app, whatever it records and wherever the server is', async () => {
    const nowhere = createTollgate({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'tg_nothing',
      setAsDefault: false,
      flushOnExit: false,
      retryBaseMs: 10,
      retryMaxMs: 20,
      onWarning: () => undefined,
    });
    clients.push(nowhere);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const tollgate = client({ batchSize: 5 });
    const { label, list } = events(3);
    expect(() => {
      tollgate.record({ event_type: 'custom', name: label, metadata: cyclic });
      tollgate.record({ event_type: 'nonsense' } as unknown as EventInput);
      for (const event of list) tollgate.record(event);
      nowhere.record(list[0]!);
    }).not.toThrow();

    const failure = new Error('the model refused');
    await expect(
      trackAIOperation(() => Promise.reject(failure), { tollgate: nowhere, model: 'gpt-4o' }),
    ).rejects.toBe(failure);
    await expect(trackAIOperation(async () => 42, { tollgate: nowhere })).resolves.toBe(42);

    expect(await tollgate.flush({ timeoutMs: 10_000 })).toEqual({
      complete: true,
      pending: 0,
      dropped: 0,
    });
    expect(await arrived(label)).toEqual([0, 1, 2]);
    expect(tollgate.stats()).toMatchObject({ sent: 3, rejected: 2 });
    expect(await nowhere.flush({ timeoutMs: 200 })).toMatchObject({ complete: false });
  });

  it('shutdown() sends everything still queued, then drops later events', async () => {
    const counting = countingFetch();
    const tollgate = client({ batchSize: 100, flushIntervalMs: 60_000, fetch: counting.fetch });
    const { label, list } = events(250);
    for (const event of list) tollgate.record(event);
    const result = await tollgate.shutdown();
    expect(result).toEqual({ complete: true, pending: 0, dropped: 0 });
    expect(counting.batches).toEqual([100, 100, 50]);
    expect(await arrived(label)).toHaveLength(250);
    tollgate.record(list[0]!);
    expect(tollgate.stats()).toMatchObject({ sent: 250, dropped: 1 });
  });

  it('flushes on process exit (beforeExit) without any call from the app', async () => {
    const label = `sdk-exit-${randomUUID()}`;
    const script = fileURLToPath(new URL('./exit-flush-app.ts', import.meta.url));
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        env: {
          ...process.env,
          TOLLGATE_URL: server.url,
          TOLLGATE_KEY: server.tenant.projectKey,
          LABEL: label,
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    expect(exitCode).toBe(0);
    expect(await arrived(label)).toHaveLength(42);
  });
});
