/**
 * Hostile events: seeded batches (fast-check) mixing valid events with events
 * that each carry one defect (a time no store keeps, a lone surrogate or a NUL
 * in any string, metadata nested up to 20,000 levels, an unknown field). Every
 * defective event gets a per-item error naming its field, every valid one of
 * the same batch is stored and readable, and another org, ingesting and calling
 * the gateway all the while, loses nothing. Replay with TOLLGATE_FUZZ_SEED.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { chaosSeed, listRunEvents, printSummary, reconcile } from './chaos-support';
import {
  hostileEventBatch,
  partitionSpreadBatch,
  serializeHostileBatch,
  type EventWindow,
  type HostileEvent,
} from './hostile-arbitraries';

const SEED = chaosSeed('TOLLGATE_FUZZ_SEED');
const DAY_MS = 86_400_000;
/** Long enough that a batch's `ts` spread over the whole retention crosses 100 monthly partitions. */
const RETENTION_DAYS = 3_650;
const BATCHES = 150;
const HOSTILE_RUN = 'hostile-events';
const NEIGHBOUR_INGEST_RUN = 'neighbour-ingest';
const NEIGHBOUR_GATEWAY_RUN = 'neighbour-gateway';

interface BatchAnswer {
  event_ids?: string[];
  errors?: Array<{ index: number; field: string; message: string }>;
  error?: { code: string; details?: { errors?: BatchAnswer['errors'] } };
}

/** An org with a long retention and a project key (ingest, read): the hostile tenant. */
async function hostileTenant(server: TestServer): Promise<string> {
  const { meta } = server.app.stores;
  const org = await meta.createOrganization({ name: 'hostile', retentionDays: RETENTION_DAYS });
  const project = await meta.createProject({ orgId: org.id, name: 'hostile project' });
  const issued = await issueApiKey(meta, {
    orgId: org.id,
    projectId: project.id,
    name: 'hostile key',
    scopes: ['ingest', 'read'],
  });
  return issued.secret;
}

