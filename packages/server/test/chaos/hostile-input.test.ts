/**
 * Hostile input: seeded property-based fuzzing (fast-check) of every JSON
 * endpoint and of OTLP protobuf, with malformed, oversized, deeply nested and
 * wrongly typed bodies, hostile headers and SQL-looking strings. Every answer
 * is below 500 and a 4xx carries an error code; a rejected ingestion writes
 * nothing and an accepted one writes exactly what it acknowledged; the server
 * still answers /healthz at the end. Copies of event ids (in a batch, across
 * batches, at the same time) are each stored once. Replay a run with TOLLGATE_FUZZ_SEED.
 */
import type { EventStore } from '@tollgate/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config';
import { closeStores, openStores } from '../../src/stores/open-stores';
import { createTempDir } from '../helpers/temp-dir';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { chaosSeed, printSummary } from './chaos-support';
import {
  asText,
  duplicateIdRounds,
  hostileBody,
  hostileHeaders,
  hostileQuery,
  hostileValue,
} from './hostile-arbitraries';

const SEED = chaosSeed('TOLLGATE_FUZZ_SEED');
/** Small enough that oversized bodies are cheap to build. */
const MAX_BYTES = 64 * 1024;

type ErrorShape = 'api' | 'openai' | 'anthropic' | 'otlp';

interface Target {
  name: string;
  runs: number;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** Writes events: rows stored must equal what was acknowledged (nothing when rejected). */
  writesEvents?: boolean;
  errorShape: ErrorShape;
  key: 'project' | 'admin';
  request: fc.Arbitrary<{ path: string; body?: string | Buffer; contentType?: string }>;
}

/** Counts rows committed to the real store, to catch partial writes. */
function countingStore(store: EventStore): { store: EventStore; rows(): number } {
  let rows = 0;
  const wrapped: EventStore = Object.create(store) as EventStore;
  Object.assign(wrapped, {
    insert: async (...args: Parameters<EventStore['insert']>) => {
      await store.insert(...args);
      rows += args[0].rowCount;
    },
  });
  return { store: wrapped, rows: () => rows };
}

const json = (body: fc.Arbitrary<string | Buffer>, path: fc.Arbitrary<string>) =>
  fc.record({ path, body, contentType: fc.constant('application/json') });

