import type { FastifyBaseLogger } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventWriter } from './event-writer';
import { CallRecordBatch } from './call-record-batch';

function fakeWriter(fail = false) {
  const writes: Array<{ rows: string; rowCount: number }> = [];
  const writer = {
    write: vi.fn(async (rows: Buffer, rowCount: number) => {
      writes.push({ rows: rows.toString('utf8'), rowCount });
      if (fail) throw new Error('store down');
    }),
  } as unknown as EventWriter;
  return { writer, writes };
}

const logger = { error: vi.fn() } as unknown as FastifyBaseLogger;

/** A fixed interval (no adaptation) unless `perRowMs` is given. */
function limits(lingerMs: number, maxRows: number, perRowMs = 0, maxLingerMs = lingerMs) {
  return { minLingerMs: lingerMs, maxLingerMs, lingerPerRowMs: perRowMs, maxRows };
}

describe('CallRecordBatch', () => {
  // Fake time (timers and performance.now) so a slow machine cannot reorder anything.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the first event at once and gathers those that follow within the interval', () => {
    const { writer, writes } = fakeWriter();
    const batch = new CallRecordBatch(writer, logger, limits(40, 100));
    batch.add('{"n":1}', 'r1');
    expect(writes).toEqual([{ rows: '{"n":1}\n', rowCount: 1 }]);
    vi.advanceTimersByTime(10);
    batch.add('{"n":2}', 'r2');
    batch.add('{"n":3}', 'r3');
    vi.advanceTimersByTime(29);
    expect(writes).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual([
      { rows: '{"n":1}\n', rowCount: 1 },
      { rows: '{"n":2}\n{"n":3}\n', rowCount: 2 },
    ]);
  });

  it('writes a full batch without waiting, and flush writes the rest', async () => {
    const { writer, writes } = fakeWriter();
    const batch = new CallRecordBatch(writer, logger, limits(10_000, 2));
    batch.add('a', 'r1');
    batch.add('b', 'r2');
    batch.add('c', 'r3');
    expect(writes.map((write) => write.rowCount)).toEqual([1, 2]);
    batch.add('d', 'r4');
    await batch.flush();
    expect(writes.map((write) => write.rows)).toEqual(['a\n', 'b\nc\n', 'd\n']);
  });

  it('waits longer after a large batch, up to the maximum, and shortly again once quiet', () => {
    const { writer, writes } = fakeWriter();
    const batch = new CallRecordBatch(writer, logger, limits(20, 1_000, 30, 150));
    batch.add('a', 'r1'); // written at once; one row: the next interval is 30 ms
    for (let i = 0; i < 10; i++) batch.add(`b${i}`, `r${i}`);
    vi.advanceTimersByTime(30);
    expect(writes.map((write) => write.rowCount)).toEqual([1, 10]);
    // Ten rows: the next write waits 150 ms (300 capped), not 30.
    batch.add('c', 'r');
    vi.advanceTimersByTime(149);
    expect(writes).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(writes.map((write) => write.rowCount)).toEqual([1, 10, 1]);
    // After a batch of one and a quiet spell, the next event is written at once.
    vi.advanceTimersByTime(30);
    batch.add('d', 'r');
    expect(writes.map((write) => write.rowCount)).toEqual([1, 10, 1, 1]);
  });

  it('logs a failed write with its calls and never throws', async () => {
    const { writer } = fakeWriter(true);
    const batch = new CallRecordBatch(writer, logger, limits(10, 100));
    batch.add('a', 'r1');
    await batch.flush();
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ calls: 1, requestIds: ['r1'] }),
      'could not record gateway calls',
    );
  });
});
