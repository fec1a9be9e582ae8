/**
 * Memory soak: Tollgate's resident memory idle and under a fixed rate of gateway calls for
 * minutes on end, recording on. See bench/README.md ("Memory soak").
 *
 *   npx tsx bench/memory/soak.ts [--rate 1000] [--minutes 10] [--sample-seconds 10]
 *     [--stream-share 0.2] [--connections 32] [--bound-mb 64] [--idle-seconds 10]
 *     [--no-build] [--no-probe] [--priority N] [--out bench/memory/results.json]
 *
 * The same set-up as bench/gateway/run.ts (bench/lib/tollgate-process.ts): the server bundle
 * built as `npm run build` does (into .tmp/bench-memory/dist), a fresh data directory
 * (embedded chDB event store, PGlite meta store), recording on, one route `bench` to the
 * loopback upstream bench/gateway/upstream.mjs. The load is bench/gateway/load.mjs (autocannon,
 * its own process) at `--rate` calls per second over `--connections`, `--stream-share` of them
 * streamed. Every `--sample-seconds` it reads the server's VmRSS (/proc), its /metrics (V8 heap)
 * and, unless --no-probe, what probe.mjs (loaded into the server) reports: V8's heap and
 * chDB's own memory accounting. The bound: RSS may grow at most `--bound-mb` over the second
 * half of the load (from minute 5 to minute 10 by default); it also fails on any failed call
 * and unless every answered call was stored as an event. Exits 1 when a check fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  buildBundle,
  chatRequestBody,
  CLOCK_TICKS,
  cpuTicks,
  EXPECT,
  machineDescription,
  prioritise,
  root,
  round,
  setNiceValue,
  sleep,
  startTollgate,
  startUpstream,
  stopAll,
  track,
  type Mode,
  commandLine,
} from '../lib/tollgate-process';

const here = dirname(fileURLToPath(import.meta.url));
const work = join(root, '.tmp', 'bench-memory');

interface Options {
  rate: number;
  minutes: number;
  sampleSeconds: number;
  streamShare: number;
  connections: number;
  boundMB: number;
  idleSeconds: number;
  build: boolean;
  probe: boolean;
  priority: number;
  out: string;
}

function parseOptions(argv: string[]): Options {
  const { values, flags } = commandLine(argv);
  const number = (name: string, fallback: number, check: (value: number) => boolean) => {
    const value = Number(values.get(name) ?? fallback);
    if (!Number.isFinite(value) || !check(value))
      throw new Error(`--${name}: ${values.get(name)} is not a valid value`);
    return value;
  };
  return {
    rate: number('rate', 1000, (v) => v > 0),
    minutes: number('minutes', 10, (v) => v > 0),
    sampleSeconds: number('sample-seconds', 10, (v) => v >= 1),
    streamShare: number('stream-share', 0.2, (v) => v >= 0 && v <= 1),
    connections: number('connections', 32, (v) => Number.isInteger(v) && v > 0),
    boundMB: number('bound-mb', 64, (v) => v > 0),
    idleSeconds: number('idle-seconds', 10, (v) => v >= 0),
    build: !flags.has('no-build'),
    probe: !flags.has('no-probe'),
    priority: number('priority', 0, Number.isInteger),
    out: values.get('out') ?? join(here, 'results.json'),
  };
}

// ---------------------------------------------------------------- sampling

const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

/** VmRSS and its anonymous / file-backed parts, MB. */
function procMemory(pid: number): { rssMB: number; anonMB: number; fileMB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]);
    return {
      rssMB: round(kb('VmRSS') / 1024, 1),
      anonMB: round(kb('RssAnon') / 1024, 1),
      fileMB: round(kb('RssFile') / 1024, 1),
    };
  } catch {
    return undefined;
  }
}

