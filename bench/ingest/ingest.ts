/**
 * Ingestion throughput of the real server, against the raw insert rate of its
 * embedded event store for the same rows.
 *
 *   npx tsx bench/ingest/ingest.ts [--repeats 3] [--duration 15] [--warmup 3]
 *     [--clients 16] [--batches 1,100,1000] [--events 60000] [--json FILE] [--cpu-prof DIR]
 *     [--pooled-random] [--no-gather] [--no-dedupe]
 *
 * Each repetition, for each batch size:
 *  1. starts `node --import tsx packages/server/src/cli/main.ts serve` as a child process
 *     (PORT=0, a new temporary TOLLGATE_DATA_DIR, LOG_LEVEL=warn), reads the URL and the
 *     project key it prints, waits until it is idle and records its RSS (idle RSS);
 *  2. drives `POST /api/v1/events` from `--clients` concurrent connections, each sending
 *     the next batch as soon as the previous one is answered, for `--warmup` seconds
 *     (not counted) then `--duration` seconds: events acknowledged (200 responses
 *     arriving in the window) per second, latency p50/p99 of those requests, the
 *     server's RSS (peak) and CPU;
 *  3. stops the server (SIGTERM) and removes its data directory.
 * Then, for each batch size, in another child process (chDB serves one data directory
 * per process), the raw insert rate of the embedded store for the same rows: the same
 * events, built by `buildEventRow` for the same tenant, inserted with `EventStore.insert`
 * in batches of that size, from `--clients` concurrent callers (as the API phase), on a
 * fresh store, for `--warmup` + `--duration` seconds. One store holds one chDB session,
 * and chDB runs the statements of a session one at a time: concurrent `insert` calls
 * queue, as the server's do (its `EventWriter` runs one insert at a time and groups the
 * writes that wait). Each batch size is reported against the raw rate of the same batch
 * size and against the raw rate in batches of 1,000 (the engine's bulk rate; measured
 * too when 1,000 is not among `--batches`). The summary gives median, min and max over
 * repetitions.
 *
 * The load generator runs in this process, on the same machine: its CPU is reported.
 * `--cpu-prof DIR` writes the server's V8 CPU profiles to DIR. `--pooled-random` preloads
 * `pooled-random.mjs` into the server, to measure the proposed event-id change in core.
 * `--no-gather` preloads `no-gather.mjs`: the server's `EventWriter` without its gather
 * wait (the next insert starts with the first write that arrives), for a before/after.
 * `--no-dedupe` preloads `no-dedupe.mjs`: the `EventWriter` without its event_id claims
 * (exactly-once), for a before/after of their cost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { EventBatch } from '@tollgate/core';
import { Pool } from 'undici';
import { eventGenerator, rowBatch, type BenchEvent } from '../lib/events';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = fileURLToPath(import.meta.url);

const { values: options } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    clients: { type: 'string', default: '16' },
    batches: { type: 'string', default: '1,100,1000' },
    events: { type: 'string', default: '60000' },
    now: { type: 'string', default: '' },
    json: { type: 'string', default: '' },
    'cpu-prof': { type: 'string', default: '' },
    'pooled-random': { type: 'boolean', default: false },
    'no-gather': { type: 'boolean', default: false },
    'no-dedupe': { type: 'boolean', default: false },
    // Internal: the raw-insert child.
    'raw-child': { type: 'boolean', default: false },
    org: { type: 'string', default: '' },
    project: { type: 'string', default: '' },
    retention: { type: 'string', default: '90' },
    'raw-batch': { type: 'string', default: '1000' },
  },
});

const duration = Number(options.duration);
const warmup = Number(options.warmup);
const eventCount = Number(options.events);
/** The batch size of the engine's bulk rate, every ratio's second reference. */
const BULK_BATCH = 1_000;
/** Distinct batches the raw child prepares (then cycles through). */
const RAW_MAX_BATCHES = 2_000;