function targets(): Target[] {
  const fixed = (path: string) => fc.constant(path);
  const chatFields = ['model', 'messages', 'stream', 'max_tokens', 'temperature', 'tools'];
  return [
    {
      name: 'POST /api/v1/events (JSON)',
      runs: 1_500,
      method: 'POST',
      writesEvents: true,
      errorShape: 'api',
      key: 'project',
      request: json(
        hostileBody(MAX_BYTES, ['event_type', 'run_id', 'name', 'event_id', 'ts', 'metadata']),
        fixed('/api/v1/events'),
      ),
    },
    {
      name: 'POST /api/v1/events (NDJSON)',
      runs: 500,
      method: 'POST',
      writesEvents: true,
      errorShape: 'api',
      key: 'project',
      request: fc.record({
        path: fixed('/api/v1/events'),
        body: fc
          .array(hostileBody(4_096, ['event_type', 'run_id', 'name']), { maxLength: 5 })
          .map((lines) => lines.map(String).join('\n')),
        contentType: fc.constant('application/x-ndjson'),
      }),
    },
    {
      name: 'POST /v1/traces (OTLP JSON)',
      runs: 1_000,
      method: 'POST',
      writesEvents: true,
      errorShape: 'api',
      key: 'project',
      request: json(
        hostileBody(MAX_BYTES, ['resourceSpans', 'scopeSpans', 'spans']),
        fixed('/v1/traces'),
      ),
    },
    {
      name: 'POST /v1/traces (OTLP protobuf)',
      runs: 1_000,
      method: 'POST',
      writesEvents: true,
      errorShape: 'otlp',
      key: 'project',
      request: fc.record({
        path: fixed('/v1/traces'),
        body: fc.oneof(
          fc.uint8Array({ maxLength: 2_048 }).map((bytes) => Buffer.from(bytes)),
          // Field 1 (resource_spans) with a length that lies about what follows.
          fc
            .tuple(fc.integer({ min: 0, max: 2 ** 28 }), fc.uint8Array({ maxLength: 256 }))
            .map(([length, rest]) => Buffer.concat([Buffer.from([0x0a]), varint(length), rest])),
          fc.constant(Buffer.alloc(MAX_BYTES + 1, 0x0a)),
        ),
        contentType: fc.constant('application/x-protobuf'),
      }),
    },
    {
      name: 'POST /api/v1/events/:id/feedback',
      runs: 800,
      method: 'POST',
      writesEvents: true,
      errorShape: 'api',
      key: 'project',
      request: json(
        hostileBody(MAX_BYTES, ['score', 'comment']),
        hostileValue().map((id) => `/api/v1/events/${encodeURIComponent(asText(id))}/feedback`),
      ),
    },
    {
      name: 'admin: POST keys, projects, orgs; PUT routes, credentials; PATCH projects',
      runs: 1_600,
      method: 'POST',
      errorShape: 'api',
      key: 'admin',
      request: json(
        hostileBody(MAX_BYTES, [
          'name',
          'scopes',
          'project_id',
          'rate_limits',
          'deployments',
          'provider',
          'apiKey',
          'plan',
        ]),
        fc.constantFrom('/api/v1/admin/keys', '/api/v1/admin/projects', '/api/v1/admin/orgs'),
      ),
    },
    {
      name: 'admin: PUT routes and credentials',
      runs: 600,
      method: 'PUT',
      errorShape: 'api',
      key: 'admin',
      request: json(
        hostileBody(MAX_BYTES, ['model', 'deployments', 'provider', 'apiKey', 'deadlineMs']),
        fc
          .tuple(fc.constantFrom('routes', 'credentials'), hostileValue())
          .map(([kind, name]) => `/api/v1/admin/${kind}/${encodeURIComponent(asText(name))}`),
      ),
    },
    {
      name: 'GET read and analytics API with hostile query parameters',
      runs: 1_200,
      method: 'GET',
      errorShape: 'api',
      key: 'project',
      request: fc.record({
        path: fc
          .tuple(
            fc.constantFrom(
              '/api/v1/events',
              '/api/v1/analytics/cost',
              '/api/v1/analytics/cost/summary',
              '/api/v1/analytics/performance',
              '/api/v1/analytics/quality/success-rates',
              '/api/v1/analytics/quality/error-rate',
              '/api/v1/analytics/quality/top-errors',
              '/api/v1/analytics/quality/failures',
              '/api/v1/analytics/runs',
              '/api/v1/analytics/fallbacks',
              '/api/v1/analytics/chargeback',
              '/api/v1/analytics/recommendations',
            ),
            hostileQuery([
              'groupBy',
              'from',
              'to',
              'limit',
              'cursor',
              'run_id',
              'event_type',
              'bucket',
              'minSamples',
              'format',
            ]),
          )
          .map(([path, query]) => `${path}?${query}`),
      }),
    },
    {
      name: 'POST /v1/chat/completions',
      runs: 1_000,
      method: 'POST',
      errorShape: 'openai',
      key: 'project',
      request: json(hostileBody(MAX_BYTES, chatFields), fixed('/v1/chat/completions')),
    },
    {
      name: 'POST /v1/embeddings',
      runs: 500,
      method: 'POST',
      errorShape: 'openai',
      key: 'project',
      request: json(
        hostileBody(MAX_BYTES, ['model', 'input', 'dimensions', 'encoding_format']),
        fixed('/v1/embeddings'),
      ),
    },
    {
      name: 'POST /v1/messages',
      runs: 800,
      method: 'POST',
      errorShape: 'anthropic',
      key: 'project',
      request: json(
        hostileBody(MAX_BYTES, ['model', 'messages', 'max_tokens', 'system', 'stream']),
        fixed('/v1/messages'),
      ),
    },
  ];
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** Why an answer is not acceptable, or undefined when it is. */
function problemWith(shape: ErrorShape, status: number, body: string): string | undefined {
  if (status >= 500) return `status ${status}`;
  if (status < 400 || shape === 'otlp') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `a ${status} whose body is not JSON`;
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown; type?: unknown } }).error;
  if (shape === 'api' && (typeof error?.code !== 'string' || typeof error.message !== 'string')) {
    return `a ${status} without error.code and error.message`;
  }
  if (shape === 'openai' && typeof error?.message !== 'string') {
    return `a ${status} without an OpenAI error message`;
  }
  if (shape === 'anthropic' && (parsed as { type?: unknown }).type !== 'error') {
    return `a ${status} not in Anthropic's error format`;
  }
  if (/\n\s+at .+:\d+:\d+/.test(body)) return `a ${status} carrying a stack trace`;
  return undefined;
}

