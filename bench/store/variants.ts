/**
 * Scratch: what each piece of the event schema costs on the insert path.
 *   npx tsx bench/store/variants.ts --rows 30000 [--drop a_mv,b_mv] [--set k=v,k=v] [--plain]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EventBatch } from '@tollgate/core';
import { eventGenerator, rowBatch } from '../lib/events';
import { ChdbDriver } from '../../packages/server/src/stores/events/chdb';
import {
  ClickHouseEventStore,
  eventInsertSettings,
} from '../../packages/server/src/stores/events/clickhouse-event-store';

const { values: options } = parseArgs({
  options: {
    rows: { type: 'string', default: '30000' },
    batch: { type: 'string', default: '1000' },
    drop: { type: 'string', default: '' },
    set: { type: 'string', default: '' },
    plain: { type: 'boolean', default: false },
    ddl: { type: 'string', default: '' },
    label: { type: 'string', default: '' },
    schema: { type: 'string', default: '' },
  },
});
const totalRows = Number(options.rows);
const batchSize = Number(options.batch);
const cache = join(tmpdir(), `tollgate-bench-rows-${totalRows}-${batchSize}.ndjson`);
const now = 1_767_225_600_000 + 12 * 3_600_000; // fixed: 2026-01-01 12:00 UTC
const batches: EventBatch[] = [];
if (existsSync(cache)) {
  const lines = readFileSync(cache, 'utf8').split('\n').filter(Boolean);
  for (let start = 0; start < lines.length; start += batchSize) {
    const slice = lines.slice(start, start + batchSize);
    batches.push({
      id: `b-${start}`,
      rows: Buffer.from(`${slice.join('\n')}\n`),
      rowCount: slice.length,
    });
  }
} else {
  const make = eventGenerator(42);
  for (let start = 0; start < totalRows; start += batchSize) {
    const events = Array.from({ length: Math.min(batchSize, totalRows - start) }, (_, i) =>
      make(start + i, now),
    );
    batches.push(
      rowBatch(
        `b-${start}`,
        events,
        (i) => ({ orgId: `org_${i % 2}`, projectId: `proj_${i % 4}`, retentionDays: 90 }),
        now,
      ),
    );
  }
  writeFileSync(cache, batches.map((b) => b.rows.toString()).join(''));
}

const extra: Record<string, string> = {};
for (const pair of options.set.split(',').filter(Boolean)) {
  const [k, v] = pair.split('=');
  extra[k!] = v!;
}
const directory = mkdtempSync(join(tmpdir(), 'tollgate-variant-'));
const driver = ChdbDriver.open(directory);
const store = new ClickHouseEventStore(driver);
try {
  if (options.plain) {
    const { EVENT_COLUMNS } = await import('@tollgate/core');
    await driver.command(
      `CREATE TABLE events (${Object.entries(EVENT_COLUMNS)
        .map(([n, t]) => `${n} ${t}`)
        .join(
          ', ',
        )}) ENGINE = MergeTree ORDER BY (org_id, project_id, toStartOfHour(ts), cityHash64(run_id), event_id)`,
    );
  } else {
    if (options.schema) {
      const { migrateEventSchema } =
        await import('../../packages/server/src/stores/events/migrator');
      const module = (await import(options.schema)) as { MIGRATIONS: never };
      await migrateEventSchema(driver, module.MIGRATIONS);
    } else await store.migrate();
  }
  for (const view of options.drop.split(',').filter(Boolean))
    await driver.command(`DROP VIEW ${view}`);
  for (const statement of options.ddl.split(';;').filter(Boolean)) await driver.command(statement);
  const warm = batches.slice(0, 3);
  for (const batch of warm)
    await driver.insert('events', batch.rows, { ...eventInsertSettings(`w${batch.id}`), ...extra });
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const batch of batches) {
    const before = performance.now();
    await driver.insert('events', batch.rows, { ...eventInsertSettings(batch.id), ...extra });
    latencies.push(performance.now() - before);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMsPerBatch = (cpu.user + cpu.system) / 1000 / batches.length;
  latencies.sort((a, b) => a - b);
  const p = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!;
  console.log(
    `${(options.label || [options.plain ? 'plain' : 'schema', options.drop && `drop=${options.drop}`, options.set && `set=${options.set}`].filter(Boolean).join(' ')).padEnd(60)} ${String(Math.round(totalRows / seconds)).padStart(6)} rows/s  p50 ${p(0.5).toFixed(1)} ms  p99 ${p(0.99).toFixed(1)} ms  cpu ${cpuMsPerBatch.toFixed(1)} ms/batch (sys ${(cpu.system / 1000 / batches.length).toFixed(1)})`,
  );
} finally {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}
