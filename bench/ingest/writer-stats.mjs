/**
 * Preloaded into the server by `bench/ingest/ingest.ts` (never by the server itself):
 * counts the inserts its `EventWriter` starts, with their writes (requests) and rows,
 * and prints the running totals on stderr as `writer-stats {...}` on SIGUSR2, so the
 * bench can tell how many rows each insert of the measured window carried.
 */
import { EventWriter } from '../../packages/server/src/ingest/event-writer.ts';

const totals = { inserts: 0, writes: 0, rows: 0 };
const insertGroup = EventWriter.prototype.insertGroup;
EventWriter.prototype.insertGroup = function (group) {
  totals.inserts += 1;
  totals.writes += group.length;
  totals.rows += group.reduce((sum, write) => sum + write.rowCount, 0);
  return insertGroup.call(this, group);
};
process.on('SIGUSR2', () => process.stderr.write(`writer-stats ${JSON.stringify(totals)}\n`));
