/**
 * Dashboard queries over a large embedded event store.
 *
 *   npx tsx bench/queries/run.ts [--events 10000000] [--repeats 7] [--chunk 500000]
 *     [--dir /tmp/tollgate-bench-queries-<events>] [--out bench/queries] [--org org_0]
 *
 * 1. Opens chDB on `--dir` with the project's schema (`migrate()`), and, unless the
 *    directory already holds a complete load of the same size, loads `--events`
 *    events made in SQL (`generate.ts`) in chunks of `--chunk`, through the
 *    materialized views as in production. The directory is kept, so later runs
 *    start at step 2 (delete it to load again).
 * 2. Times each dashboard read through the store functions the API routes call
 *    (`EventStore.summary`, `analytics.cost/latency/errorRate/successRates/
 *    topErrors/failures`, `getRun`), for the org with the most events (an org
 *    key's view), over the last 1, 30 and 90 days before the data's anchor:
 *    one untimed warm-up, then `--repeats` timed runs; median [min–max].
 * 3. Writes `results.json` and `results.md` into `--out`.
 *
 * Ranges end at the anchor (the load time, not a midnight), as "the last N days"
 * does in the dashboard, so the hourly rollup's edges are always in play.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AnalyticsQuery, EventStore, TenantScope } from '@tollgate/core';
import { ChdbDriver } from '../../packages/server/src/stores/events/chdb';
import { ClickHouseEventStore } from '../../packages/server/src/stores/events/clickhouse-event-store';
import { DAY_MS, insertStatement } from './generate';

const { values: options } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    repeats: { type: 'string', default: '7' },
    chunk: { type: 'string', default: '500000' },
    dir: { type: 'string', default: '' },
    out: { type: 'string', default: 'bench/queries' },
    org: { type: 'string', default: 'org_0' },
  },
});
const total = Number(options.events);
const repeats = Number(options.repeats);
const chunk = Number(options.chunk);
if (![total, repeats, chunk].every((value) => Number.isSafeInteger(value) && value > 0)) {
  throw new Error('--events, --repeats and --chunk must be positive integers');
}
const directory = resolve(options.dir || `/tmp/tollgate-bench-queries-${total}`);
const MARKER = join(directory, 'bench-queries.json');

interface LoadRecord {
  events: number;
  anchorMs: number;
  loadSeconds: number;
  rowsPerSecond: number;
}

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** Loads the events unless the directory already holds a complete load of this size. */
async function ensureLoaded(driver: ChdbDriver): Promise<LoadRecord> {
  if (existsSync(MARKER)) {
    const record = JSON.parse(readFileSync(MARKER, 'utf8')) as LoadRecord;
    if (record.events === total) {
      console.log(`reusing ${total.toLocaleString('en')} events in ${directory}`);
      return record;
    }
    throw new Error(`${directory} holds ${record.events} events, not ${total}: delete it first`);
  }
  const [stored] = await driver.query<{ rows: number }>('SELECT count() AS rows FROM events');
  if ((stored?.rows ?? 0) > 0)
    throw new Error(`${directory} holds a partial load: delete it first`);
  const anchorMs = Date.now();
  const started = performance.now();
  for (let start = 0; start < total; start += chunk) {
    const count = Math.min(chunk, total - start);
    const chunkStarted = performance.now();
    await driver.command(insertStatement(start, count, total, anchorMs));
    const seconds = (performance.now() - chunkStarted) / 1000;
    console.log(
      `  loaded ${(start + count).toLocaleString('en')} / ${total.toLocaleString('en')} ` +
        `(${Math.round(count / seconds).toLocaleString('en')} rows/s, load ${load()})`,
    );
  }
  const loadSeconds = (performance.now() - started) / 1000;
  const record = { events: total, anchorMs, loadSeconds, rowsPerSecond: total / loadSeconds };
  writeFileSync(MARKER, JSON.stringify(record, null, 2));
  return record;
}