/** The same events in every process: the seed and the anchor time are fixed per run. */
function benchEvents(count: number, now: number): BenchEvent[] {
  const make = eventGenerator(42);
  return Array.from({ length: count }, (_, index) => make(index, now));
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

// ---------------------------------------------------------------------------------------------
// Raw child: the embedded store alone, same rows, batches of `--raw-batch`.

interface RawResult {
  batch: number;
  clients: number;
  rowsPerSecond: number;
  insertsPerSecond: number;
  rows: number;
  seconds: number;
  batchP50Ms: number;
  batchP99Ms: number;
  bytesPerRow: number;
  cpuCores: number;
  cpuMicrosPerRow: number;
  rssMb: number;
}

async function rawChild(): Promise<void> {
  const { ChdbDriver } = await import('../../packages/server/src/stores/events/chdb');
  const { ClickHouseEventStore } =
    await import('../../packages/server/src/stores/events/clickhouse-event-store');
  const now = Number(options.now);
  const tenant = {
    orgId: options.org,
    projectId: options.project,
    retentionDays: Number(options.retention),
  };
  const rawBatch = Number(options['raw-batch']);
  const clients = Number(options.clients);
  const events = benchEvents(eventCount, now);
  const batches: EventBatch[] = [];
  for (
    let start = 0;
    start + rawBatch <= events.length && batches.length < RAW_MAX_BATCHES;
    start += rawBatch
  ) {
    batches.push(rowBatch(`raw-${start}`, events.slice(start, start + rawBatch), tenant, now));
  }
  const rowsInBatches = batches.reduce((sum, batch) => sum + batch.rowCount, 0);
  const bytes = batches.reduce((sum, batch) => sum + batch.rows.length, 0);
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-bench-raw-'));
  const store = new ClickHouseEventStore(ChdbDriver.open(directory));
  try {
    await store.migrate();
    let sequence = 0;
    const insert = (index: number) => {
      const batch = batches[index % batches.length]!;
      sequence += 1;
      return store.insert({ ...batch, id: `raw-${sequence}` });
    };
    // As the API phase: `clients` callers, each inserting its next batch once the last
    // is committed; the inserts that finish inside the window count.
    const windowStart = performance.now() + warmup * 1000;
    const windowEnd = windowStart + duration * 1000;
    let index = 0;
    const latencies: number[] = [];
    let rows = 0;
    let inserts = 0;
    let cpuBefore: NodeJS.CpuUsage | undefined;
    let cpu: NodeJS.CpuUsage | undefined;
    // The callers await the engine off the main thread, so these fire on time.
    const windowTimers = [
      setTimeout(() => (cpuBefore = process.cpuUsage()), warmup * 1000),
      setTimeout(() => (cpu = process.cpuUsage(cpuBefore)), (warmup + duration) * 1000),
    ];
    const caller = async () => {
      while (performance.now() < windowEnd) {
        const batch = index;
        index += 1;
        const before = performance.now();
        await insert(batch);
        const after = performance.now();
        if (after >= windowStart && after <= windowEnd) {
          latencies.push(after - before);
          rows += batches[batch % batches.length]!.rowCount;
          inserts += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: clients }, caller));
    for (const timer of windowTimers) clearTimeout(timer);
    const seconds = duration;
    cpu ??= process.cpuUsage(cpuBefore);
    latencies.sort((a, b) => a - b);
    const result: RawResult = {
      batch: rawBatch,
      clients,
      rowsPerSecond: rows / seconds,
      insertsPerSecond: inserts / seconds,
      rows,
      seconds,
      batchP50Ms: percentile(latencies, 0.5),
      batchP99Ms: percentile(latencies, 0.99),
      bytesPerRow: bytes / rowsInBatches,
      cpuCores: (cpu.user + cpu.system) / 1e6 / seconds,
      cpuMicrosPerRow: (cpu.user + cpu.system) / rows,
      rssMb: process.memoryUsage().rss / 1e6,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The server as a child process.

interface Server {
  child: ChildProcess;
  url: string;
  projectKey: string;
  directory: string;
  exited: Promise<number | null>;
  /** The `writer-stats` lines the server printed (see writer-stats.mjs). */
  writerStats: WriterStats[];
}

interface WriterStats {
  inserts: number;
  writes: number;
  rows: number;
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** User + system CPU seconds of a process (all its threads, chDB's included). */
function cpuSeconds(pid: number, thread?: number): number {
  try {
    const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name, in ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function startServer(): Promise<Server> {
  const directory = mkdtempSync(join(tmpdir(), 'tollgate-bench-ingest-'));
  const nodeArguments = ['--import', 'tsx', '--import', './bench/ingest/writer-stats.mjs'];
  if (options['cpu-prof'])
    nodeArguments.push('--cpu-prof', `--cpu-prof-dir=${options['cpu-prof']}`);
  if (options['pooled-random']) nodeArguments.push('--import', './bench/ingest/pooled-random.mjs');
  if (options['no-gather']) nodeArguments.push('--import', './bench/ingest/no-gather.mjs');
  if (options['no-dedupe']) nodeArguments.push('--import', './bench/ingest/no-dedupe.mjs');
  const child = spawn(
    process.execPath,
    [...nodeArguments, 'packages/server/src/cli/main.ts', 'serve'],
    {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', TOLLGATE_DATA_DIR: directory, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', resolveExit));
  let output = '';
  const ready = new Promise<{ url: string; projectKey: string }>((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not start within 180 s:\n${output}`)),
      180_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Tollgate is serving at (http:\/\/\S+)/.exec(output)?.[1];
      const projectKey = /project key: (tg_\S+)/.exec(output)?.[1];
      if (url && projectKey) {
        clearTimeout(timer);
        resolveReady({ url, projectKey });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before serving:\n${output}`));
    });
  });
  const { url, projectKey } = await ready;
  // Keep reading its output, so a full pipe never blocks it; show warnings and errors.
  child.stdout!.removeAllListeners('data');
  child.stderr!.removeAllListeners('data');
  const writerStats: WriterStats[] = [];
  const relay = (chunk: Buffer) => {
    const lines = chunk
      .toString()
      .split('\n')
      .filter((line) => {
        const stats = /^writer-stats (\{.*\})$/.exec(line.trim())?.[1];
        if (stats) writerStats.push(JSON.parse(stats) as WriterStats);
        return !stats;
      });
    const text = lines.join('\n').trim();
    if (text) process.stderr.write(`  [server] ${text.slice(0, 500)}\n`);
  };
  child.stdout!.on('data', relay);
  child.stderr!.on('data', relay);
  return { child, url, projectKey, directory, exited, writerStats };
}

async function stopServer(server: Server): Promise<void> {
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 30_000);
  await server.exited;
  clearTimeout(timer);
  rmSync(server.directory, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// The load.

interface PhaseResult {
  batch: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  acknowledged: number;
  failed: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  idleRssMb: number;
  peakRssMb: number;
  endRssMb: number;
  serverCpuCores: number;
  /** Server CPU (all threads, chDB's included) per acknowledged event. */
  serverCpuMicrosPerEvent: number;
  /** The part of it on the Node.js main thread. */
  mainThreadCpuMicrosPerEvent: number;
  /** Inserts the server's EventWriter started in the window, and the requests and events per insert. */
  inserts: number;
  requestsPerInsert: number;
  eventsPerInsert: number;
  clientCpuCores: number;
  loadAverage: string;
  tenant: { orgId: string; projectId: string; retentionDays: number };
}

function bodiesOf(events: readonly BenchEvent[], batch: number): Buffer[] {
  const bodies: Buffer[] = [];
  for (let start = 0; start + batch <= events.length; start += batch) {
    bodies.push(Buffer.from(JSON.stringify(events.slice(start, start + batch))));
  }
  return bodies;
}

async function phase(batch: number, events: readonly BenchEvent[]): Promise<PhaseResult> {
  const bodies = bodiesOf(events, batch);
  const server = await startServer();
  const pid = server.child.pid!;
  try {
    await new Promise((resolveWait) => setTimeout(resolveWait, 3_000));
    const idleRssMb = rssMb(pid);
    const clients = Number(options.clients);
    const pool = new Pool(server.url, { connections: clients, pipelining: 1 });
    const headers = {
      authorization: `Bearer ${server.projectKey}`,
      'content-type': 'application/json',
    };
    const t0 = performance.now();
    const windowStart = t0 + warmup * 1000;
    const windowEnd = windowStart + duration * 1000;
    let next = 0;
    let acknowledged = 0;
    let requests = 0;
    const failed: Record<string, number> = {};
    const latencies: number[] = [];
    let peakRssMb = 0;
    let cpuAtStart = NaN;
    let mainThreadCpuAtStart = NaN;
    let clientCpuAtStart = process.cpuUsage();
    const sampler = setInterval(() => {
      peakRssMb = Math.max(peakRssMb, rssMb(pid));
      if (Number.isNaN(cpuAtStart) && performance.now() >= windowStart) {
        server.child.kill('SIGUSR2');
        cpuAtStart = cpuSeconds(pid);
        mainThreadCpuAtStart = cpuSeconds(pid, pid);
        clientCpuAtStart = process.cpuUsage();
      }
    }, 100);
    let checked = false;
    const client = async () => {
      while (performance.now() < windowEnd) {
        const body = bodies[next++ % bodies.length]!;
        const started = performance.now();
        let status = 'error';
        let accepted = 0;
        try {
          const response = await pool.request({
            path: '/api/v1/events',
            method: 'POST',
            headers,
            body,
          });
          const text = await response.body.text();
          status = String(response.statusCode);
          if (response.statusCode === 200) {
            if (!checked) {
              checked = true;
              const parsed = JSON.parse(text) as { accepted: number; event_ids: string[] };
              if (parsed.accepted !== batch || parsed.event_ids.length !== batch)
                throw new Error(`expected ${batch} accepted events: ${text.slice(0, 300)}`);
            }
            accepted = Number(/"accepted":(\d+)/.exec(text)?.[1] ?? 0);
          } else if (!failed[status]) {
            process.stderr.write(`  ${status}: ${text.slice(0, 300)}\n`);
          }
        } catch (error) {
          status = `error: ${(error as Error).message}`;
        }
        const finished = performance.now();
        // Throughput counts the answers that arrive inside the window, whenever sent.
        if (finished >= windowStart && finished <= windowEnd) {
          requests += 1;
          if (accepted > 0) {
            acknowledged += accepted;
            latencies.push(finished - started);
          } else failed[status] = (failed[status] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: clients }, client));
    clearInterval(sampler);
    server.child.kill('SIGUSR2');
    const serverCpu = cpuSeconds(pid) - cpuAtStart;
    // The Node.js main thread (HTTP, validation, rows); the other threads are chDB's and libuv's.
    const mainThreadCpu = cpuSeconds(pid, pid) - mainThreadCpuAtStart;
    const clientCpu = process.cpuUsage(clientCpuAtStart);
    const elapsed = (performance.now() - windowStart) / 1000;
    const endRssMb = rssMb(pid);
    latencies.sort((a, b) => a - b);

    // The tenant the server stamped on the rows: the raw run builds the same rows.
    const listed = await pool.request({
      path: `/api/v1/events?limit=1&from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}`,
      method: 'GET',
      headers: { authorization: `Bearer ${server.projectKey}` },
    });
    const page = (await listed.body.json()) as {
      events: { org_id: string; project_id: string; retention_days: number }[];
    };
    const stored = page.events[0];
    await pool.close();
    const [atStart, atEnd] = server.writerStats;
    const inserts = atStart && atEnd ? atEnd.inserts - atStart.inserts : NaN;
    return {
      batch,
      eventsPerSecond: acknowledged / duration,
      requestsPerSecond: requests / duration,
      acknowledged,
      failed,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      idleRssMb,
      peakRssMb,
      endRssMb,
      serverCpuCores: serverCpu / elapsed,
      serverCpuMicrosPerEvent: acknowledged > 0 ? (serverCpu * 1e6) / acknowledged : NaN,
      mainThreadCpuMicrosPerEvent: acknowledged > 0 ? (mainThreadCpu * 1e6) / acknowledged : NaN,
      inserts,
      requestsPerInsert: atStart && atEnd ? (atEnd.writes - atStart.writes) / inserts : NaN,
      eventsPerInsert: atStart && atEnd ? (atEnd.rows - atStart.rows) / inserts : NaN,
      clientCpuCores: (clientCpu.user + clientCpu.system) / 1e6 / elapsed,
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
      tenant: {
        orgId: stored?.org_id ?? '',
        projectId: stored?.project_id ?? '',
        retentionDays: stored?.retention_days ?? 90,
      },
    };
  } finally {
    await stopServer(server);
  }
}

function runRawChild(
  now: number,
  tenant: PhaseResult['tenant'],
  batch: number,
): Promise<RawResult> {
  return new Promise((resolveRaw, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        SELF,
        '--raw-child',
        '--now',
        String(now),
        '--events',
        String(eventCount),
        '--duration',
        String(duration),
        '--warmup',
        String(warmup),
        '--org',
        tenant.orgId,
        '--project',
        tenant.projectId,
        '--retention',
        String(tenant.retentionDays),
        '--raw-batch',
        String(batch),
        '--clients',
        String(options.clients),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      const line = output.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`raw insert child exited with ${code}`);
        resolveRaw(JSON.parse(line) as RawResult);
      } catch (error) {
        reject(new Error(`${(error as Error).message}: ${output.slice(-500)}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Orchestration and report.

const stats = (values: readonly number[]) => {
  const sorted = [...values].filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  return {
    median:
      sorted.length % 2 === 1
        ? sorted[(sorted.length - 1) / 2]!
        : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
};

function format(values: readonly number[], digits = 0): string {
  if (values.every((value) => Number.isNaN(value))) return 'n/a';
  const { median, min, max } = stats(values);
  const f = (value: number) =>
    value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${f(median)} (${f(min)}–${f(max)})`;
}

async function main(): Promise<void> {
  const repeats = Number(options.repeats);
  const batchSizes = options.batches.split(',').map(Number);
  const now = options.now ? Number(options.now) : Date.now();
  const events = benchEvents(eventCount, now);
  const bytes = Buffer.byteLength(JSON.stringify(events.slice(0, 1000))) / 1000;
  console.log(
    `ingest bench: ${options.clients} clients, batches of ${batchSizes.join(', ')}, ${warmup} s warm-up + ${duration} s each, ${repeats} repetitions`,
  );
  console.log(
    `machine: ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  console.log(
    `events: ${eventCount} distinct prompt_call events, ${bytes.toFixed(0)} bytes of request JSON each`,
  );

  const rawBatches = [...new Set([...batchSizes, BULK_BATCH])];
  const runs: { phases: PhaseResult[]; raw: RawResult; rawByBatch: RawResult[] }[] = [];
  for (let repeat = 1; repeat <= repeats; repeat += 1) {
    const phases: PhaseResult[] = [];
    for (const batch of batchSizes) {
      const result = await phase(batch, events);
      phases.push(result);
      console.log(
        `  #${repeat} batch ${String(batch).padStart(4)}: ${Math.round(result.eventsPerSecond).toLocaleString('en-US').padStart(7)} events/s acknowledged, ` +
          `${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ` +
          `RSS idle ${result.idleRssMb.toFixed(0)} MB / peak ${result.peakRssMb.toFixed(0)} MB, server CPU ${result.serverCpuCores.toFixed(2)} cores = ${result.serverCpuMicrosPerEvent.toFixed(0)} µs/event (main thread ${result.mainThreadCpuMicrosPerEvent.toFixed(0)}), ` +
          `${result.inserts} inserts of ${result.requestsPerInsert.toFixed(1)} requests = ${result.eventsPerInsert.toFixed(0)} events each, ` +
          `client CPU ${result.clientCpuCores.toFixed(2)} cores, load ${result.loadAverage}` +
          (Object.keys(result.failed).length > 0
            ? `, failed ${JSON.stringify(result.failed)}`
            : ''),
      );
    }
    const tenant = phases.find((result) => result.tenant.orgId)?.tenant;
    if (!tenant) throw new Error('could not read back the tenant of the stored events');
    const rawByBatch: RawResult[] = [];
    for (const batch of rawBatches) {
      const raw = await runRawChild(now, tenant, batch);
      rawByBatch.push(raw);
      console.log(
        `  #${repeat} raw insert, batches of ${String(batch).padStart(4)}, ${raw.clients} callers: ${Math.round(raw.rowsPerSecond).toLocaleString('en-US').padStart(7)} rows/s, ` +
          `${raw.insertsPerSecond.toFixed(1)} inserts/s, insert p50 ${raw.batchP50Ms.toFixed(1)} ms, p99 ${raw.batchP99Ms.toFixed(1)} ms (queued behind the others), ` +
          `${raw.bytesPerRow.toFixed(0)} bytes/row, CPU ${raw.cpuCores.toFixed(2)} cores = ${raw.cpuMicrosPerRow.toFixed(0)} µs/row, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
      );
    }
    const raw = rawByBatch.find((result) => result.batch === BULK_BATCH)!;
    const same = (batch: number) => rawByBatch.find((result) => result.batch === batch)!;
    console.log(
      `  #${repeat} ratio acknowledged / raw` +
        phases
          .map(
            (result) =>
              `; batch ${result.batch}: ${(result.eventsPerSecond / same(result.batch).rowsPerSecond).toFixed(2)} to the same batch, ${(result.eventsPerSecond / raw.rowsPerSecond).toFixed(2)} to batches of ${BULK_BATCH}`,
          )
          .join(''),
    );
    runs.push({ phases, raw, rawByBatch });
  }

  const sameBatch = (run: (typeof runs)[number], batch: number) =>
    run.rawByBatch.find((result) => result.batch === batch)!;
  console.log(`\nsummary over ${repeats} repetitions: median (min–max)\n`);
  console.log(
    `| batch | events/s acknowledged | raw rows/s, same batch | ratio to raw, same batch | ratio to raw, batches of ${BULK_BATCH} | p50 latency ms | p99 latency ms | server RSS peak MB | server CPU cores | server CPU µs/event | of which main thread |`,
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [index, batch] of batchSizes.entries()) {
    const results = runs.map((run) => run.phases[index]!);
    console.log(
      `| ${batch} | ${format(results.map((r) => r.eventsPerSecond))} | ${format(
        runs.map((run) => sameBatch(run, batch).rowsPerSecond),
      )} | ${format(
        runs.map((run) => run.phases[index]!.eventsPerSecond / sameBatch(run, batch).rowsPerSecond),
        2,
      )} | ${format(
        runs.map((run) => run.phases[index]!.eventsPerSecond / run.raw.rowsPerSecond),
        2,
      )} | ${format(
        results.map((r) => r.p50Ms),
        1,
      )} | ${format(
        results.map((r) => r.p99Ms),
        1,
      )} | ${format(results.map((r) => r.peakRssMb))} | ${format(
        results.map((r) => r.serverCpuCores),
        2,
      )} | ${format(results.map((r) => r.serverCpuMicrosPerEvent))} | ${format(
        results.map((r) => r.mainThreadCpuMicrosPerEvent),
      )} |`,
    );
  }
  console.log(
    `\nraw insert of the same rows (${options.clients} callers on one store, whose inserts chDB runs one at a time):`,
  );
  for (const batch of rawBatches) {
    const raws = runs.map((run) => sameBatch(run, batch));
    console.log(
      `  batches of ${batch}: ${format(raws.map((r) => r.rowsPerSecond))} rows/s, ${format(
        raws.map((r) => r.insertsPerSecond),
        1,
      )} inserts/s, CPU ${format(
        raws.map((r) => r.cpuCores),
        2,
      )} cores = ${format(raws.map((r) => r.cpuMicrosPerRow))} µs/row`,
    );
  }
  console.log(
    `idle RSS of a freshly started server: ${format(runs.flatMap((run) => run.phases.map((r) => r.idleRssMb)))} MB (${runs.length * batchSizes.length} starts)`,
  );
  if (options.json) {
    writeFileSync(options.json, JSON.stringify({ options, now, runs }, null, 2));
    console.log(`raw figures written to ${options.json}`);
  }
}

if (options['raw-child']) await rawChild();
else await main();
