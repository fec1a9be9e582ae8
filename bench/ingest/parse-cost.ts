/**
 * CPU cost per event of each step the server's ingestion does on its main thread before
 * the insert, in isolation, on the events of `bench/lib/events.ts`:
 * JSON.parse of the request body, the checks before the schema (`checkEventInput`: known
 * fields, storable text, bounded JSON), zod validation, `buildEventRow` (with and without the
 * event id, the id alone), JSON.stringify of the row, and the whole `parseEventBatch`.
 *
 *   npx tsx bench/ingest/parse-cost.ts [--events 20000] [--rounds 5]
 *
 * Reported: the best of `--rounds` rounds, in microseconds per event (single thread).
 */
import { parseArgs } from 'node:util';
import {
  buildEventRow,
  checkEventInput,
  createEventId,
  eventInputSchema,
  type EventRow,
} from '@tollgate/core';
import { eventGenerator } from '../lib/events';
import { parseEventBatch } from '../../packages/server/src/ingest/parse-event-batch';

const { values: options } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
  },
});
const count = Number(options.events);
const rounds = Number(options.rounds);
const now = Date.now();
const make = eventGenerator(42);
const events = Array.from({ length: count }, (_, index) => make(index, now));
const body = JSON.stringify(events);
const tenant = { orgId: 'org_bench', projectId: 'proj_bench', retentionDays: 90 };
const parsed = events.map((event) => eventInputSchema.parse(event));
const withIds = parsed.map((event) => ({ ...event, event_id: createEventId(now) }));
const rows: EventRow[] = withIds.map((event) => buildEventRow(event, tenant, now));

let sink = 0;
function measure(name: string, work: () => void): void {
  let best = Infinity;
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  console.log(`${name.padEnd(52)} ${((best * 1000) / count).toFixed(2).padStart(8)} µs/event`);
}

console.log(
  `${count} prompt_call events, ${(body.length / count).toFixed(0)} bytes of request JSON each; best of ${rounds}`,
);
measure('JSON.parse of the request body', () => {
  sink += (JSON.parse(body) as unknown[]).length;
});
measure('checkEventInput (fields, text, depth, size)', () => {
  for (const event of events) sink += checkEventInput(event).length;
});
measure('eventInputSchema.safeParse', () => {
  for (const event of events) sink += eventInputSchema.safeParse(event).success ? 1 : 0;
});
measure('createEventId(event time) alone', () => {
  for (const event of parsed) sink += createEventId(event.ts as number).length;
});
measure('buildEventRow, id given by the client', () => {
  for (const event of withIds) sink += buildEventRow(event, tenant, now).input_tokens;
});
measure('buildEventRow, id created (event time in the past)', () => {
  for (const event of parsed) sink += buildEventRow(event, tenant, now).input_tokens;
});
measure('JSON.stringify of the row', () => {
  for (const row of rows) sink += JSON.stringify(row).length;
});
measure('parseEventBatch (all of the above but JSON.parse)', () => {
  sink += parseEventBatch(events, tenant, { now, maxFutureSkewMs: 3_600_000 }).accepted;
});
if (sink === 0) console.log('');
