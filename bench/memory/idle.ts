/**
 * Idle memory of the embedded server, and of each of its parts alone (issue #8).
 *
 *   npx tsx bench/memory/idle.ts [--no-build] [--no-probe] [--runs 3]
 *     [--env NAME=VALUE ...] [--only server,chdb,pglite,node] [--json FILE]
 *
 * Each measurement is a separate child process, measured from outside through
 * /proc/<pid>/status once it is idle (RSS moved < 1 MB over 3 s):
 *  - server: `npm run build` (unless --no-build), then `node packages/server/dist/main.js serve`
 *    with PORT=0, LOG_LEVEL=warn and a new TOLLGATE_DATA_DIR (embedded chDB, PGlite, memory hot
 *    state: the `npm start` defaults) plus any --env; first start, then a restart on the same
 *    directory after a clean stop (SIGTERM); without --env, also with TOLLGATE_META_SHARED_BUFFERS_MB=128
 *    (PGlite's stock shared_buffers, the server before that setting). With the probe (bench/memory/probe.mjs, preloaded)
 *    it also reports V8's heap and chDB's own accounting (MemoryTracking, jemalloc).
 *  - chdb: a node process (under tsx) that only opens chDB and applies the event schema;
 *  - pglite: one that only opens PGlite and applies the meta migrations, with the store's
 *    default shared_buffers and with PGlite's stock 128 MB;
 *  - node: `node` alone, and node under tsx doing nothing (the baseline of chdb and pglite,
 *    which run from source: their share is their RSS minus this baseline).
 * The chdb and pglite children also run a first start and a restart on the same directory.
 *
 * VmRSS = RssAnon + RssFile (+ RssShmem, 0 here). RssAnon is private memory (heaps,
 * WebAssembly memory); RssFile is pages of mapped files (the node binary, libchdb.so), shared
 * between processes and dropped by the kernel under memory pressure.
 *
 * Idle RSS varies by tens of MB from one start to the next (when V8 collects, how much the
 * background compilers kept), so each scenario runs --runs times (default 3) and the summary
 * gives the median, min and max. Writes bench/memory/idle-results.json (or --json FILE).
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  processMemory,
  startServer,
  stopServer,
  waitForIdleMemory,
  type ProcessMemory,
} from '../lib/server-process';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = fileURLToPath(import.meta.url);
const PROBE = join(ROOT, 'bench/memory/probe.mjs');

const { values: options } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    'no-probe': { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    env: { type: 'string', multiple: true, default: [] },
    only: { type: 'string', default: 'node,chdb,pglite,server' },
    json: { type: 'string', default: join(ROOT, 'bench/memory/idle-results.json') },
    // Internal: a component child.
    child: { type: 'string', default: '' },
    dir: { type: 'string', default: '' },
    'shared-buffers': { type: 'string', default: '' },
  },
});

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

// ---------------------------------------------------------------------------------------------
// Component children: open one store, print READY, stay idle until SIGTERM, close it cleanly.

async function componentChild(kind: string, directory: string): Promise<void> {
  let close: () => Promise<void> = async () => {};
  const details: Record<string, unknown> = {};
  if (kind === 'chdb') {
    const { ChdbDriver } = await import('../../packages/server/src/stores/events/chdb');
    const { ClickHouseEventStore } =
      await import('../../packages/server/src/stores/events/clickhouse-event-store');
    const driver = ChdbDriver.open(directory);
    const store = new ClickHouseEventStore(driver);
    await store.migrate();
    const [tracking] = await driver.query<{ value: string }>(
      "SELECT value FROM system.metrics WHERE metric = 'MemoryTracking'",
    );
    details.chdbMemoryTrackingMb = mb(Number(tracking?.value ?? NaN));
    close = () => store.close();
  } else if (kind === 'pglite') {
    const { openPglite } = await import('../../packages/server/src/stores/meta/pglite/driver');
    const { migratePglite } = await import('../../packages/server/src/stores/meta/pglite/migrator');
    const { resolveMetaMigrationsFolder } =
      await import('../../packages/server/src/stores/meta/migrations-folder');
    const sharedBuffersMb = options['shared-buffers']
      ? Number(options['shared-buffers'])
      : undefined;
    const { client, database } = await openPglite(directory, { sharedBuffersMb });
    await migratePglite(database, resolveMetaMigrationsFolder());
    const [row] = (await client.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows;
    details.sharedBuffers = row?.shared_buffers;
    const heap = (client as unknown as { mod?: { HEAPU8?: Uint8Array } }).mod?.HEAPU8;
    details.wasmMemoryMb = heap ? mb(heap.byteLength) : undefined;
    close = () => client.close();
  } else if (kind !== 'baseline') {
    throw new Error(`unknown child ${kind}`);
  }
  const usage = process.memoryUsage();
  details.heapUsedMb = mb(usage.heapUsed);
  details.externalMb = mb(usage.external);
  details.arrayBuffersMb = mb(usage.arrayBuffers);
  process.stdout.write(`READY ${JSON.stringify(details)}\n`);
  const keepAlive = setInterval(() => {}, 1 << 30);
  process.once('SIGTERM', () => {
    clearInterval(keepAlive);
    void close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Measurements.

interface Measurement {
  scenario: string;
  start: 'first' | 'restart' | 'only';
  memory: ProcessMemory & { settledAfterMs: number; settled: boolean };
  startupMs: number;
  details?: Record<string, unknown>;
}

/** Runs a child until it prints READY, measures it once idle, stops it with SIGTERM. */
async function measureChild(
  scenario: string,
  start: Measurement['start'],
  argv: string[],
): Promise<Measurement> {
  const t0 = performance.now();
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', resolveExit));
  let output = '';
  const details = await new Promise<Record<string, unknown>>((resolveReady, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /READY (.*)\n/.exec(output)?.[1];
      if (line !== undefined) resolveReady(JSON.parse(line) as Record<string, unknown>);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`${scenario} exited (${code}):\n${output}`)));
  });
  const startupMs = Math.round(performance.now() - t0);
  const memory = await waitForIdleMemory(child.pid!);
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`${scenario} did not close cleanly (${code}):\n${output}`);
  return { scenario, start, memory, startupMs, details };
}

