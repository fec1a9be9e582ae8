/**
 * The fixed cost of one insert into the embedded event store: what an insert of
 * 1, 16, 100 or 1,000 bench rows costs (process CPU and wall time per insert),
 * how many parts it creates (system.parts before/after; `--stop-merges` keeps
 * every part, so the count is exact), the time each materialized view takes
 * (system.query_views_log and system.part_log, when chDB keeps them: chDB 3.4
 * does not), and the effect of insert settings, of the views (`plain`: a copy
 * of `events` without them) and of ZSTD(1) on the long text columns
 * (`plain_zstd1`) on that cost.
 *
 *   npx tsx bench/ingest/insert-cost.ts [--inserts 200] [--sizes 1,16,100,1000]
 *     [--variants base,serial,plain,plain_zstd1,...] [--rounds 2] [--concurrency 1]
 *     [--stop-merges] [--explain]
 *
 * One chDB data directory per process: each variant runs in turn on the same
 * directory (a new tenant per variant, so its rows are distinct), alternating
 * variants per size and round so a change of machine load hits them all alike.
 * CPU is the whole process's (chDB's threads and background merges included).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EventBatch } from '@tollgate/core';
import { ChdbDriver } from '../../packages/server/src/stores/events/chdb';
import {
  ClickHouseEventStore,
  eventInsertSettings,
} from '../../packages/server/src/stores/events/clickhouse-event-store';
import { eventGenerator, rowBatch } from '../lib/events';

const { values: options } = parseArgs({
  options: {
    inserts: { type: 'string', default: '200' },
    sizes: { type: 'string', default: '1,16,100,1000' },
    variants: { type: 'string', default: 'base' },
    concurrency: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
    explain: { type: 'boolean', default: false },
    'stop-merges': { type: 'boolean', default: false },
  },
});

/**
 * Variants on other tables: copies of `events` without its materialized views
 * (what the views cost), and with the long text columns at ZSTD(1) instead of 3.
 */
const TABLE_VARIANTS: Record<string, { table: string; ddl: string[] }> = {
  plain: { table: 'events_plain', ddl: ['CREATE TABLE IF NOT EXISTS events_plain AS events'] },
  plain_zstd1: {
    table: 'events_zstd1',
    ddl: [
      'CREATE TABLE IF NOT EXISTS events_zstd1 AS events',
      'ALTER TABLE events_zstd1 MODIFY COLUMN input String CODEC(ZSTD(1)), MODIFY COLUMN output String CODEC(ZSTD(1))',
    ],
  },
};

/** Extra settings per variant, on top of the store's own insert settings. */
const VARIANTS: Record<string, Record<string, string | number>> = {
  base: {},
  parallel_view_processing: { parallel_view_processing: 1 },
  no_optimize_on_insert: { optimize_on_insert: 0 },
  max_insert_threads_1: { max_insert_threads: 1 },
  max_threads_1: { max_threads: 1 },
  no_dedup_views: { deduplicate_blocks_in_dependent_materialized_views: 0 },
  no_dedup: { insert_deduplicate: 0, deduplicate_blocks_in_dependent_materialized_views: 0 },
  no_fsync: { fsync_after_insert: 0 },
  no_squash: { min_insert_block_size_rows: 0, min_insert_block_size_bytes: 0 },
  no_views_log: { log_query_views: 0 },
  no_query_log: { log_queries: 0, log_query_views: 0 },
  no_log_processors: { log_processors_profiles: 0 },
  no_parallel_parsing: { input_format_parallel_parsing: 0 },
  serial: { input_format_parallel_parsing: 0, max_threads: 1 },
  serial_all: {
    input_format_parallel_parsing: 0,
    max_threads: 1,
    max_insert_threads: 1,
    optimize_on_insert: 0,
  },
  light: {
    optimize_on_insert: 0,
    log_queries: 0,
    log_query_views: 0,
    log_processors_profiles: 0,
  },
};

const now = Date.now();
const make = eventGenerator(42);
const events = Array.from({ length: 20_000 }, (_, index) => make(index, now));
const sizes = options.sizes.split(',').map(Number);
const variants = options.variants.split(',');
const insertCount = Number(options.inserts);
const concurrency = Number(options.concurrency);

const directory = mkdtempSync(join(tmpdir(), 'tollgate-insert-cost-'));
const driver = ChdbDriver.open(directory);
const store = new ClickHouseEventStore(driver);

async function count(sql: string): Promise<number> {
  const rows = await driver.query<{ n: number }>(sql);
  return Number(rows[0]?.n ?? 0);
}

const activeParts = () =>
  count(`SELECT count() AS n FROM system.parts WHERE active AND database = currentDatabase()`);

