/**
 * Every event field is validated before the insert (issue 13, item 1): a bad
 * event of a batch gets a 4xx naming its field, the good ones of the same
 * batch are stored and read back, and nothing bad reaches the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type TestServer } from '../helpers/test-server';

let server: TestServer;
const DAY_MS = 86_400_000;

interface BatchAnswer {
  accepted: number;
  rejected: number;
  event_ids: string[];
  errors: Array<{ index: number; field: string; message: string }>;
}

interface ListedEvent {
  event_id: string;
  run_id: string;
  name: string;
  ts: string;
  input: unknown;
  input_tokens: number;
}

function deeplyNested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 0; level < depth; level += 1) value = { a: value };
  return value;
}

/** Stands for metadata nested 10,000 levels: JSON.stringify itself cannot go that deep. */
const DEEP = '(10,000 levels)';
const deepJson = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;

/** The run's events, read back through the API over the given time range. */
async function readRun(runId: string, from: number, to = Date.now() + 60_000) {
  const response = await server.request(
    `/api/v1/events?run_id=${runId}&from=${from}&to=${to}&limit=1000`,
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: ListedEvent[] }).events;
}

const good = (runId: string, name: string, extra: Record<string, unknown> = {}) => ({
  event_type: 'custom',
  run_id: runId,
  name,
  ...extra,
});

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('POST /api/v1/events refuses each bad event by field and stores the rest', () => {
  const runId = 'run-validation-batch';
  const now = Date.now();
  const bad: Array<{ event: Record<string, unknown>; field: string; says: RegExp }> = [
    { event: good(runId, 'epoch 0', { ts: 0 }), field: 'ts', says: /retention/ },
    {
      event: good(runId, 'pre-1970', { ts: '1969-07-20T20:17:40Z' }),
      field: 'ts',
      says: /before 1970/,
    },
    { event: good(runId, '2106', { ts: 4_294_967_296_000 }), field: 'ts', says: /future/ },
    { event: good(runId, '2262', { ts: '2262-04-11T23:47:16Z' }), field: 'ts', says: /future/ },
    { event: good(runId, '9999', { ts: '9999-12-31T23:59:59Z' }), field: 'ts', says: /future/ },
    { event: good(runId, 'huge', { ts: 1e20 }), field: 'ts', says: /./ },
    {
      event: good(runId, 'retention', { ts: now - 100 * DAY_MS }),
      field: 'ts',
      says: /90 days of retention/,
    },
    {
      event: good(runId, 'bad ulid', { event_id: 'z'.repeat(26) }),
      field: 'event_id',
      says: /ULID/,
    },
    {
      event: good(runId, 'ulid over 48 bits', { event_id: `8${'0'.repeat(25)}` }),
      field: 'event_id',
      says: /ULID/,
    },
    {
      event: good(runId, 'ulid of 1970', { event_id: '0'.repeat(26) }),
      field: 'event_id',
      says: /retention/,
    },
    {
      event: good(runId, 'deep', { metadata: DEEP }),
      field: 'metadata',
      says: /deeper than 32/,
    },
    {
      event: good(runId, 'wide', { metadata: { blob: 'x'.repeat(270_000) } }),
      field: 'metadata',
      says: /262144/,
    },
    { event: good(runId, 'nul\u0000name'), field: 'name', says: /NUL/ },
    {
      event: good(runId, 'surrogate', { input: 'half \ud800 a pair' }),
      field: 'input',
      says: /surrogate/,
    },
    {
      event: good(runId, 'nested surrogate', { metadata: { user: { note: '\udfff' } } }),
      field: 'metadata.user.note',
      says: /U\+DFFF/,
    },
    { event: good(runId, 'tags nul', { tags: ['ok', 'a\u0000b'] }), field: 'tags.1', says: /NUL/ },
    {
      event: {
        event_type: 'prompt_call',
        run_id: runId,
        model: 'gpt-4o',
        tokens_input: 120,
        output_tokens: 5,
      },
      field: 'tokens_input',
      says: /did you mean "input_tokens"/,
    },
    {
      event: good(runId, 'typo', { lantency_ms: 3 }),
      field: 'lantency_ms',
      says: /did you mean "latency_ms"/,
    },
    {
      event: good(runId, '3 MB input', { input: 'x'.repeat(3_000_000) }),
      field: 'input',
      says: /1000000 characters/,
    },
    {
      event: good(runId, '3 MB JSON input', { input: [{ content: 'x'.repeat(3_000_000) }] }),
      field: 'input',
      says: /limit is 1000000/,
    },
    {
      event: {
        event_type: 'prompt_call',
        run_id: runId,
        model: 'gpt-4o',
        input_tokens: -1,
      },
      field: 'input_tokens',
      says: /./,
    },
    {
      event: {
        event_type: 'prompt_call',
        run_id: runId,
        model: 'gpt-4o',
        output_tokens: 2 ** 53,
      },
      field: 'output_tokens',
      says: /./,
    },
  ];
  const goodEvents = [
    good(runId, 'good now'),
    good(runId, 'good 80 days old', { ts: now - 80 * DAY_MS }),
    good(runId, 'good a minute ahead', { ts: now + 60_000 }),
    good(runId, 'good paired surrogates', { input: 'emoji \ud83d\ude00 ok' }),
    good(runId, 'good shallow metadata', { metadata: deeplyNested(30) }),
  ];

  let answer: BatchAnswer;
  let status: number;
  beforeAll(async () => {
    // Good events between the bad ones: indexes of the bad are 1, 3, 5, ...
    const batch = bad.flatMap((item, index) => [
      goodEvents[index % goodEvents.length]!,
      item.event,
    ]);
    const body = JSON.stringify(batch).replace(JSON.stringify(DEEP), deepJson);
    const response = await server.request('/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    status = response.status;
    answer = (await response.json()) as BatchAnswer;
  });

  it('answers 207 with errors for each bad event, every one naming its field', () => {
    expect(status).toBe(207);
    expect(answer.accepted).toBe(bad.length);
    expect(answer.rejected).toBe(bad.length);
    bad.forEach((item, position) => {
      const errors = answer.errors.filter((error) => error.index === position * 2 + 1);
      expect(errors.length, item.event.name as string).toBeGreaterThanOrEqual(1);
      for (const error of errors) expect(error.field, JSON.stringify(error)).toBe(item.field);
      expect(errors.map((error) => error.message).join(' | ')).toMatch(item.says);
    });
  });

  it('stores every good event of the batch, readable in its own time', async () => {
    const events = await readRun(runId, now - 85 * DAY_MS);
    const names = events.map((event) => event.name).sort();
    const expected = bad.map((_, index) => goodEvents[index % goodEvents.length]!.name as string);
    expect(names).toEqual(expected.sort());
    expect(events.map((event) => event.event_id).sort()).toEqual([...answer.event_ids].sort());
    const paired = events.find((event) => event.name === 'good paired surrogates');
    expect(paired?.input).toBe('emoji \ud83d\ude00 ok');
  });

  it('takes NDJSON the same way, with line numbers as indexes', async () => {
    const ndjsonRun = 'run-validation-ndjson';
    const lines = [
      good(ndjsonRun, 'first'),
      good(ndjsonRun, 'bad', { ts: '1969-12-31T23:59:59Z' }),
      { event_type: 'prompt_call', run_id: ndjsonRun, model: 'gpt-4o', tokens_input: 3 },
      good(ndjsonRun, 'last'),
    ];
    const response = await server.request('/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: lines.map((line) => JSON.stringify(line)).join('\n'),
    });
    expect(response.status).toBe(207);
    const ndjson = (await response.json()) as BatchAnswer;
    expect(ndjson.errors.map((error) => [error.index, error.field])).toEqual([
      [1, 'ts'],
      [2, 'tokens_input'],
    ]);
    const stored = await readRun(ndjsonRun, now - DAY_MS);
    expect(stored.map((event) => event.name).sort()).toEqual(['first', 'last']);
  });

  it('answers 400 invalid_events when every event is bad, storing nothing', async () => {
    const response = await postJson(server, '/api/v1/events', [
      good('run-validation-none', 'a', { ts: 0 }),
      good('run-validation-none', 'b', { event_id: 'Z'.repeat(26) }),
    ]);
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      error: { code: string; details: { errors: BatchAnswer['errors'] } };
    };
    expect(body.error.code).toBe('invalid_events');
    expect(body.error.details.errors.map((error) => error.field)).toEqual(['ts', 'event_id']);
    expect(await readRun('run-validation-none', Date.now() - 399 * DAY_MS)).toHaveLength(0);
  });
});

