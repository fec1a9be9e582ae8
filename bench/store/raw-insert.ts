/**
 * Raw insert rate of the embedded event store (chDB): realistic prompt_call
 * rows (~1.8 KB of JSON each) built by `buildEventRow`, serialized once as
 * JSONEachRow batches, inserted one batch after another into a fresh store
 * with the full schema (events + materialized views). Building the rows is
 * not timed; only `store.insert`.
 *
 *   npx tsx bench/store/raw-insert.ts [--rows 100000] [--batch 1000] [--without-views] [--fsync]
 *
 * `--without-views` drops the materialized views after migrating, to show what
 * the rollups and copies cost on the write path. `--fsync` turns on the
 * MergeTree settings that fsync every inserted part (`fsync_after_insert`,
 * `fsync_part_directory`; off by default), to show what surviving a power
 * loss, not only a process crash, would cost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEventRow, eventInputSchema, type EventBatch, type EventTenant } from '@tollgate/core';
import { ChdbDriver } from '../../packages/server/src/stores/events/chdb';
import { ClickHouseEventStore } from '../../packages/server/src/stores/events/clickhouse-event-store';
import { EXPECTED_TABLES } from '../../packages/server/src/stores/events/schema';

const { values: options } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    'without-views': { type: 'boolean', default: false },
    fsync: { type: 'boolean', default: false },
  },
});
const totalRows = Number(options.rows);
const batchSize = Number(options.batch);

/** Deterministic pseudo-random numbers (mulberry32), so every run inserts the same data. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const next = random(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const WORDS = (
  'the customer asked about their invoice refund policy shipping delay account password reset order ' +
  'status product warranty subscription plan upgrade billing address payment method card declined ' +
  'please summarize explain translate classify answer politely with details and steps to resolve'
).split(' ');
const text = (words: number): string => Array.from({ length: words }, () => pick(WORDS)).join(' ');
const MODELS = [
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude-3-5-haiku'],
  ['google', 'gemini-2.0-flash'],
  ['openai', 'gpt-4o'],
] as const;
const STATUSES = [
  'success',
  'success',
  'success',
  'success',
  'success',
  'success',
  'error',
  'cached',
  'timeout',
] as const;
const TENANTS: EventTenant[] = Array.from({ length: 4 }, (_, index) => ({
  orgId: `org_${index % 2}`,
  projectId: `proj_${index}`,
  retentionDays: 90,
}));

function batchOfRows(start: number, count: number, now: number): EventBatch {
  const lines: string[] = [];
  for (let index = start; index < start + count; index += 1) {
    const [provider, model] = pick(MODELS);
    const status = pick(STATUSES);
    const input = eventInputSchema.parse({
      event_type: 'prompt_call',
      ts: now - Math.floor(next() * 6 * 3_600_000),
      run_id: `run-${Math.floor(index / 5)}`,
      user_id: `user-${Math.floor(next() * 5_000)}`,
      session_id: `session-${Math.floor(next() * 20_000)}`,
      request_id: `req-${index}`,
      name: pick(['support.answer', 'support.summarize', 'search.rerank', 'mail.classify']),
      service: 'support-bot',
      env: 'production',
      tags: ['bench', pick(['beta', 'stable'])],
      status,
      latency_ms: 200 + next() * 2_500,
      metadata: {
        customer_tier: pick(['free', 'pro', 'enterprise']),
        region: pick(['eu-west-1', 'us-east-1']),
      },
      provider,
      model,
      input_tokens: 200 + Math.floor(next() * 2_000),
      output_tokens: 20 + Math.floor(next() * 600),
      cached_tokens: next() < 0.3 ? 128 : 0,
      input: [
        { role: 'system', content: text(18) },
        { role: 'user', content: text(50) },
      ],
      output: status === 'success' || status === 'cached' ? text(30) : undefined,
      error_message: status === 'error' ? 'upstream returned 500' : undefined,
      ttft_ms: 80 + next() * 400,
      prompt_name: 'support-answer',
      prompt_version: 3,
      cache_hit: status === 'cached',
      attempts: 1,
      providers_tried: [provider],
    });
    lines.push(JSON.stringify(buildEventRow(input, pick(TENANTS), now)));
  }
  return {
    id: `bench-${start}`,
    rows: Buffer.from(`${lines.join('\n')}\n`, 'utf8'),
    rowCount: count,
  };
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
  await store.migrate();
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
  const started = performance.now();
  for (const batch of batches) {
    const before = performance.now();
    await store.insert(batch);
    latencies.push(performance.now() - before);
  }
  const seconds = (performance.now() - started) / 1000;
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
    `batch latency:  p50 ${percentile(0.5).toFixed(1)} ms, p99 ${percentile(0.99).toFixed(1)} ms`,
  );
  console.log(
    `stored:         ${events?.rows} rows, ${((events?.bytesOnDisk ?? 0) / 1e6).toFixed(1)} MB on disk (events table)`,
  );
} finally {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}
