/**
 * Raw insert rate of the embedded event store (chDB): realistic prompt_call
 * rows (~1.8 KB of JSON each) built by `buildEventRow`, serialized once as
 * JSONEachRow batches, inserted one batch after another into a fresh store
 * with the full schema (events + materialized views). Building the rows is
 * not timed; only `store.insert`.
 *
 *   npx tsx bench/store/raw-insert.ts [--rows 100000] [--batch 1000] [--without-views] [--fsync]
 *     [--schema bench/store/schemas/initial.ts]
 *
 * The events come from `bench/lib/events.ts` (the same generator as `bench/ingest`).
 * `--schema` migrates with another module's `MIGRATIONS` (the schema as first written,
 * to measure "before").
 * `--without-views` drops the materialized views after migrating, to show what
 * the rollups and copies cost on the write path. `--fsync` turns on the
 * MergeTree settings that fsync every inserted part (`fsync_after_insert`,
 * `fsync_part_directory`; off by default), to show what surviving a power
 * loss, not only a process crash, would cost.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EventBatch, EventTenant } from '@tollgate/core';
import { eventGenerator, rowBatch } from '../lib/events';
import { ChdbDriver } from '../../packages/server/src/stores/events/chdb';
import { ClickHouseEventStore } from '../../packages/server/src/stores/events/clickhouse-event-store';
import { migrateEventSchema } from '../../packages/server/src/stores/events/migrator';
import { EXPECTED_TABLES, type Migration } from '../../packages/server/src/stores/events/schema';

const { values: options } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    'without-views': { type: 'boolean', default: false },
    fsync: { type: 'boolean', default: false },
    schema: { type: 'string', default: '' },
  },
});
const totalRows = Number(options.rows);
const batchSize = Number(options.batch);

const TENANTS: EventTenant[] = Array.from({ length: 4 }, (_, index) => ({
  orgId: `org_${index % 2}`,
  projectId: `proj_${index}`,
  retentionDays: 90,
}));
const makeEvent = eventGenerator(42);

function batchOfRows(start: number, count: number, now: number): EventBatch {
  const events = Array.from({ length: count }, (_, offset) => makeEvent(start + offset, now));
  return rowBatch(`bench-${start}`, events, (offset) => TENANTS[(start + offset) % 4]!, now);
}

const now = Date.now();
const batches: EventBatch[] = [];
for (let start = 0; start < totalRows; start += batchSize) {
  batches.push(batchOfRows(start, Math.min(batchSize, totalRows - start), now));
}
const totalBytes = batches.reduce((sum, batch) => sum + batch.rows.length, 0);

const directory = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
const driver = ChdbDriver.open(directory);
const store = new ClickHouseEventStore(driver);
try {
  if (options.schema) {
    const module = (await import(resolve(options.schema))) as { MIGRATIONS: Migration[] };
    await migrateEventSchema(driver, module.MIGRATIONS);
  } else await store.migrate();
  if (options['without-views']) {
    for (const view of EXPECTED_TABLES.filter((name) => name.endsWith('_mv')))
      await driver.command(`DROP VIEW ${view}`);
  }
  if (options.fsync) {
    const tables = EXPECTED_TABLES.filter(
      (name) => !name.endsWith('_mv') && name !== 'schema_version',
    );
    for (const table of tables) {
      await driver.command(
        `ALTER TABLE ${table} MODIFY SETTING fsync_after_insert = 1, fsync_part_directory = 1`,
      );
    }
  }
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const batch of batches) {
    const before = performance.now();
    await store.insert(batch);
    latencies.push(performance.now() - before);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((left, right) => left - right);
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
  const events = (await store.checkTables()).find((table) => table.name === 'events');

  console.log(
    `rows:           ${totalRows} in ${batches.length} batches of ${batchSize}${options['without-views'] ? ', no materialized views' : ''}${options.fsync ? ', fsync' : ''}`,
  );
  console.log(`row size:       ${(totalBytes / totalRows).toFixed(0)} bytes of JSON on average`);
  console.log(`insert time:    ${seconds.toFixed(2)} s`);
  console.log(
    `rate:           ${Math.round(totalRows / seconds)} rows/s, ${(totalBytes / 1e6 / seconds).toFixed(1)} MB/s of JSON`,
  );
  console.log(
    `CPU:            ${((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2)} cores (this process, chDB's threads included), load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  console.log(
    `batch latency:  p50 ${percentile(0.5).toFixed(1)} ms, p99 ${percentile(0.99).toFixed(1)} ms`,
  );
  console.log(
    `stored:         ${events?.rows} rows, ${((events?.bytesOnDisk ?? 0) / 1e6).toFixed(1)} MB on disk (events table)`,
  );
} finally {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}