/** Ids of a run's events over the whole retention, read 399 days at a time. */
async function storedIds(server: TestServer, key: string, runId: string, window: EventWindow) {
  const ids: string[] = [];
  const end = window.now + 2 * 3_600_000;
  for (let to = end; to > window.now - window.retentionDays * DAY_MS; to -= 399 * DAY_MS) {
    let cursor: string | null = null;
    do {
      const response = await server.request(
        `/api/v1/events?run_id=${runId}&from=${to - 399 * DAY_MS}&to=${to}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { key },
      );
      expect(response.status).toBe(200);
      const page = (await response.json()) as {
        events: Array<{ event_id: string }>;
        next_cursor: string | null;
      };
      ids.push(...page.events.map((event) => event.event_id));
      cursor = page.next_cursor;
    } while (cursor);
  }
  return ids;
}

/** Why the answer to `batch` is wrong, or undefined when every item got its due. */
function problemWith(batch: readonly HostileEvent[], status: number, answer: BatchAnswer) {
  const valid = batch.filter((item) => item.field === undefined).length;
  if (status >= 500) return `status ${status}`;
  if (valid === 0 && (status !== 400 || answer.error?.code !== 'invalid_events')) {
    return `no valid event but ${status} ${answer.error?.code ?? ''}`;
  }
  if (valid > 0 && status !== (valid === batch.length ? 200 : 207)) {
    return `${valid} of ${batch.length} valid but ${status}`;
  }
  const errors = answer.errors ?? answer.error?.details?.errors ?? [];
  for (const [index, item] of batch.entries()) {
    const own = errors.filter((error) => error.index === index);
    if (item.field === undefined && own.length > 0) {
      return `valid item ${index} refused: ${JSON.stringify(own)}`;
    }
    if (item.field !== undefined && own.length === 0) {
      return `item ${index} (${item.kind}) stored, not refused by ${item.field}`;
    }
    const wrong = own.find((error) => error.field !== item.field);
    if (wrong)
      return `item ${index} (${item.kind}) refused by ${wrong.field}, not ${item.field}: ${wrong.message}`;
  }
  if ((answer.event_ids ?? []).length !== valid) {
    return `${answer.event_ids?.length ?? 0} acknowledged for ${valid} valid events`;
  }
  return undefined;
}

/** The other org: ingests valid batches and calls the gateway until `stopped()`. */
async function neighbour(server: TestServer, stopped: () => boolean) {
  const acknowledged: string[] = [];
  const answered: string[] = [];
  const failures: string[] = [];
  for (let round = 0; !stopped(); round += 1) {
    if (round % 2 === 0) {
      const events = Array.from({ length: 20 }, (_, index) => ({
        event_type: 'custom',
        run_id: NEIGHBOUR_INGEST_RUN,
        name: `neighbour ${round}.${index}`,
      }));
      const response = await server.request('/api/v1/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
      const body = (await response.json()) as { event_ids?: string[] };
      if (response.status !== 200) failures.push(`ingest ${response.status}`);
      acknowledged.push(...(body.event_ids ?? []));
      continue;
    }
    const requestId = `neighbour-${randomUUID()}`;
    const response = await server.request('/v1/chat/completions', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': requestId,
        'x-tollgate-run-id': NEIGHBOUR_GATEWAY_RUN,
      },
      body: JSON.stringify({
        model: 'simulated/neighbour',
        messages: [{ role: 'user', content: 'Say hello' }],
      }),
    });
    await response.text();
    if (response.status === 200) answered.push(requestId);
    else failures.push(`gateway ${response.status}`);
  }
  return { acknowledged, answered, failures };
}

describe('chaos: hostile events', () => {
  it('refuses each hostile event by its field, stores the rest, and another org loses nothing', async () => {
    const server = await startTestServer();
    let stopped = false;
    try {
      const key = await hostileTenant(server);
      const window: EventWindow = { now: Date.now(), retentionDays: RETENTION_DAYS };
      const running = neighbour(server, () => stopped);
      const acknowledged: string[] = [];
      const kinds = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(hostileEventBatch(HOSTILE_RUN, window), async (batch) => {
          const response = await server.request('/api/v1/events', {
            method: 'POST',
            key,
            headers: { 'content-type': 'application/json' },
            body: serializeHostileBatch(batch),
          });
          const answer = (await response.json()) as BatchAnswer;
          const problem = problemWith(batch, response.status, answer);
          if (problem) throw new Error(problem);
          acknowledged.push(...(answer.event_ids ?? []));
          for (const item of batch) kinds.set(item.kind, (kinds.get(item.kind) ?? 0) + 1);
        }),
        { seed: SEED, numRuns: BATCHES, endOnFailure: true },
      );
      stopped = true;
      const neighbourRun = await running;

      const hostile = reconcile(acknowledged, await storedIds(server, key, HOSTILE_RUN, window));
      expect(hostile).toEqual({ lost: [], duplicated: [] });
      expect(neighbourRun.failures).toEqual([]);
      const ingested = await listRunEvents(
        server.url,
        server.tenant.projectKey,
        NEIGHBOUR_INGEST_RUN,
      );
      expect(
        reconcile(
          neighbourRun.acknowledged,
          ingested.map((event) => event.event_id),
        ),
      ).toEqual({ lost: [], duplicated: [] });
      // The gateway records after answering: wait (bounded) for the last records to land.
      let recorded: string[] = [];
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const events = await listRunEvents(
          server.url,
          server.tenant.projectKey,
          NEIGHBOUR_GATEWAY_RUN,
        );
        recorded = events.map((event) => event.request_id);
        if (recorded.length >= neighbourRun.answered.length) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(reconcile(neighbourRun.answered, recorded)).toEqual({ lost: [], duplicated: [] });
      expect(neighbourRun.answered.length).toBeGreaterThan(0);

      printSummary(
        'hostile events',
        `seed ${SEED} (replay: TOLLGATE_FUZZ_SEED=${SEED}); ${BATCHES} batches: ` +
          `${[...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ')}; ` +
          `every defective event refused by its field, ${acknowledged.length} valid ones stored and read back; ` +
          `the other org meanwhile: ${neighbourRun.acknowledged.length} events ingested, ` +
          `${neighbourRun.answered.length} gateway calls answered and recorded, 0 lost`,
      );
    } finally {
      stopped = true;
      await server.close();
    }
  }, 600_000);

  // Every event is inside the org's retention, so validation must accept them all; the
  // writer splits the insert by partition (ClickHouse refuses one touching more than 100).
  it('stores a batch spread over 120 monthly partitions of the retention, every event readable', async () => {
    const server = await startTestServer();
    try {
      const key = await hostileTenant(server);
      const window: EventWindow = { now: Date.now(), retentionDays: RETENTION_DAYS };
      const batch = partitionSpreadBatch('partition-spread', window.now, 120);
      const response = await server.request('/api/v1/events', {
        method: 'POST',
        key,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      expect(response.status).toBe(200);
      const { event_ids: ids } = (await response.json()) as { event_ids: string[] };
      expect(ids).toHaveLength(120);
      expect(reconcile(ids, await storedIds(server, key, 'partition-spread', window))).toEqual({
        lost: [],
        duplicated: [],
      });
    } finally {
      await server.close();
    }
  }, 120_000);
});
