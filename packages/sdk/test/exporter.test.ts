import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../src/exporter/bounded-queue';
import {
  ManualClock,
  createSeededRandom,
  createTollgate,
  retryDelay,
  type EventInput,
  type TollgateOptions,
} from '../src';

interface Sent {
  at: number;
  events: EventInput[];
}

/** A fetch answering each POST with the next scripted response (the last one repeats). */
function scriptedFetch(clock: ManualClock, answers: Array<() => Response>) {
  const sent: Sent[] = [];
  const fetchImpl: typeof fetch = async (_input, init) => {
    sent.push({ at: clock.now(), events: JSON.parse(String(init?.body)) as EventInput[] });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)]!;
    return answer();
  };
  return { fetch: fetchImpl, sent };
}

const stored = (count: number) => () =>
  Response.json({ accepted: count, rejected: 0, errors: [] }, { status: 200 });
const unavailable = () =>
  Response.json({ error: { code: 'spool_full', message: 'full' } }, { status: 503 });
const rateLimited = () =>
  Response.json(
    { error: { code: 'rate_limited', message: 'slow down' } },
    { status: 429, headers: { 'retry-after': '2' } },
  );

function exporter(
  clock: ManualClock,
  fetchImpl: typeof fetch,
  options: Partial<TollgateOptions> = {},
) {
  const warnings: string[] = [];
  const tollgate = createTollgate({
    baseUrl: 'http://tollgate.test/',
    apiKey: 'tg_test',
    clock,
    fetch: fetchImpl,
    random: createSeededRandom(7),
    setAsDefault: false,
    flushOnExit: false,
    retryBaseMs: 100,
    retryMaxMs: 1000,
    onWarning: (message) => warnings.push(message),
    ...options,
  });
  return Object.assign(tollgate, { warnings });
}

