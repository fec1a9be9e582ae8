/**
 * Child process of `chdb-durability.test.ts`: inserts numbered batches into the
 * embedded store in the directory given as argument, printing each batch
 * number once its insert has returned, until it is killed.
 */
import { createChdbEventStore } from '../../../src/stores/events/chdb';
import { buildRow, toBatch } from './event-fixtures';

const ROWS_PER_BATCH = 50;
const directory = process.argv[2];
if (!directory) throw new Error('usage: chdb-insert-child.ts <directory>');

const store = createChdbEventStore({ directory });
await store.migrate();
const tenant = { orgId: 'org_durable', projectId: 'proj_1', retentionDays: 90 };
for (let batch = 0; ; batch += 1) {
  const rows = Array.from({ length: ROWS_PER_BATCH }, (_, index) =>
    buildRow(
      {
        event_type: 'custom',
        name: `batch-${batch}`,
        ts: Date.now() - index,
        input: 'x'.repeat(500),
      },
      tenant,
    ),
  );
  await store.insert(toBatch(`durable-${batch}`, rows));
  process.stdout.write(`${batch}\n`);
}