/** The figures of a Prometheus exposition this bench reads; labelled series are summed. */
function promFigures(text: string) {
  const sum = (name: string) => {
    let total: number | undefined;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{'))
        continue;
      total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return total;
  };
  const inMB = (value: number | undefined) => (value === undefined ? null : mb(value));
  return {
    residentMB: inMB(sum('process_resident_memory_bytes')),
    heapUsedMB: inMB(sum('nodejs_heap_size_used_bytes')),
    heapTotalMB: inMB(sum('nodejs_heap_size_total_bytes')),
    externalMB: inMB(sum('nodejs_external_memory_bytes')),
    gatewayCalls: sum('tollgate_llm_requests_total') ?? null,
  };
}

interface ProbeLine {
  at: number;
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  heapPhysicalMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  mallocedMB: number;
  chdb?: {
    MemoryTrackingMB?: number;
    activeParts?: number;
    rows?: number;
    primaryKeyMB?: number;
    diskMB?: number;
    jemalloc?: { allocatedMB: number; residentMB: number; retainedMB: number };
    error?: string;
  };
}

function probeLines(file: string): Array<ProbeLine & { afterFullGc?: boolean }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ProbeLine);
}

const lastProbeLine = (file: string) => probeLines(file).pop() ?? null;

interface Sample {
  /** Seconds since the load started (negative: before it). */
  t: number;
  phase: 'idle' | 'load' | 'after' | 'after full GC';
  rssMB: number | null;
  anonMB: number | null;
  fileMB: number | null;
  metrics: ReturnType<typeof promFigures> | null;
  probe: ProbeLine | null;
  /** Calls answered so far (the load generator's running total). */
  answered: number;
  /** Calls per second answered since the previous sample. */
  rate: number | null;
  /** The server's CPU since the previous sample, % of one core (all threads). */
  cpuPercent: number | null;
  load1: number;
}

// ---------------------------------------------------------------- main

interface LoadResult {
  ok: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  non2xx: number;
  mismatches: number;
  errors: number;
  errorKinds: Record<string, number>;
  timeouts: number;
}