interface Measurement {
  query: string;
  api: string;
  days: number;
  rows: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** CPU time of this process (chDB's threads included) per run, median: moves less with the load. */
  cpuMs: number;
  load: string;
}

/** The fixed reads the dashboard makes, as the routes make them (same store calls, same filters). */
function dashboardQueries(store: EventStore, scope: TenantScope, runId: string) {
  const calls = { eventTypes: ['prompt_call', 'tool_call', 'ai_fallback'] };
  const cost = { eventTypes: ['prompt_call'] };
  const fallbacks = { eventTypes: ['ai_fallback'] };
  const analytics = store.analytics;
  const q = (range: { from: number; to: number }, filters: typeof calls): AnalyticsQuery => ({
    ...range,
    filters,
  });
  type Range = { from: number; to: number };
  return [
    {
      query: 'summary',
      api: 'GET /api/v1/metrics/summary',
      run: (range: Range) => store.summary(scope, { ...range, groupBy: 'none' }),
    },
    {
      query: 'cost summary (total, by operation, by model)',
      api: 'GET /api/v1/analytics/cost/summary',
      run: async (range: Range) =>
        (
          await Promise.all([
            analytics.cost(scope, { ...q(range, cost), groupBy: 'none' }),
            analytics.cost(scope, { ...q(range, cost), groupBy: 'operation' }),
            analytics.cost(scope, { ...q(range, cost), groupBy: 'model' }),
          ])
        ).flat(),
    },
    {
      query: 'cost by day',
      api: 'GET /api/v1/analytics/cost?groupBy=day',
      run: (range: Range) => analytics.cost(scope, { ...q(range, cost), groupBy: 'day' }),
    },
    {
      query: 'cost by model',
      api: 'GET /api/v1/analytics/cost?groupBy=model',
      run: (range: Range) => analytics.cost(scope, { ...q(range, cost), groupBy: 'model' }),
    },
    {
      query: 'latency quantiles by model',
      api: 'GET /api/v1/analytics/performance?groupBy=model',
      run: (range: Range) => analytics.latency(scope, { ...q(range, calls), groupBy: 'model' }),
    },
    {
      query: 'error rate by hour',
      api: 'GET /api/v1/analytics/quality/error-rate?bucket=hour',
      run: (range: Range) => analytics.errorRate(scope, { ...q(range, calls), bucket: 'hour' }),
    },
    {
      query: 'error rate by day',
      api: 'GET /api/v1/analytics/quality/error-rate?bucket=day',
      run: (range: Range) => analytics.errorRate(scope, { ...q(range, calls), bucket: 'day' }),
    },
    {
      query: 'top methods (AI fallbacks, min 5 calls)',
      api: 'GET /api/v1/analytics/fallbacks (top_methods)',
      run: (range: Range) =>
        analytics.successRates(scope, {
          ...q(range, fallbacks),
          groupBy: 'method',
          minSamples: 5,
        }),
    },
    {
      query: 'AI fallbacks page (its 5 reads)',
      api: 'GET /api/v1/analytics/fallbacks',
      run: async (range: Range) =>
        (
          await Promise.all([
            analytics.cost(scope, { ...q(range, fallbacks), groupBy: 'method' }),
            analytics.latency(scope, { ...q(range, fallbacks), groupBy: 'decision' }),
            analytics.latency(scope, { ...q(range, fallbacks), groupBy: 'method' }),
            analytics.successRates(scope, {
              ...q(range, fallbacks),
              groupBy: 'method',
              minSamples: 5,
            }),
            analytics.failures(scope, { ...q(range, fallbacks), limit: 20 }),
          ])
        ).flat(),
    },
    {
      query: 'top errors',
      api: 'GET /api/v1/analytics/quality/top-errors',
      run: (range: Range) => analytics.topErrors(scope, { ...q(range, calls), limit: 20 }),
    },
    {
      query: "one run's trace",
      api: 'GET /api/v1/runs/:runId',
      run: async (range: Range) => {
        const trace = await store.getRun(scope, runId, range);
        return [...trace.events, ...trace.agentSteps, ...trace.toolCalls];
      },
    },
  ];
}

const median = (sorted: readonly number[]): number => {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function main(): Promise<void> {
  mkdirSync(directory, { recursive: true });
  const driver = ChdbDriver.open(directory);
  const store = new ClickHouseEventStore(driver);
  try {
    await store.migrate();
    const record = await ensureLoaded(driver);
    const tables = await driver.query<{ table: string; rows: number; parts: number }>(
      `SELECT table, toUInt64(sum(rows)) AS rows, toUInt64(count()) AS parts FROM system.parts
WHERE active AND database = currentDatabase() GROUP BY table ORDER BY table`,
    );
    const scope: TenantScope = { orgId: options.org };
    // A recent agent run of the org: found in every range below.
    const [run] = await driver.query<{ run_id: string }>(
      `SELECT run_id FROM agent_steps WHERE org_id = {org:String}
  AND ts >= fromUnixTimestamp64Milli({after:Int64}, 'UTC') ORDER BY ts DESC LIMIT 1`,
      { org: options.org, after: record.anchorMs - DAY_MS / 2 },
    );
    if (!run) throw new Error(`no recent agent run for ${options.org}`);
    console.log(
      `events ${record.events.toLocaleString('en')}, anchor ${new Date(record.anchorMs).toISOString()}, ` +
        `org ${options.org}, run ${run.run_id}, ${repeats} repeats, load ${load()}`,
    );
    const measurements: Measurement[] = [];
    for (const definition of dashboardQueries(store, scope, run.run_id)) {
      for (const days of [1, 30, 90]) {
        const range = { from: record.anchorMs - days * DAY_MS, to: record.anchorMs };
        const rows = (await definition.run(range)).length;
        const times: number[] = [];
        const cpu: number[] = [];
        for (let index = 0; index < repeats; index += 1) {
          const cpuBefore = process.cpuUsage();
          const started = performance.now();
          await definition.run(range);
          times.push(performance.now() - started);
          const used = process.cpuUsage(cpuBefore);
          cpu.push((used.user + used.system) / 1000);
        }
        times.sort((left, right) => left - right);
        cpu.sort((left, right) => left - right);
        const measurement = {
          query: definition.query,
          api: definition.api,
          days,
          rows,
          medianMs: median(times),
          minMs: times[0]!,
          maxMs: times[times.length - 1]!,
          cpuMs: median(cpu),
          load: load(),
        };
        measurements.push(measurement);
        console.log(
          `  ${definition.query.padEnd(46)} ${String(days).padStart(2)} d: ` +
            `${measurement.medianMs.toFixed(1)} ms [${measurement.minMs.toFixed(1)}–${measurement.maxMs.toFixed(1)}], ` +
            `CPU ${measurement.cpuMs.toFixed(1)} ms, ${rows} rows, load ${measurement.load}`,
        );
      }
    }
    const machine = `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`;
    const result = {
      date: new Date().toISOString(),
      command: `npx tsx bench/queries/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      load: record,
      org: options.org,
      runId: run.run_id,
      repeats,
      tables,
      measurements,
    };
    mkdirSync(options.out, { recursive: true });
    writeFileSync(join(options.out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(options.out, 'results.md'), markdown(result));
    console.log(`wrote ${join(options.out, 'results.md')} and results.json`);
  } finally {
    await store.close();
  }
}

function markdown(result: {
  date: string;
  command: string;
  machine: string;
  load: LoadRecord;
  org: string;
  tables: Array<{ table: string; rows: number; parts: number }>;
  measurements: Measurement[];
}): string {
  const ms = (value: number) => value.toFixed(1);
  const byQuery = new Map<string, Measurement[]>();
  for (const measurement of result.measurements) {
    byQuery.set(measurement.query, [...(byQuery.get(measurement.query) ?? []), measurement]);
  }
  const lines = [
    `Date ${result.date}; \`${result.command}\`; ${result.machine}.`,
    `${result.load.events.toLocaleString('en')} events over 90 days, loaded in ` +
      `${result.load.loadSeconds.toFixed(0)} s (${Math.round(result.load.rowsPerSecond).toLocaleString('en')} rows/s); ` +
      `queries as org \`${result.org}\`; wall ms, median [min–max]; CPU ms: median CPU time of the process ` +
      `(chDB's threads included) per query; load average (1, 5, 15 min) after each.`,
    '',
    '| query | API | 1 day | 30 days | 90 days | CPU ms 1 / 30 / 90 d | rows (90 d) | load after 90 d |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [query, rows] of byQuery) {
    const cell = (days: number) => {
      const row = rows.find((candidate) => candidate.days === days)!;
      return `${ms(row.medianMs)} [${ms(row.minMs)}–${ms(row.maxMs)}]`;
    };
    const last = rows.find((row) => row.days === 90)!;
    const cpu = rows.map((row) => row.cpuMs.toFixed(0)).join(' / ');
    lines.push(
      `| ${query} | \`${rows[0]!.api}\` | ${cell(1)} | ${cell(30)} | ${cell(90)} | ${cpu} | ${last.rows} | ${last.load} |`,
    );
  }
  lines.push('', '| table | rows | active parts |', '| --- | --- | --- |');
  for (const table of result.tables)
    lines.push(`| ${table.table} | ${table.rows} | ${table.parts} |`);
  return `${lines.join('\n')}\n`;
}

await main();
