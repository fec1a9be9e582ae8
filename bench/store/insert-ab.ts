/**
 * Paired comparison of insert-path variants (schema, insert settings, extra DDL) of the
 * embedded event store, in ONE process: each variant lives in its own database of the same
 * chDB session, and every batch is inserted into each variant in turn (the order rotating
 * from batch to batch). Noise from other work on the machine then hits every variant
 * alike, which separate runs minutes apart on a shared 2-core machine do not give.
 * Background merges of all variants share the engine's pool, so this compares the
 * latency of the insert itself; `raw-insert.ts` measures one variant alone.
 *
 *   npx tsx bench/store/insert-ab.ts [--rows 30000] [--batch 1000] \
 *     --variant 'current' \
 *     --variant 'no set indexes||ALTER TABLE events DROP INDEX idx_status' \
 *     --variant 'basic dates|date_time_input_format=basic'
 *
 * A variant is `label|settings|ddl|schema`: settings `k=v,k=v` added to every insert;
 * ddl statements separated by `;;`, run in the variant's database after migrating;
 * schema a module exporting `MIGRATIONS` (default: the current schema).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EventBatch } from '@tollgate/core';
import { eventGenerator, rowBatch } from '../lib/events';
import { ChdbDriver } from '../../packages/server/src/stores/events/chdb';
import { eventInsertSettings } from '../../packages/server/src/stores/events/clickhouse-event-store';
import { migrateEventSchema } from '../../packages/server/src/stores/events/migrator';
import { MIGRATIONS, type Migration } from '../../packages/server/src/stores/events/schema';

const { values: options } = parseArgs({
  options: {
    rows: { type: 'string', default: '30000' },
    batch: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '3' },
    variant: { type: 'string', multiple: true, default: ['current'] },
  },
});
const totalRows = Number(options.rows);
const batchSize = Number(options.batch);

interface Variant {
  label: string;
  database: string;
  settings: Record<string, string>;
  ddl: string[];
  migrations: readonly Migration[];
  latencies: number[];
}

const variants: Variant[] = [];
for (const [index, spec] of options.variant.entries()) {
  const [label = `v${index}`, settings = '', ddl = '', schema = ''] = spec.split('|');
  const migrations = schema
    ? ((await import(isAbsolute(schema) ? schema : resolve(schema))) as { MIGRATIONS: Migration[] })
        .MIGRATIONS
    : MIGRATIONS;
  variants.push({
    label,
    database: `variant_${index}`,
    settings: Object.fromEntries(
      settings
        .split(',')
        .filter(Boolean)
        .map((pair) => pair.split('=') as [string, string]),
    ),
    ddl: ddl.split(';;').filter((statement) => statement.trim()),
    migrations,
    latencies: [],
  });
}

const now = Date.now();
const make = eventGenerator(42);
const batches: EventBatch[] = [];
for (let start = 0; start < totalRows; start += batchSize) {
  const events = Array.from({ length: Math.min(batchSize, totalRows - start) }, (_, offset) =>
    make(start + offset, now),
  );
  batches.push(
    rowBatch(
      `b${start}`,
      events,
      (offset) => ({
        orgId: `org_${offset % 2}`,
        projectId: `proj_${offset % 4}`,
        retentionDays: 90,
      }),
      now,
    ),
  );
}

const directory = mkdtempSync(join(tmpdir(), 'tollgate-bench-ab-'));
const driver = ChdbDriver.open(directory);
try {
  for (const variant of variants) {
    await driver.command(`CREATE DATABASE ${variant.database}`);
    await driver.command(`USE ${variant.database}`);
    await migrateEventSchema(driver, variant.migrations);
    for (const statement of variant.ddl) await driver.command(statement);
  }
  await driver.command('USE default');
  const insert = (variant: Variant, batch: EventBatch, id: string) =>
    driver.insert(`${variant.database}.events`, batch.rows, {
      ...eventInsertSettings(id),
      ...variant.settings,
    });
  const warmup = Number(options.warmup);
  for (let index = 0; index < warmup; index += 1) {
    for (const variant of variants)
      await insert(variant, batches[index % batches.length]!, `w${index}`);
  }
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const [index, batch] of batches.entries()) {
    for (let turn = 0; turn < variants.length; turn += 1) {
      const variant = variants[(index + turn) % variants.length]!;
      const before = performance.now();
      await insert(variant, batch, batch.id);
      variant.latencies.push(performance.now() - before);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);

  const median = (values: readonly number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const base = variants[0]!;
  console.log(
    `${batches.length} batches of ${batchSize} rows into each of ${variants.length} variants, ${seconds.toFixed(1)} s, ` +
      `process CPU ${((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2)} cores, load ${process.platform === 'linux' ? (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : ''}`,
  );
  console.log(
    'variant'.padEnd(44),
    'median ms',
    '  mean ms',
    ' rows/s at median',
    ' vs first (median of paired ratios)',
  );
  for (const variant of variants) {
    const ratios = variant.latencies.map((latency, index) => latency / base.latencies[index]!);
    const mean =
      variant.latencies.reduce((sum, value) => sum + value, 0) / variant.latencies.length;
    console.log(
      variant.label.padEnd(44),
      median(variant.latencies).toFixed(1).padStart(9),
      mean.toFixed(1).padStart(9),
      String(Math.round((batchSize / median(variant.latencies)) * 1000)).padStart(16),
      `${median(ratios).toFixed(2)}x`.padStart(10),
    );
  }
} finally {
  await driver.close();
  rmSync(directory, { recursive: true, force: true });
}