async function main(): Promise<void> {
  await store.migrate();
  for (const variant of variants) {
    for (const statement of TABLE_VARIANTS[variant]?.ddl ?? []) await driver.command(statement);
  }
  if (options['stop-merges']) await driver.command('SYSTEM STOP MERGES');
  for (const [name, sql] of [
    [
      'fsync_after_insert',
      "SELECT value AS n FROM system.merge_tree_settings WHERE name = 'fsync_after_insert'",
    ],
    ['log_queries', "SELECT value AS n FROM system.settings WHERE name = 'log_queries'"],
    ['log_query_views', "SELECT value AS n FROM system.settings WHERE name = 'log_query_views'"],
    [
      'parallel_view_processing',
      "SELECT value AS n FROM system.settings WHERE name = 'parallel_view_processing'",
    ],
    [
      'optimize_on_insert',
      "SELECT value AS n FROM system.settings WHERE name = 'optimize_on_insert'",
    ],
    [
      'max_insert_threads',
      "SELECT value AS n FROM system.settings WHERE name = 'max_insert_threads'",
    ],
    ['max_threads', "SELECT value AS n FROM system.settings WHERE name = 'max_threads'"],
    ['async_insert', "SELECT value AS n FROM system.settings WHERE name = 'async_insert'"],
    [
      'system tables',
      "SELECT groupArray(name) AS n FROM system.tables WHERE database = 'system' AND name LIKE '%log%'",
    ],
  ] as const) {
    try {
      const rows = await driver.query<{ n: unknown }>(sql);
      console.log(`${name}: ${JSON.stringify(rows[0]?.n)}`);
    } catch (error) {
      console.log(`${name}: ${(error as Error).message.slice(0, 120)}`);
    }
  }

  let tenantIndex = 0;
  let sequence = 0;
  const results: Record<
    string,
    Record<number, { cpuMs: number[]; wallMs: number[]; parts: number[] }>
  > = {};
  for (let round = 0; round < Number(options.rounds); round += 1) {
    for (const size of sizes) {
      for (const variant of variants) {
        tenantIndex += 1;
        const tenant = {
          orgId: `org-${tenantIndex}`,
          projectId: `proj-${tenantIndex}`,
          retentionDays: 90,
        };
        const batches: EventBatch[] = [];
        const n = Math.max(4, Math.min(insertCount, Math.floor(200_000 / size)));
        for (let i = 0; i < n; i += 1) {
          const start = (i * size) % (events.length - size);
          batches.push(rowBatch(`b-${i}`, events.slice(start, start + size), tenant, now));
        }
        const extra = VARIANTS[variant] ?? {};
        const table = TABLE_VARIANTS[variant]?.table ?? 'events';
        const partsBefore = await activeParts();
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        let next = 0;
        const worker = async () => {
          while (next < batches.length) {
            const batch = batches[next++]!;
            sequence += 1;
            await driver.insert(table, batch.rows, {
              ...eventInsertSettings(`s-${sequence}`),
              ...extra,
            });
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        const wall = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        const partsAfter = await activeParts();
        const entry = ((results[variant] ??= {})[size] ??= { cpuMs: [], wallMs: [], parts: [] });
        entry.cpuMs.push((cpu.user + cpu.system) / 1000 / n);
        entry.wallMs.push(wall / n);
        entry.parts.push((partsAfter - partsBefore) / n);
        console.log(
          `round ${round} size ${String(size).padStart(4)} ${variant.padEnd(26)} ${n} inserts: ` +
            `${((cpu.user + cpu.system) / 1000 / n).toFixed(2)} ms CPU/insert, ${(wall / n).toFixed(2)} ms wall/insert, ` +
            `${((cpu.user + cpu.system) / (n * size)).toFixed(0)} µs CPU/row, ${((n * size) / (wall / 1000)).toFixed(0)} rows/s, ` +
            `active parts +${((partsAfter - partsBefore) / n).toFixed(2)}/insert (merges may lower it)`,
        );
      }
    }
  }

  // Parts written per insert, and time per view, from the engine's own logs when kept.
  if (options['stop-merges']) {
    const perTable = await driver.query<Record<string, unknown>>(
      `SELECT table, count() AS parts, sum(rows) AS rows FROM system.parts
       WHERE active AND database = currentDatabase() GROUP BY table ORDER BY table`,
    );
    console.log('active parts per table (merges stopped):', JSON.stringify(perTable));
  }
  try {
    await driver.command('SYSTEM FLUSH LOGS');
    const partLog = await driver.query<Record<string, unknown>>(
      `SELECT table, count() AS new_parts, round(avg(duration_ms), 2) AS avg_ms
       FROM system.part_log WHERE event_type = 'NewPart' AND database = currentDatabase()
       GROUP BY table ORDER BY table`,
    );
    console.log('system.part_log NewPart per table:', JSON.stringify(partLog));
  } catch (error) {
    console.log(`system.part_log: ${(error as Error).message.slice(0, 200)}`);
  }
  try {
    const views = await driver.query<Record<string, unknown>>(
      `SELECT view_name, count() AS n, round(avg(view_duration_ms), 2) AS avg_ms, round(quantile(0.5)(view_duration_ms), 2) AS p50_ms
       FROM system.query_views_log GROUP BY view_name ORDER BY view_name`,
    );
    console.log('system.query_views_log per view:', JSON.stringify(views));
  } catch (error) {
    console.log(`system.query_views_log: ${(error as Error).message.slice(0, 200)}`);
  }
  if (options.explain) {
    try {
      const ql = await driver.query<Record<string, unknown>>(
        `SELECT query_duration_ms, written_rows, ProfileEvents FROM system.query_log
         WHERE type = 'QueryFinish' AND query_kind = 'Insert' ORDER BY event_time_microseconds DESC LIMIT 1`,
      );
      console.log('last insert ProfileEvents:', JSON.stringify(ql[0], null, 0));
    } catch (error) {
      console.log(`system.query_log: ${(error as Error).message.slice(0, 200)}`);
    }
  }
}

try {
  await main();
} finally {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}
