/**
 * A row the event store refuses for good never takes other rows down: the
 * writer isolates it, stores the rest (other orgs' concurrent batches too),
 * keeps it as a dead letter an admin of its org can list and export, and
 * counts it in /metrics. The bad rows are written through the EventWriter
 * itself: ingestion's own checks would stop them at the API, and this
 * isolation must hold on its own.
 */
import { buildEventRow, createEventId, type EventTenant } from '@tollgate/core';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Spool } from '../../src/ingest/spool';
import { statementError } from '../../src/stores/events/event-store-error';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';
import { createTempDir } from '../helpers/temp-dir';
import { newTenant, type TestTenant } from '../helpers/new-tenant';

interface DeadLetterAnswer {
  org_id: string;
  event_id: string;
  event_time: string;
  error: string;
  error_code: number | null;
  row: string;
  row_base64: string;
}

/**
 * One JSONEachRow line of a custom event of `tenant`, with `name` exactly as given (any string):
 * the row builder repairs unstorable text, so the name is put back after it, as a row from
 * elsewhere (an older spool, another writer) could carry it.
 */
function rowOf(tenant: EventTenant, name: string, ts = Date.now() - 1_000): string {
  const row = buildEventRow({ event_type: 'custom', event_id: createEventId(ts), ts }, tenant);
  return JSON.stringify({ ...row, name });
}

async function eventNames(server: TestServer, key: string): Promise<string[]> {
  const response = await server.request('/api/v1/events?limit=1000', { key });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { events: { name: string }[] };
  return body.events.map((event) => event.name).sort();
}

async function deadLetters(server: TestServer, key: string): Promise<DeadLetterAnswer[]> {
  const response = await server.request('/api/v1/admin/dead-letters', { key });
  expect(response.status).toBe(200);
  return ((await response.json()) as { dead_letters: DeadLetterAnswer[] }).dead_letters;
}