describe('chaos: hostile input', () => {
  it('answers every fuzzed request with a clear 4xx (or a success), never a 5xx or a partial write', async () => {
    const dataDir = createTempDir();
    const environment = {
      TOLLGATE_DATA_DIR: dataDir.path,
      TOLLGATE_INGEST_MAX_BYTES: String(MAX_BYTES),
    };
    const stores = await openStores(loadConfiguration(environment));
    const counting = countingStore(stores.events);
    const server: TestServer = await startTestServer({
      environment,
      build: { stores: { ...stores, events: counting.store } },
    });
    const keys = { project: server.tenant.projectKey, admin: server.tenant.adminKey };
    let cases = 0;
    let rejected = 0;
    const tally: string[] = [];
    const started = Date.now();
    try {
      for (const target of targets()) {
        let targetCases = 0;
        await fc.assert(
          fc.asyncProperty(target.request, hostileHeaders(), async (request, headers) => {
            const rowsBefore = counting.rows();
            const response = await server.app.inject({
              method: target.method,
              url: request.path,
              headers: {
                ...headers,
                authorization: `Bearer ${keys[target.key]}`,
                ...(request.contentType ? { 'content-type': request.contentType } : {}),
              },
              ...(target.method === 'GET' ? {} : { payload: request.body ?? '' }),
            });
            cases += 1;
            targetCases += 1;
            if (response.statusCode >= 400) rejected += 1;
            const problem = problemWith(target.errorShape, response.statusCode, response.body);
            if (problem)
              throw new Error(`${target.name}: ${problem}: ${response.body.slice(0, 500)}`);
            for (const [name, value] of Object.entries(response.headers)) {
              if (/x-evil/i.test(name) || /x-evil/i.test(String(value))) {
                throw new Error(`${target.name}: an injected header came back as ${name}`);
              }
            }
            if (!target.writesEvents) return;
            const written = counting.rows() - rowsBefore;
            const expected =
              response.statusCode >= 400
                ? 0
                : request.path === '/api/v1/events'
                  ? ((JSON.parse(response.body) as { event_ids?: string[] }).event_ids?.length ?? 0)
                  : request.path.endsWith('/feedback')
                    ? 1
                    : written; // OTLP reports rejections only, not what it stored
            if (written !== expected) {
              throw new Error(
                `${target.name}: ${written} rows written for a ${response.statusCode} acknowledging ${expected}`,
              );
            }
          }),
          { seed: SEED, numRuns: target.runs, endOnFailure: true },
        );
        tally.push(`${target.name}: ${targetCases}`);
      }
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      printSummary(
        'hostile input',
        `seed ${SEED} (replay: TOLLGATE_FUZZ_SEED=${SEED}); ${cases} fuzzed requests in ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
          `${rejected} rejected with a 4xx, 0 answered 5xx, 0 rows written beyond what was acknowledged; ` +
          `/healthz still 200; per endpoint: ${tally.join('; ')}`,
      );
    } finally {
      await server.close();
      await closeStores(stores);
      dataDir.remove();
    }
    expect(cases).toBeGreaterThanOrEqual(10_000);
  }, 900_000);
});

describe('chaos: duplicate event ids', () => {
  it('stores each acknowledged event_id once, whatever copies arrive and when', async () => {
    const dataDir = createTempDir();
    const server = await startTestServer({ environment: { TOLLGATE_DATA_DIR: dataDir.path } });
    const key = server.tenant.projectKey;
    const now = Date.now();
    const acknowledged = new Set<string>();
    let batches = 0;
    try {
      await fc.assert(
        fc.asyncProperty(duplicateIdRounds(now), async ({ pool, rounds }) => {
          for (const round of rounds) {
            const answers = await Promise.all(
              round.map((batch) =>
                server.request('/api/v1/events', {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify(batch),
                  key,
                }),
              ),
            );
            batches += round.length;
            for (const answer of answers) {
              expect(answer.status).toBe(200);
              const body = (await answer.json()) as { event_ids: string[] };
              for (const id of body.event_ids) acknowledged.add(id);
            }
          }
          // Every id of the pool that was acknowledged is stored exactly once.
          const stored = await storedIdCounts(server, key, now);
          for (const id of pool) {
            if (acknowledged.has(id)) expect(stored.get(id), id).toBe(1);
          }
        }),
        { seed: SEED, numRuns: 40, endOnFailure: true },
      );
      const stored = await storedIdCounts(server, key, now);
      expect([...stored.values()].every((count) => count === 1)).toBe(true);
      expect(stored.size).toBe(acknowledged.size);
      printSummary(
        'duplicate event ids',
        `seed ${SEED}; ${batches} batches in 40 runs, ${acknowledged.size} distinct ids acknowledged, each stored once`,
      );
    } finally {
      await server.close();
      dataDir.remove();
    }
  }, 600_000);
});

/** How many stored rows each event id has, in the last two hours. */
async function storedIdCounts(
  server: TestServer,
  key: string,
  now: number,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({
      from: String(now - 7_200_000),
      to: String(now + 60_000),
      limit: '1000',
      ...(cursor ? { cursor } : {}),
    });
    const response = await server.request(`/api/v1/events?${query}`, { key });
    expect(response.status).toBe(200);
    const page = (await response.json()) as {
      events: { event_id: string }[];
      next_cursor: string | null;
    };
    for (const event of page.events)
      counts.set(event.event_id, (counts.get(event.event_id) ?? 0) + 1);
    cursor = page.next_cursor;
  } while (cursor);
  return counts;
}