const custom = (index: number): EventInput => ({ event_type: 'custom', name: `event-${index}` });
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the exporter', () => {
  it('sends a full batch at once and a partial one after the interval', async () => {
    const clock = new ManualClock();
    const { fetch, sent } = scriptedFetch(clock, [stored(2)]);
    const tollgate = exporter(clock, fetch, { batchSize: 2, flushIntervalMs: 1000 });
    tollgate.record(custom(1));
    tollgate.record(custom(2));
    tollgate.record(custom(3));
    await settle();
    expect(sent.map((each) => each.events.length)).toEqual([2]);
    await clock.advance(999);
    expect(sent).toHaveLength(1);
    await clock.advance(1);
    expect(sent.map((each) => [each.at, each.events.length])).toEqual([
      [0, 2],
      [1000, 1],
    ]);
  });

  it('retries with exponential backoff and full jitter until the server takes the batch', async () => {
    const clock = new ManualClock();
    const { fetch, sent } = scriptedFetch(clock, [
      unavailable,
      unavailable,
      unavailable,
      stored(1),
    ]);
    const tollgate = exporter(clock, fetch, { batchSize: 1 });
    tollgate.record(custom(1));
    await settle();
    const random = createSeededRandom(7);
    const delays = [1, 2, 3].map((attempt) =>
      retryDelay({ attempt, baseMs: 100, maxMs: 1000, random }),
    );
    for (const delay of delays) await clock.advance(delay);
    const expectedTimes = [
      0,
      delays[0]!,
      delays[0]! + delays[1]!,
      delays[0]! + delays[1]! + delays[2]!,
    ];
    expect(sent.map((each) => each.at)).toEqual(expectedTimes);
    expect(tollgate.stats()).toMatchObject({ sent: 1, failedRequests: 3, serverReachable: true });
    expect(tollgate.warnings).toHaveLength(2);
    expect(tollgate.warnings[0]).toMatch(
      /^cannot send events to http:\/\/tollgate.test\/api\/v1\/events \(HTTP 503 spool_full: full\)/,
    );
  });

  it('waits at least as long as Retry-After asks', async () => {
    const clock = new ManualClock();
    const { fetch, sent } = scriptedFetch(clock, [rateLimited, stored(1)]);
    const tollgate = exporter(clock, fetch, { batchSize: 1, retryMaxMs: 5000 });
    tollgate.record(custom(1));
    await settle();
    await clock.advance(1999);
    expect(sent).toHaveLength(1);
    await clock.advance(1);
    expect(sent.map((each) => each.at)).toEqual([0, 2000]);
  });

  it('does not retry events the server refuses as invalid, and splits a batch that is too large', async () => {
    const clock = new ManualClock();
    const invalid = () =>
      Response.json(
        {
          error: {
            code: 'invalid_events',
            message: 'none valid',
            details: { errors: [{ index: 0, field: 'name', message: 'bad' }] },
          },
        },
        { status: 400 },
      );
    const tooLarge = () => Response.json({ error: { code: 'payload_too_large' } }, { status: 413 });
    const refused = scriptedFetch(clock, [invalid]);
    const tollgate = exporter(clock, refused.fetch, { batchSize: 2 });
    tollgate.record(custom(1));
    tollgate.record(custom(2));
    await tollgate.flush({ timeoutMs: 10 });
    expect(refused.sent).toHaveLength(1);
    expect(tollgate.stats()).toMatchObject({ rejected: 2, sent: 0 });
    expect(tollgate.warnings[0]).toContain('event 0 name: bad');

    const split = scriptedFetch(clock, [tooLarge, stored(2), stored(2)]);
    const splitting = exporter(clock, split.fetch, { batchSize: 4 });
    for (let index = 0; index < 4; index++) splitting.record(custom(index));
    expect(await splitting.flush({ timeoutMs: 10 })).toEqual({
      complete: true,
      pending: 0,
      dropped: 0,
    });
    expect(split.sent.map((each) => each.events.length)).toEqual([4, 2, 2]);
  });

  it('drops the oldest events past maxQueueSize and counts them', async () => {
    const clock = new ManualClock();
    const { fetch, sent } = scriptedFetch(clock, [unavailable]);
    const tollgate = exporter(clock, fetch, { batchSize: 10, maxQueueSize: 20 });
    for (let index = 0; index < 100; index++) tollgate.record(custom(index));
    await settle();
    // All 100 were recorded before the sender ran: the queue kept the newest 20.
    const names = (from: number) => [...Array(10).keys()].map((index) => `event-${from + index}`);
    expect(sent[0]!.events.map((event) => event.name)).toEqual(names(80));
    expect(tollgate.stats()).toMatchObject({ queued: 10, inFlight: 10, dropped: 80 });
    expect(
      tollgate.warnings.some((warning) => warning.startsWith('the event queue is full (20)')),
    ).toBe(true);
  });

  it('gives up a flush at its timeout, and shutdown drops what is left, saying so', async () => {
    const clock = new ManualClock();
    const { fetch } = scriptedFetch(clock, [unavailable]);
    const tollgate = exporter(clock, fetch, { batchSize: 10 });
    tollgate.record(custom(1));
    const flushing = tollgate.flush({ timeoutMs: 500 });
    await clock.advance(500);
    expect(await flushing).toEqual({ complete: false, pending: 1, dropped: 0 });
    const closing = tollgate.shutdown({ timeoutMs: 300 });
    await clock.advance(300);
    await clock.advance(1000);
    expect(await closing).toMatchObject({ complete: false });
    expect(tollgate.stats()).toMatchObject({ dropped: 1, queued: 0, inFlight: 0 });
    expect(tollgate.warnings.at(-1)).toMatch(/^shutdown: 1 event\(s\) could not be sent/);
  });

  it('puts service and env on events that name none, and does nothing when disabled', async () => {
    const clock = new ManualClock();
    const { fetch, sent } = scriptedFetch(clock, [stored(2)]);
    const tollgate = exporter(clock, fetch, { batchSize: 2, service: 'billing', env: 'prod' });
    tollgate.record(custom(1));
    tollgate.record({ ...custom(2), service: 'mine' });
    await settle();
    expect(sent[0]!.events.map((event) => [event.service, event.env])).toEqual([
      ['billing', 'prod'],
      ['mine', 'prod'],
    ]);

    const disabled = exporter(clock, fetch, { enabled: false });
    disabled.record(custom(3));
    expect(await disabled.flush()).toEqual({ complete: true, pending: 0, dropped: 0 });
    expect(sent).toHaveLength(1);
  });
});

describe('BoundedQueue', () => {
  it('keeps the newest items in order and reports each drop', () => {
    const queue = new BoundedQueue<number>(3);
    expect([1, 2, 3].map((item) => queue.push(item))).toEqual([false, false, false]);
    expect(queue.push(4)).toBe(true);
    expect(queue.take(2)).toEqual([2, 3]);
    queue.push(5);
    queue.push(6);
    expect(queue.length).toBe(3);
    expect(queue.take(10)).toEqual([4, 5, 6]);
    expect(queue.take(1)).toEqual([]);
  });
});
