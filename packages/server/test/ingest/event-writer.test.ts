import type { DeadLetterStore, EventBatch, EventStore, NewDeadLetter } from '@tollgate/core';
import { pino } from 'pino';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventWriter, type EventWriterOptions } from '../../src/ingest/event-writer';
import { Spool } from '../../src/ingest/spool';
import { EventStoreError } from '../../src/stores/events/event-store-error';
import { createTempDir } from '../helpers/temp-dir';

/** A store whose inserts finish when the test says so. */
class GatedStore {
  readonly inserts: { batch: EventBatch; finish: (error?: unknown) => void }[] = [];
  private waiters: (() => void)[] = [];

  insert(batch: EventBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.inserts.push({ batch, finish: (error) => (error ? reject(error) : resolve()) });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async ping(): Promise<void> {}

  /** Resolves once `count` inserts have started. */
  async started(count: number): Promise<void> {
    while (this.inserts.length < count) await new Promise<void>((wake) => this.waiters.push(wake));
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** The dead letters the writer kept, in memory: this file tests the writer, not the meta store. */
const kept: NewDeadLetter[] = [];
const deadLetters: DeadLetterStore = {
  async addDeadLetters(letters) {
    kept.push(...letters);
  },
  async listDeadLetters() {
    return [];
  },
};

async function writerOver(store: GatedStore, options: Partial<EventWriterOptions> = {}) {
  const directory = createTempDir();
  const spool = new Spool(join(directory.path, 'events.spool'), 1 << 20);
  await spool.open();
  const writer = new EventWriter({
    store: store as unknown as EventStore,
    spool,
    deadLetters,
    logger: pino({ level: 'silent' }),
    insertTimeoutMs: 10_000,
    ...options,
  });
  cleanups.push(async () => {
    await spool.close();
    directory.remove();
  });
  return writer;
}

/** `count` JSONEachRow lines of `width` bytes each (newline included). */
const rows = (count: number, width = 10) => Buffer.from(`${'x'.repeat(width - 1)}\n`.repeat(count));

/** Whether a promise has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('EventWriter', () => {
  it('groups the writes that arrive while an insert runs, and answers each after its own insert', async () => {
    const store = new GatedStore();
    const writer = await writerOver(store, { maxInFlight: 1 });
    const first = writer.write(rows(1), 1);
    await store.started(1);
    const waiting = [writer.write(rows(2), 2), writer.write(rows(3), 3)];
    expect(store.inserts).toHaveLength(1);

    store.inserts[0]!.finish();
    await first;
    await store.started(2);
    expect(store.inserts[1]!.batch.rowCount).toBe(5);
    expect(await settled(waiting[0]!)).toBe(false);
    store.inserts[1]!.finish();
    await Promise.all(waiting);
    expect(writer.stats).toMatchObject({ committedRows: 6, inserts: 2 });
  });

  it('runs up to maxInFlight inserts at once; later writes wait and go together', async () => {
    const store = new GatedStore();
    const writer = await writerOver(store, { maxInFlight: 2 });
    const writes = [writer.write(rows(1), 1), writer.write(rows(1), 1)];
    await store.started(2);
    writes.push(writer.write(rows(1), 1), writer.write(rows(1), 1));
    expect(store.inserts).toHaveLength(2);

    store.inserts[1]!.finish();
    await store.started(3);
    expect(store.inserts[2]!.batch.rowCount).toBe(2);
    expect(await settled(writes[0]!)).toBe(false);
    expect(await settled(writes[1]!)).toBe(true);
    store.inserts[0]!.finish();
    store.inserts[2]!.finish();
    await Promise.all(writes);
    expect(writer.stats).toMatchObject({ committedRows: 4, inserts: 3 });
  });

  it('bounds an insert by rows and by bytes; a single larger write still goes alone', async () => {
    const store = new GatedStore();
    const writer = await writerOver(store, {
      maxInFlight: 1,
      maxBatchRows: 10,
      maxBatchBytes: 100,
    });
    const writes = [writer.write(rows(1), 1)];
    await store.started(1);
    writes.push(
      writer.write(rows(4), 4),
      writer.write(rows(4), 4),
      writer.write(rows(4), 4), // a third would pass 10 rows
      writer.write(rows(1, 95), 1), // passes 100 bytes with the one before
      writer.write(rows(30), 30), // more than the bound on its own
    );
    for (let index = 0; index < 5; index += 1) {
      store.inserts[index]!.finish();
      await store.started(Math.min(index + 2, 5));
    }
    await Promise.all(writes);
    expect(store.inserts.map((insert) => insert.batch.rowCount)).toEqual([1, 8, 4, 1, 30]);
  });

  it('bisects an insert the store refuses for good: the refused row is kept as a dead letter, the rest stored', async () => {
    kept.length = 0;
    const store = new GatedStore();
    const writer = await writerOver(store, { maxInFlight: 1 });
    const first = writer.write(rows(1), 1);
    await store.started(1);
    const shared = [
      writer.write(Buffer.from('{"org_id":"a","event_id":"BAD"}\n'), 1),
      writer.write(rows(1), 1),
    ];
    store.inserts[0]!.finish();
    await first;
    await store.started(2);
    store.inserts[1]!.finish(new EventStoreError('statement_failed', 'cannot parse'));
    // The halves, one row each: the first refused again, the second stored.
    await store.started(3);
    store.inserts[2]!.finish(new EventStoreError('statement_failed', 'cannot parse'));
    await store.started(4);
    store.inserts[3]!.finish();
    await Promise.all(shared);
    expect(kept).toEqual([
      expect.objectContaining({ orgId: 'a', eventId: 'BAD', error: 'cannot parse' }),
    ]);
    expect(Buffer.from(kept[0]!.rowBase64, 'base64').toString()).toBe(
      '{"org_id":"a","event_id":"BAD"}',
    );
    expect(writer.stats).toMatchObject({ committedRows: 2, deadLetteredRows: 1, rejectedRows: 0 });
    expect(writer.isSpooling).toBe(false);
  });

  it('after an insert of several writes, waits briefly for its writers so they go together again', async () => {
    const store = new GatedStore();
    const writer = await writerOver(store, { maxInFlight: 1, gatherMs: 5_000 });
    // Idle: the first write starts at once.
    const first = writer.write(rows(1), 1);
    expect(store.inserts).toHaveLength(1);
    const pair = [writer.write(rows(1), 1), writer.write(rows(1), 1)];
    store.inserts[0]!.finish();
    await store.started(2);
    expect(store.inserts[1]!.batch.rowCount).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    store.inserts[1]!.finish();
    await Promise.all([first, ...pair]);

    // Its two writers come back: the first waits for the second, and they go in one insert.
    const again = [writer.write(rows(1), 1)];
    expect(await settled(again[0]!)).toBe(false);
    expect(store.inserts).toHaveLength(2);
    again.push(writer.write(rows(1), 1));
    expect(store.inserts).toHaveLength(3);
    expect(store.inserts[2]!.batch.rowCount).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    store.inserts[2]!.finish();
    await Promise.all(again);

    // Only one comes back: it waits at most a quarter of the last insert (~50 ms), then goes alone.
    const waited = performance.now();
    const alone = writer.write(rows(1), 1);
    expect(store.inserts).toHaveLength(3);
    await store.started(4);
    expect(performance.now() - waited).toBeLessThan(1_000);
    expect(store.inserts[3]!.batch.rowCount).toBe(1);
    store.inserts[3]!.finish();
    await alone;
  });

  it('starts the next insert at once when gathering is off', async () => {
    const store = new GatedStore();
    const writer = await writerOver(store, { maxInFlight: 1, gatherMs: 0 });
    const first = writer.write(rows(1), 1);
    const pair = [writer.write(rows(1), 1), writer.write(rows(1), 1)];
    store.inserts[0]!.finish();
    await store.started(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    store.inserts[1]!.finish();
    await Promise.all([first, ...pair]);
    const next = writer.write(rows(1), 1);
    expect(store.inserts).toHaveLength(3);
    store.inserts[2]!.finish();
    await next;
  });

  it('closes only after every pending and running insert has finished', async () => {
    const store = new GatedStore();
    const writer = await writerOver(store, { maxInFlight: 2 });
    const writes = [1, 2, 3].map((count) => writer.write(rows(count), count));
    await store.started(2);
    const closing = writer.close();
    expect(await settled(closing)).toBe(false);
    store.inserts[0]!.finish();
    await store.started(3);
    store.inserts[1]!.finish();
    expect(await settled(closing)).toBe(false);
    store.inserts[2]!.finish();
    await closing;
    await Promise.all(writes);
  });
});