/** The request bodies each connection sends in turn: `share` of them streamed, spread evenly. */
function bodies(share: number): string[] {
  const count = 20;
  const streamed = Math.round(share * count);
  return Array.from({ length: count }, (_, i) => {
    const mode: Mode =
      Math.floor(((i + 1) * streamed) / count) > Math.floor((i * streamed) / count)
        ? 'stream'
        : 'json';
    return chatRequestBody('bench', mode);
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  setNiceValue(options.priority);
  mkdirSync(work, { recursive: true });
  const machine = machineDescription();
  const seconds = Math.round(options.minutes * 60);
  console.log(
    `memory soak: ${options.rate} calls/s for ${options.minutes} min (${Math.round(options.streamShare * 100)} % streamed, ${options.connections} connections), a sample every ${options.sampleSeconds} s; ${machine.nproc} cores, node ${machine.node}, load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );

  const bundle = options.build
    ? await buildBundle(root, join(work, 'dist'))
    : join(root, 'packages/server/dist/main.js');
  if (!existsSync(bundle))
    throw new Error(`no bundle at ${bundle}: run npm run build or drop --no-build`);

  const upstream = await startUpstream();
  const dataDir = join(work, `data-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const probeFile = join(work, `probe-${process.pid}.jsonl`);
  rmSync(probeFile, { force: true });
  const server = await startTollgate({
    name: 'tollgate',
    bundle,
    upstreamBase: upstream.base,
    dataDir,
    nodeArgs: options.probe ? ['--import', pathToFileURL(join(here, 'probe.mjs')).href] : [],
    env: options.probe
      ? { BENCH_PROBE_FILE: probeFile, BENCH_PROBE_MS: String(options.sampleSeconds * 1000) }
      : {},
  });
  const pid = server.pid;
  const auth = { authorization: `Bearer ${server.key}` };
  const chatUrl = `${server.origin}/v1/chat/completions`;

  const samples: Sample[] = [];
  let answered = 0;
  let loadStartedAt = performance.now();
  let previous = { at: performance.now(), answered: 0, ticks: cpuTicks(pid) ?? 0 };
  const takeSample = async (
    phase: Sample['phase'],
    probe = options.probe ? lastProbeLine(probeFile) : null,
  ): Promise<Sample> => {
    const now = performance.now();
    const memory = procMemory(pid);
    let metrics: Sample['metrics'] = null;
    try {
      const response = await fetch(`${server.origin}/metrics`);
      metrics = promFigures(await response.text());
    } catch {
      // the server is busy or gone: the /proc figures stand alone
    }
    const ticks = cpuTicks(pid) ?? previous.ticks;
    const elapsed = (now - previous.at) / 1000;
    const sample: Sample = {
      t: round((now - loadStartedAt) / 1000, 1),
      phase,
      rssMB: memory?.rssMB ?? null,
      anonMB: memory?.anonMB ?? null,
      fileMB: memory?.fileMB ?? null,
      metrics,
      probe,
      answered,
      rate: elapsed > 0 ? round((answered - previous.answered) / elapsed, 1) : null,
      cpuPercent:
        elapsed > 0 ? round((100 * (ticks - previous.ticks)) / CLOCK_TICKS / elapsed, 1) : null,
      load1: round(loadavg()[0]!, 2),
    };
    previous = { at: now, answered, ticks };
    samples.push(sample);
    const chdb = sample.probe?.chdb;
    console.log(
      `${phase.padEnd(5)} t=${sample.t.toFixed(0).padStart(4)} s  RSS ${sample.rssMB} MB (anon ${sample.anonMB}, file ${sample.fileMB})` +
        `  heap ${metrics?.heapUsedMB ?? '–'}/${metrics?.heapTotalMB ?? '–'} MB` +
        (chdb?.MemoryTrackingMB !== undefined
          ? `  chDB tracked ${chdb.MemoryTrackingMB} MB, jemalloc resident ${chdb.jemalloc?.residentMB ?? '–'} MB, ${chdb.activeParts} parts, ${chdb.rows} rows`
          : '') +
        `  ${sample.rate ?? '–'} calls/s, CPU ${sample.cpuPercent ?? '–'} %, load ${sample.load1}`,
    );
    return sample;
  };

  // Idle: freshly started, nothing asked of it yet.
  const idleStart = performance.now();
  loadStartedAt = idleStart + options.idleSeconds * 1000;
  previous = { at: idleStart, answered: 0, ticks: cpuTicks(pid) ?? 0 };
  await sleep(options.idleSeconds * 1000);
  const idle = await takeSample('idle');

  // One call of each kind, checked, before the load.
  for (const mode of ['json', 'stream'] as Mode[]) {
    const response = await fetch(chatUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: chatRequestBody('bench', mode),
    });
    const text = await response.text();
    if (response.status !== 200 || !text.includes(EXPECT[mode]))
      throw new Error(`${mode} sanity check failed: ${response.status} ${text.slice(0, 500)}`);
  }
  const sanityCalls = 2;

  // The load, sampled as it runs.
  const spec = {
    url: chatUrl,
    headers: { 'content-type': 'application/json', ...auth },
    bodies: bodies(options.streamShare),
    expect: [EXPECT.json, EXPECT.stream],
    connections: options.connections,
    durationSeconds: seconds,
    overallRate: options.rate,
    progressSeconds: 1,
  };
  loadStartedAt = performance.now();
  previous = { at: loadStartedAt, answered: 0, ticks: cpuTicks(pid) ?? 0 };
  const ticksAtStart = previous.ticks;
  const loader = spawn(
    process.execPath,
    [join(root, 'bench/gateway/load.mjs'), JSON.stringify(spec)],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  track(loader);
  prioritise(loader.pid);
  let stdout = '';
  let final: LoadResult | undefined;
  loader.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    let newline;
    while ((newline = stdout.indexOf('\n')) !== -1) {
      const line = JSON.parse(stdout.slice(0, newline)) as {
        progress?: { ok: number };
      } & LoadResult;
      stdout = stdout.slice(newline + 1);
      if (line.progress) answered = line.progress.ok;
      else final = line;
    }
  });
  const exited = new Promise<number | null>((resolve) => loader.once('exit', resolve));
  let done = false;
  void exited.then(() => (done = true));
  const loadAvgs: number[] = [];
  for (let k = 1; !done; k++) {
    const due = loadStartedAt + k * options.sampleSeconds * 1000;
    while (!done && performance.now() < due) await sleep(Math.min(200, due - performance.now()));
    if (done) break;
    loadAvgs.push((await takeSample('load')).load1);
  }
  const exitCode = await exited;
  const loadSeconds = (performance.now() - loadStartedAt) / 1000;
  const serverTicks = (cpuTicks(pid) ?? 0) - ticksAtStart;
  if (exitCode !== 0 || !final) throw new Error(`load generator failed (exit ${exitCode})`);
  answered = final.ok;
  const atEnd = await takeSample('after');

  // Every answered call should be one stored event. The load generator stops at the deadline
  // with up to `connections` calls in flight: the server answers and records them, the load
  // generator no longer counts them. So: events stored = calls the server counted (its
  // tollgate_llm_requests_total) and 0 ≤ events - calls the load generator saw ≤ connections.
  let stored: number | null = null;
  let serverCalls: number | null = null;
  for (let waited = 0; waited < 60; waited++) {
    await sleep(1000);
    const summary = (await (
      await fetch(`${server.origin}/api/v1/metrics/summary`, { headers: auth })
    ).json()) as { rows?: Array<{ requests: number }> };
    stored = summary.rows?.[0]?.requests ?? 0;
    const metrics = promFigures(await (await fetch(`${server.origin}/metrics`)).text());
    serverCalls = metrics.gatewayCalls;
    if (stored === serverCalls) break;
  }
  const clientCalls = final.ok + sanityCalls;
  await sleep(20_000);
  const cooled = await takeSample('after');
  // What of the heap is live: the probe collects all garbage on SIGUSR2 and reports.
  let collected: Sample | null = null;
  if (options.probe) {
    process.kill(pid, 'SIGUSR2');
    for (let waited = 0; waited < 60 && !collected; waited++) {
      await sleep(500);
      const line = probeLines(probeFile).find((l) => l.afterFullGc);
      if (line) collected = await takeSample('after full GC', line);
    }
  }
  await stopAll();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(probeFile, { force: true });

  // ------------------------------------------------------------ figures
  const loadSamples = samples.filter((s) => s.phase === 'load');
  const at = (minute: number) => {
    const t = minute * 60;
    if (t > loadSeconds + options.sampleSeconds / 2) return null;
    let best: Sample | undefined;
    for (const s of [...loadSamples, atEnd])
      if (!best || Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
    return best ?? null;
  };
  const half = at(options.minutes / 2)!;
  const secondHalf = [...loadSamples.filter((s) => s.t >= half.t), atEnd];
  const growth = (pick: (s: Sample) => number | null | undefined) => {
    const a = pick(half);
    const b = pick(atEnd);
    return a === null || a === undefined || b === null || b === undefined ? null : round(b - a, 1);
  };
  /** Least-squares slope over the second half, MB per minute. */
  const slope = (pick: (s: Sample) => number | null | undefined) => {
    const points = secondHalf
      .map((s) => [s.t / 60, pick(s)] as const)
      .filter((p): p is readonly [number, number] => typeof p[1] === 'number');
    if (points.length < 3) return null;
    const mx = points.reduce((a, p) => a + p[0], 0) / points.length;
    const my = points.reduce((a, p) => a + p[1], 0) / points.length;
    const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
    const sxy = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
    return sxx ? round(sxy / sxx, 2) : null;
  };
  const pickers = {
    rssMB: (s: Sample) => s.rssMB,
    anonMB: (s: Sample) => s.anonMB,
    heapUsedMB: (s: Sample) => s.probe?.heapUsedMB ?? s.metrics?.heapUsedMB,
    heapTotalMB: (s: Sample) => s.probe?.heapTotalMB ?? s.metrics?.heapTotalMB,
    externalMB: (s: Sample) => s.probe?.externalMB ?? s.metrics?.externalMB,
    chdbTrackedMB: (s: Sample) => s.probe?.chdb?.MemoryTrackingMB,
    jemallocResidentMB: (s: Sample) => s.probe?.chdb?.jemalloc?.residentMB,
    jemallocAllocatedMB: (s: Sample) => s.probe?.chdb?.jemalloc?.allocatedMB,
    primaryKeyMB: (s: Sample) => s.probe?.chdb?.primaryKeyMB,
    activeParts: (s: Sample) => s.probe?.chdb?.activeParts,
  };
  const breakdown = (s: Sample | null) =>
    s && Object.fromEntries(Object.entries(pickers).map(([name, pick]) => [name, pick(s) ?? null]));
  const secondHalfGrowth = Object.fromEntries(
    Object.entries(pickers).map(([name, pick]) => [name, growth(pick)]),
  );
  const secondHalfSlopePerMinute = Object.fromEntries(
    Object.entries(pickers).map(([name, pick]) => [name, slope(pick)]),
  );
  const rssValues = samples.map((s) => s.rssMB).filter((v): v is number => v !== null);
  const failures = final.non2xx + final.errors + final.mismatches + final.timeouts;
  const rssGrowth = secondHalfGrowth.rssMB ?? Infinity;
  const checks = {
    noFailedCalls: failures === 0,
    everyCallStored:
      stored !== null &&
      stored === serverCalls &&
      stored - clientCalls >= 0 &&
      stored - clientCalls <= options.connections,
    rssGrowthWithinBound: rssGrowth < options.boundMB,
  };
  const achievedRate = round(final.ok / final.durationSeconds, 1);
  const results = {
    date: new Date().toISOString(),
    command: `npx tsx bench/memory/soak.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    options: { ...options, out: relative(root, options.out) },
    loadAverage: {
      atStart: idle.load1,
      duringLoad: {
        min: Math.min(...loadAvgs),
        median: [...loadAvgs].sort((a, b) => a - b)[Math.floor(loadAvgs.length / 2)] ?? null,
        max: Math.max(...loadAvgs),
      },
    },
    load: {
      targetRate: options.rate,
      achievedRate,
      answered: final.ok,
      latencyMs: final.latencyMs,
      non2xx: final.non2xx,
      errors: final.errors,
      errorKinds: final.errorKinds,
      mismatches: final.mismatches,
      timeouts: final.timeouts,
      serverCpuPercent: round((100 * serverTicks) / CLOCK_TICKS / loadSeconds, 1),
      serverCpuMicrosPerCall: final.ok
        ? round((serverTicks / CLOCK_TICKS / final.ok) * 1e6, 0)
        : null,
    },
    recording: { answeredByClient: clientCalls, countedByServer: serverCalls, stored },
    memoryMB: {
      idle: breakdown(idle),
      minute1: breakdown(at(1)),
      minute5: breakdown(at(5)),
      minute10: breakdown(at(10)),
      end: breakdown(atEnd),
      afterCoolDown20s: breakdown(cooled),
      afterFullGc: breakdown(collected),
      peakRss: Math.max(...rssValues),
      secondHalf: {
        from: half.t,
        to: atEnd.t,
        growth: secondHalfGrowth,
        slopePerMinute: secondHalfSlopePerMinute,
      },
    },
    boundMB: options.boundMB,
    checks,
    samples,
  };
  const { format, resolveConfig } = await import('prettier');
  writeFileSync(
    options.out,
    await format(JSON.stringify(results), {
      ...(await resolveConfig(options.out)),
      filepath: options.out,
    }),
  );

  const ok = Object.values(checks).every(Boolean);
  const rssAt = (s: Sample | null) => (s?.rssMB === null || s === null ? '–' : `${s.rssMB}`);
  console.log(
    `\n${ok ? 'PASS' : 'FAIL'}: RSS idle ${idle.rssMB} MB, at 1/5/10 min ${rssAt(at(1))}/${rssAt(at(5))}/${rssAt(at(10))} MB, ` +
      `peak ${results.memoryMB.peakRss} MB; growth over the second half (${half.t.toFixed(0)}–${atEnd.t.toFixed(0)} s) ${rssGrowth} MB ` +
      `(bound ${options.boundMB} MB; V8 heap used ${secondHalfGrowth.heapUsedMB ?? '–'} MB, chDB tracked ${secondHalfGrowth.chdbTrackedMB ?? '–'} MB); ` +
      `${achievedRate} of ${options.rate} calls/s, ${failures} failed, p50 ${final.latencyMs.p50?.toFixed(2)} ms, p99 ${final.latencyMs.p99?.toFixed(2)} ms; ` +
      `${stored} events stored for ${serverCalls} calls the server answered (${clientCalls} seen by the client); ` +
      `load average ${results.loadAverage.duringLoad.median} (median during the load). Wrote ${relative(root, options.out)}.`,
  );
  process.exitCode = ok ? 0 : 1;
}

process.on('SIGINT', () => {
  void stopAll().then(() => process.exit(130));
});

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