async function metric(server: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((each) => each.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

async function storedRows(server: TestServer): Promise<number> {
  const tables = await server.app.stores.events.checkTables();
  return tables.find((table) => table.name === 'events')!.rows;
}

describe('a row the store refuses', () => {
  let server: TestServer;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    // A hundred partitions make a slow insert on a busy machine: it must not time out into the spool.
    server = await startTestServer({ environment: { TOLLGATE_INSERT_TIMEOUT_MS: '300000' } });
    a = await newTenant(server.app.stores.meta, 'org a', 7300);
    b = await newTenant(server.app.stores.meta, 'org b', 7300);
  });
  afterAll(() => server.close());

  it('is dead-lettered while the rest of its shared insert and another org’s concurrent batch are stored', async () => {
    // A lone surrogate (valid JSON, refused by the engine) in org A's row, in one insert with
    // a good row of A and a good row of B; org B's own batch arrives over HTTP at the same time.
    const badRow = rowOf(a, 'bad \ud800 name');
    const shared = [rowOf(a, 'a-good'), badRow, rowOf(b, 'b-shared')].join('\n') + '\n';
    const [written, answered] = await Promise.all([
      server.app.eventWriter.write(Buffer.from(shared), 3),
      postJson(server, '/api/v1/events', [{ event_type: 'custom', name: 'b-http' }], b.projectKey),
    ]);
    expect(written).toBeUndefined();
    expect(answered.status).toBe(200);

    expect(await eventNames(server, a.projectKey)).toEqual(['a-good']);
    expect(await eventNames(server, b.projectKey)).toEqual(['b-http', 'b-shared']);

    const [letter, ...others] = await deadLetters(server, a.adminKey);
    expect(others).toEqual([]);
    expect(letter).toMatchObject({
      org_id: a.orgId,
      event_id: JSON.parse(badRow).event_id,
      error_code: 25,
    });
    expect(letter!.error).toMatch(/surrogate/);
    // The row as it was sent, byte for byte.
    expect(Buffer.from(letter!.row_base64, 'base64').toString('utf8')).toBe(badRow);
    expect(JSON.parse(letter!.row).name).toBe('bad \ud800 name');
    // Tenants are walls: org B's admin sees none of org A's dead letters.
    expect(await deadLetters(server, b.adminKey)).toEqual([]);
    const named = await server.request(`/api/v1/admin/dead-letters?org_id=${a.orgId}`, {
      key: b.adminKey,
    });
    expect(named.status).toBe(404);
    // The operator's admins read any org's with ?org_id=.
    const operator = await server.request(`/api/v1/admin/dead-letters?org_id=${a.orgId}`, {
      key: server.tenant.adminKey,
    });
    expect(operator.status).toBe(200);
    expect(((await operator.json()) as { dead_letters: unknown[] }).dead_letters).toHaveLength(1);
    expect(await metric(server, 'tollgate_events_dead_lettered_total')).toBe(1);
    expect(server.app.eventWriter.isSpooling).toBe(false);
  });

  it('exports every dead letter of the org as NDJSON, a NUL kept too', async () => {
    // A NUL is stored fine by the engine: this row is refused for its time.
    const nulRow = rowOf(a, 'nul \u0000 name').replace(/"ts":"[^"]*"/, '"ts":"not a time"');
    await server.app.eventWriter.write(Buffer.from(`${nulRow}\n`), 1);
    const response = await server.request('/api/v1/admin/dead-letters/export', {
      key: a.adminKey,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as DeadLetterAnswer);
    expect(lines).toHaveLength(2);
    expect(Buffer.from(lines[0]!.row_base64, 'base64').toString('utf8')).toBe(nulRow);
    expect(lines.every((line) => line.org_id === a.orgId)).toBe(true);
  });

  it('needs an org admin key', async () => {
    const response = await server.request('/api/v1/admin/dead-letters', { key: a.projectKey });
    expect(response.status).toBe(403);
  });

  it('stores a legitimately wide batch (a backfill over 101 months) by splitting it by month', async () => {
    const before = await storedRows(server);
    const refusedBefore = await metric(server, 'tollgate_events_dead_lettered_total');
    const months = Array.from({ length: 101 }, (_, index) =>
      rowOf(a, `backfill-${index}`, Date.UTC(2016, index, 15)),
    );
    await server.app.eventWriter.write(Buffer.from(`${months.join('\n')}\n`), months.length);
    expect(await storedRows(server)).toBe(before + 101);
    expect(server.app.eventWriter.isSpooling).toBe(false);
    expect(await metric(server, 'tollgate_events_dead_lettered_total')).toBe(refusedBefore);
  }, 300_000); // a hundred partitions: a part per month and table, slow on a busy machine
});

describe('a gateway call with unstorable text', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('takes no other call’s record down: each is answered and recorded, its text repaired', async () => {
    const a = await newTenant(server.app.stores.meta, 'gateway a');
    const b = await newTenant(server.app.stores.meta, 'gateway b');
    const chat = (key: string, extra: Record<string, unknown>) =>
      postJson(
        server,
        '/v1/chat/completions',
        { model: 'simulated/poison', messages: [{ role: 'user', content: 'hi' }], ...extra },
        key,
      );
    // `user` becomes the record's user_id: a lone surrogate there would be refused by the
    // engine, so the row builder replaces it (U+FFFD) and the call is recorded, not refused.
    const answers = await Promise.all([
      chat(a.projectKey, { user: 'bad \ud800 user' }),
      ...Array.from({ length: 10 }, () => chat(b.projectKey, {})),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual(Array(11).fill(200));
    await server.app.callRecords.flush();

    const recorded = await server.request('/api/v1/events?event_type=prompt_call&limit=100', {
      key: b.projectKey,
    });
    expect(((await recorded.json()) as { events: unknown[] }).events).toHaveLength(10);
    const own = await server.request('/api/v1/events?event_type=prompt_call&limit=100', {
      key: a.projectKey,
    });
    const events = ((await own.json()) as { events: { user_id: string }[] }).events;
    expect(events.map((event) => event.user_id)).toEqual(['bad \ufffd user']);
    expect(await deadLetters(server, a.adminKey)).toEqual([]);
  });
});

describe('a poison batch in the spool', () => {
  it('is replayed once at start: the bad row dead-lettered, the rest stored, the spool emptied', async () => {
    const directory = createTempDir();
    const tenant: EventTenant = {
      orgId: 'org_spooled',
      projectId: 'proj_spooled',
      retentionDays: 90,
    };
    const spool = new Spool(join(directory.path, 'spool', 'events.spool'), 1 << 20);
    await spool.open();
    const good = [rowOf(tenant, 'spooled-1'), rowOf(tenant, 'spooled-2')];
    const rows = `${good[0]}\n${rowOf(tenant, 'poison \ud800')}\n${good[1]}\n`;
    await spool.append({ id: createEventId(), rows: Buffer.from(rows), rowCount: 3 });
    await spool.close();

    const server = await startTestServer({ environment: { TOLLGATE_DATA_DIR: directory.path } });
    try {
      expect(server.app.eventWriter.stats).toMatchObject({ replayedRows: 2, deadLetteredRows: 1 });
      expect(server.app.eventWriter.isSpooling).toBe(false);
      expect(await storedRows(server)).toBe(2);
      const letters = await server.app.stores.meta.listDeadLetters('org_spooled', { limit: 10 });
      expect(letters).toHaveLength(1);
      // Ingestion goes on, and the poison batch is not tried again.
      const answered = await postJson(server, '/api/v1/events', [{ event_type: 'custom' }]);
      expect(answered.status).toBe(200);
      expect(await storedRows(server)).toBe(3);
      expect(server.app.eventWriter.stats.deadLetteredRows).toBe(1);
    } finally {
      await server.close();
      directory.remove();
    }
  }, 120_000); // starts a second server, slow on a busy machine
});

describe('ClickHouse error codes', () => {
  it('tell an outage (spool and retry) from a refusal of the rows (isolate)', () => {
    expect(statementError('Too many parts (300). Merges are processing', 252, null).retryable).toBe(
      true,
    );
    expect(
      statementError('Too many partitions for single INSERT block (more than 100)', 252, null)
        .retryable,
    ).toBe(false);
    expect(statementError('Cannot parse escape sequence', 25, null).retryable).toBe(false);
    expect(statementError('Memory limit exceeded', 241, null).retryable).toBe(true);
    expect(statementError('Table default.events does not exist', 60, null).retryable).toBe(true);
  });
});