async function measureComponent(
  scenario: string,
  kind: string,
  extra: string[] = [],
): Promise<Measurement[]> {
  const directory = mkdtempSync(join(tmpdir(), `tollgate-idle-${kind}-`));
  try {
    const argv = ['--import', 'tsx', SELF, '--child', kind, '--dir', directory, ...extra];
    return [
      await measureChild(scenario, 'first', argv),
      await measureChild(scenario, 'restart', argv),
    ];
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function lastProbeLine(file: string): Record<string, unknown> | undefined {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function measureServer(
  scenario: string,
  env: Record<string, string>,
): Promise<Measurement[]> {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-idle-server-'));
  const results: Measurement[] = [];
  try {
    for (const start of ['first', 'restart'] as const) {
      const probeFile = join(directory, `probe-${start}.jsonl`);
      const probe = !options['no-probe'];
      const t0 = performance.now();
      const server = await startServer({
        cwd: ROOT,
        nodeArguments: probe ? ['--import', PROBE] : [],
        script: ['packages/server/dist/main.js', 'serve'],
        dataDir: join(directory, 'data'),
        env: { ...env, ...(probe ? { BENCH_PROBE_FILE: probeFile, BENCH_PROBE_MS: '1000' } : {}) },
      });
      const startupMs = Math.round(performance.now() - t0);
      const memory = await waitForIdleMemory(server.child.pid!);
      if (probe) await new Promise((resolveWait) => setTimeout(resolveWait, 1_200));
      const details = probe ? lastProbeLine(probeFile) : undefined;
      const code = await stopServer(server);
      if (code !== 0) throw new Error(`${scenario}: the server exited with ${code} on SIGTERM`);
      results.push({ scenario, start, memory, startupMs, details });
    }
    return results;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Median, min and max per scenario and start over the runs. */
function summarize(measurements: readonly Measurement[]) {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.scenario}\u0000${m.start}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()].map((group) => ({
    scenario: group[0]!.scenario,
    start: group[0]!.start,
    count: group.length,
    vmRssMb: spread(group.map((m) => m.memory.vmRssMb)),
    rssAnonMb: spread(group.map((m) => m.memory.rssAnonMb)),
    rssFileMb: spread(group.map((m) => m.memory.rssFileMb)),
  }));
}

function parseEnv(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--env wants NAME=VALUE, not ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

function printTable(measurements: readonly Measurement[]): void {
  const header = ['scenario', 'start', 'VmRSS', 'RssAnon', 'RssFile', 'thr', 'start ms', 'notes'];
  const rows = measurements.map((m) => {
    const d = m.details ?? {};
    const notes = [
      d.sharedBuffers !== undefined ? `shared_buffers ${String(d.sharedBuffers)}` : '',
      d.wasmMemoryMb !== undefined ? `wasm ${String(d.wasmMemoryMb)} MB` : '',
      d.chdbMemoryTrackingMb !== undefined
        ? `chDB tracked ${String(d.chdbMemoryTrackingMb)} MB`
        : '',
      d.heapUsedMB !== undefined ? `V8 heap used ${String(d.heapUsedMB)} MB` : '',
      d.heapUsedMb !== undefined ? `V8 heap used ${String(d.heapUsedMb)} MB` : '',
      typeof d.chdb === 'object' && d.chdb !== null && 'MemoryTrackingMB' in d.chdb
        ? `chDB tracked ${String((d.chdb as Record<string, unknown>).MemoryTrackingMB)} MB`
        : '',
      m.memory.settled ? '' : 'NOT SETTLED',
    ]
      .filter(Boolean)
      .join(', ');
    return [
      m.scenario,
      m.start,
      m.memory.vmRssMb.toFixed(0),
      m.memory.rssAnonMb.toFixed(0),
      m.memory.rssFileMb.toFixed(0),
      String(m.memory.threads),
      String(m.startupMs),
      notes,
    ];
  });
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i >= 2 && i <= 6 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log('(MB = 1,048,576 bytes; RSS read from /proc/<pid>/status once idle)');
}

async function main(): Promise<void> {
  const only = new Set(options.only.split(','));
  const env = parseEnv(options.env);
  const measurements: Measurement[] = [];
  const runs = Number(options.runs);
  if (only.has('server') && !options['no-build']) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  for (let run = 0; run < runs; run += 1) {
    if (only.has('node')) {
      measurements.push(
        await measureChild('node alone', 'only', [
          '-e',
          'process.stdout.write("READY {}\\n"); setInterval(() => {}, 1 << 30); process.once("SIGTERM", () => process.exit(0));',
        ]),
      );
      measurements.push(
        await measureChild('node + tsx (baseline)', 'only', [
          '--import',
          'tsx',
          SELF,
          '--child',
          'baseline',
        ]),
      );
    }
    if (only.has('chdb')) measurements.push(...(await measureComponent('chDB + schema', 'chdb')));
    if (only.has('pglite')) {
      measurements.push(...(await measureComponent('PGlite + migrations', 'pglite')));
      measurements.push(
        ...(await measureComponent('PGlite + migrations, stock 128 MB', 'pglite', [
          '--shared-buffers',
          '128',
        ])),
      );
    }
    if (only.has('server')) {
      const label = options.env.length > 0 ? `server (${options.env.join(' ')})` : 'server';
      measurements.push(...(await measureServer(label, env)));
      if (options.env.length === 0) {
        // PGlite's stock shared_buffers: the server as it was before TOLLGATE_META_SHARED_BUFFERS_MB.
        measurements.push(
          ...(await measureServer('server, PGlite stock 128 MB', {
            TOLLGATE_META_SHARED_BUFFERS_MB: '128',
          })),
        );
      }
    }
  }
  printTable(measurements);
  const summary = summarize(measurements);
  if (runs > 1) {
    console.log(`\nmedian of ${runs} runs (min–max), MB:`);
    for (const row of summary) {
      console.log(
        `  ${`${row.scenario} / ${row.start}`.padEnd(50)} VmRSS ${row.vmRssMb.median.toFixed(0)} (${row.vmRssMb.min.toFixed(0)}–${row.vmRssMb.max.toFixed(0)})  RssAnon ${row.rssAnonMb.median.toFixed(0)} (${row.rssAnonMb.min.toFixed(0)}–${row.rssAnonMb.max.toFixed(0)})  RssFile ${row.rssFileMb.median.toFixed(0)}`,
      );
    }
  }
  const result = {
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      totalMemoryMb: mb(totalmem()),
      node: process.version,
      loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
    },
    env,
    harness: processMemory('self'),
    runs,
    summary,
    measurements,
  };
  writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${options.json}`);
}

if (options.child) {
  await componentChild(options.child, options.dir);
} else {
  await main();
}