describe('OTLP spans with unstorable text are recorded, repaired', () => {
  it('stores a span whose attribute holds an unpaired surrogate and a NUL, with U+FFFD and no NUL', async () => {
    const traceId = '5b8efff798038103d269b633813fc60c';
    const start = BigInt(Date.now() - 1_000) * 1_000_000n;
    const response = await postJson(server, '/v1/traces', {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId: 'eee19b7ec3c1b174',
                  name: 'chat gpt-4o',
                  kind: 3,
                  startTimeUnixNano: String(start),
                  endTimeUnixNano: String(start + 5_000_000n),
                  attributes: [
                    { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
                    { key: 'gen_ai.prompt', value: { stringValue: 'cut \ud83d here\u0000' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { partialSuccess?: { rejectedSpans?: number } };
    expect(Number(answer.partialSuccess?.rejectedSpans ?? 0)).toBe(0);
    const events = await readRun(traceId, Date.now() - DAY_MS);
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0]!.input)).toContain('cut \ufffd here');
    expect(JSON.stringify(events[0]!.input)).not.toContain('\\u0000');
  });
});

describe('the gateway records a prompt with unstorable text, repaired', () => {
  it('answers the call and stores its record with U+FFFD for the lone surrogate and no NUL', async () => {
    const runId = 'run-validation-gateway';
    const response = await server.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tollgate-run-id': runId },
      body: JSON.stringify({
        model: 'simulated/validation',
        messages: [{ role: 'user', content: 'cut \ud83d here\u0000 and there' }],
      }),
    });
    expect(response.status).toBe(200);
    await response.text();
    let events: ListedEvent[] = [];
    // The gateway records after answering: wait (bounded) for the record.
    for (let attempt = 0; attempt < 50 && events.length === 0; attempt += 1) {
      events = await readRun(runId, Date.now() - DAY_MS);
      if (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(events).toHaveLength(1);
    const input = JSON.stringify(events[0]!.input);
    expect(input).toContain('cut \ufffd here and there');
    expect(input).not.toMatch(/\\u0000|\\ud83d"/i);
  });
});
