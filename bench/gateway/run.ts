/**
 * Gateway benchmark: the same load against a loopback OpenAI-compatible upstream directly,
 * through Tollgate (the built bundle, recording on, embedded stores) and through Portkey's
 * open-source gateway, in one run. See README.md beside this file.
 *
 *   npx tsx bench/gateway/run.ts [--duration 10] [--reps 3] [--connections 1,16,64]
 *     [--modes json,stream] [--targets direct,tollgate,portkey] [--warmup 3]
 *     [--portkey-port 8787] [--no-build] [--profile] [--baseline-ref REF]
 *     [--out bench/gateway/results.json]
 *
 * --profile runs Tollgate under `node --cpu-prof` and prints its top self-time functions
 * (profile in .tmp/bench-gateway/profiles/, never committed).
 * --perf samples Tollgate's on-CPU time with Linux `perf` (all threads) during the measured runs
 * and prints where it goes (needs `perf`; Tollgate then runs with --perf-basic-prof).
 * --priority N gives every process it starts the nice value N (negative needs root): on a
 * machine others are using, -10 keeps their work from skewing the figures (it slows theirs).
 * --baseline-ref REF also runs Tollgate as built from git REF (e.g. HEAD), or from a directory
 * holding packages/server and packages/core, as the target `baseline`, interleaved with the
 * others: before/after numbers under the same conditions.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildBundle as buildServerBundle,
  chatRequestBody,
  CLOCK_TICKS,
  cpuTicks,
  EXPECT,
  freePort,
  machineBusyTicks,
  machineDescription as sharedMachineDescription,
  portIsFree,
  prioritise,
  rssBytes,
  round,
  setNiceValue,
  sleep,
  startProcess,
  startTollgate as startTollgateProcess,
  startUpstream,
  stopAll,
  track,
  waitFor,
  commandLine,
} from '../lib/tollgate-process';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const work = join(root, '.tmp', 'bench-gateway');

// ---------------------------------------------------------------- options

interface Options {
  durationSeconds: number;
  reps: number;
  connections: number[];
  modes: Mode[];
  targets: TargetName[];
  warmupSeconds: number;
  portkeyPort: number;
  build: boolean;
  profile: boolean;
  perf: boolean;
  /** Scheduling priority (nice value) of every process the benchmark starts; 0 leaves it. */
  priority: number;
  baselineRef?: string;
  out: string;
}

type Mode = 'json' | 'stream';
type TargetName = 'direct' | 'bare' | 'tollgate' | 'baseline' | 'portkey';
const ALL_TARGETS: TargetName[] = ['direct', 'bare', 'tollgate', 'baseline', 'portkey'];
const DEFAULT_TARGETS: TargetName[] = ['direct', 'tollgate', 'portkey'];

function parseOptions(argv: string[]): Options {
  const { values, flags } = commandLine(argv);
  const list = (name: string, fallback: string) => (values.get(name) ?? fallback).split(',');
  const options: Options = {
    durationSeconds: Number(values.get('duration') ?? 10),
    reps: Number(values.get('reps') ?? 3),
    connections: list('connections', '1,16,64').map(Number),
    modes: list('modes', 'json,stream') as Mode[],
    targets: list('targets', DEFAULT_TARGETS.join(',')) as TargetName[],
    warmupSeconds: Number(values.get('warmup') ?? 3),
    portkeyPort: Number(values.get('portkey-port') ?? 8787),
    build: !flags.has('no-build'),
    profile: flags.has('profile'),
    perf: flags.has('perf'),
    priority: Number(values.get('priority') ?? 0),
    baselineRef: values.get('baseline-ref'),
    out: values.get('out') ?? join(here, 'results.json'),
  };
  if (options.baselineRef && !options.targets.includes('baseline')) {
    options.targets.splice(options.targets.indexOf('tollgate') + 1, 0, 'baseline');
  }
  if (options.targets.includes('baseline') && !options.baselineRef)
    throw new Error('the baseline target needs --baseline-ref');
  for (const mode of options.modes)
    if (mode !== 'json' && mode !== 'stream') throw new Error(`unknown mode ${mode}`);
  for (const target of options.targets)
    if (!ALL_TARGETS.includes(target)) throw new Error(`unknown target ${target}`);
  return options;
}

// ---------------------------------------------------------------- targets

interface Target {
  name: TargetName;
  url: string;
  headers: Record<string, string>;
  model: string;
  /** The measured process (undefined for the direct upstream, measured as the upstream). */
  pid?: number;
}

const requestBody = (target: Target, mode: Mode) => chatRequestBody(target.model, mode);

// ---------------------------------------------------------------- load runs

interface LoadResult {
  connections: number;
  durationSeconds: number;
  ok: number;
  requestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  non2xx: number;
  mismatches: number;
  errors: number;
  errorKinds: Record<string, number>;
  timeouts: number;
}

interface RunRecord extends LoadResult {
  rep: number;
  mode: Mode;
  target: TargetName;
  order: number;
  /** The measured process: % of one core, CPU time per answered request, memory. */
  cpuPercent: number | null;
  cpuMicrosPerRequest: number | null;
  /** The main thread alone (the event loop every request goes through). */
  mainThreadCpuPercent: number | null;
  mainThreadCpuMicrosPerRequest: number | null;
  rssMaxMB: number | null;
  rssMeanMB: number | null;
  upstreamCpuPercent: number | null;
  loadGeneratorCpuPercent: number | null;
  /** CPU used meanwhile by processes this benchmark did not start (% of one core). */
  backgroundCpuPercent: number;
}

async function runLoad(
  target: Target,
  mode: Mode,
  connections: number,
  durationSeconds: number,
  measured: { upstreamPid: number; otherPids: number[] },
): Promise<Omit<RunRecord, 'rep' | 'order'>> {
  const spec = {
    url: target.url,
    headers: { 'content-type': 'application/json', ...target.headers },
    body: requestBody(target, mode),
    connections,
    durationSeconds,
    expect: EXPECT[mode],
  };
  const targetPid = target.pid ?? measured.upstreamPid;
  const busyBefore = machineBusyTicks();
  const before = new Map<number, number | undefined>();
  const ours = [targetPid, measured.upstreamPid, ...measured.otherPids];
  for (const pid of new Set(ours)) before.set(pid, cpuTicks(pid));
  const mainBefore = cpuTicks(targetPid, true);
  const startedAt = performance.now();
  const loader = spawn(process.execPath, [join(here, 'load.mjs'), JSON.stringify(spec)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  prioritise(loader.pid);
  let stdout = '';
  loader.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const rssSamples: number[] = [];
  let loaderTicks = 0;
  const sampler = setInterval(() => {
    const rss = rssBytes(targetPid);
    if (rss !== undefined) rssSamples.push(rss);
    loaderTicks = cpuTicks(loader.pid!) ?? loaderTicks;
  }, 250);
  const exitCode = await new Promise<number | null>((resolve) => loader.once('exit', resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - startedAt) / 1000;
  if (exitCode !== 0) throw new Error(`load generator failed (exit ${exitCode})`);
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as LoadResult;
  const delta = (pid: number) => {
    const start = before.get(pid);
    const end = cpuTicks(pid);
    return start === undefined || end === undefined ? undefined : end - start;
  };
  const percent = (ticks: number | undefined) =>
    ticks === undefined ? null : round((100 * ticks) / CLOCK_TICKS / seconds, 1);
  const targetTicks = delta(targetPid);
  const mainAfter = cpuTicks(targetPid, true);
  const mainTicks =
    mainBefore === undefined || mainAfter === undefined ? undefined : mainAfter - mainBefore;
  const perRequest = (ticks: number | undefined) =>
    target.name === 'direct' || ticks === undefined || result.ok === 0
      ? null
      : round((ticks / CLOCK_TICKS / result.ok) * 1e6, 1);
  let oursTicks = loaderTicks;
  for (const pid of new Set(ours)) oursTicks += delta(pid) ?? 0;
  const busy = machineBusyTicks() - busyBefore;
  const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
  return {
    ...result,
    mode,
    target: target.name,
    cpuPercent: target.name === 'direct' ? null : percent(targetTicks),
    cpuMicrosPerRequest: perRequest(targetTicks),
    mainThreadCpuPercent: target.name === 'direct' ? null : percent(mainTicks),
    mainThreadCpuMicrosPerRequest: perRequest(mainTicks),
    rssMaxMB: target.name === 'direct' || !rssSamples.length ? null : mb(Math.max(...rssSamples)),
    rssMeanMB:
      target.name === 'direct' || !rssSamples.length
        ? null
        : mb(rssSamples.reduce((a, b) => a + b, 0) / rssSamples.length),
    upstreamCpuPercent: percent(delta(measured.upstreamPid)),
    loadGeneratorCpuPercent: percent(loaderTicks),
    backgroundCpuPercent: Math.max(0, round((100 * (busy - oursTicks)) / CLOCK_TICKS / seconds, 1)),
  };
}

// ---------------------------------------------------------------- statistics

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: Array<number | null>): Spread | null {
  const present = values.filter((value): value is number => value !== null);
  if (!present.length) return null;
  return {
    median: round(median(present)),
    min: round(Math.min(...present)),
    max: round(Math.max(...present)),
  };
}

interface Summary {
  mode: Mode;
  connections: number;
  target: TargetName;
  runs: number;
  requestsPerSecond: Spread | null;
  p50Ms: Spread | null;
  p99Ms: Spread | null;
  /** Gateway median minus direct median, and the spread of the per-repetition differences. */
  addedP50Ms: Spread | null;
  addedP99Ms: Spread | null;
  cpuPercent: Spread | null;
  cpuMicrosPerRequest: Spread | null;
  mainThreadCpuMicrosPerRequest: Spread | null;
  rssMaxMB: Spread | null;
  backgroundCpuPercent: Spread | null;
  failures: number;
}

function summarise(runs: RunRecord[], options: Options): Summary[] {
  const summaries: Summary[] = [];
  for (const mode of options.modes) {
    for (const connections of options.connections) {
      const direct = runs.filter(
        (r) => r.mode === mode && r.connections === connections && r.target === 'direct',
      );
      for (const target of options.targets) {
        const mine = runs.filter(
          (r) => r.mode === mode && r.connections === connections && r.target === target,
        );
        const added = (pick: (r: RunRecord) => number) => {
          if (target === 'direct' || !direct.length) return null;
          const paired = mine
            .map((r) => {
              const twin = direct.find((d) => d.rep === r.rep);
              return twin ? pick(r) - pick(twin) : null;
            })
            .filter((value): value is number => value !== null);
          const spreadOfPairs = spread(paired);
          if (!spreadOfPairs) return null;
          return {
            ...spreadOfPairs,
            median: round(median(mine.map(pick)) - median(direct.map(pick))),
          };
        };
        summaries.push({
          mode,
          connections,
          target,
          runs: mine.length,
          requestsPerSecond: spread(mine.map((r) => r.requestsPerSecond)),
          p50Ms: spread(mine.map((r) => r.latencyMs.p50)),
          p99Ms: spread(mine.map((r) => r.latencyMs.p99)),
          addedP50Ms: added((r) => r.latencyMs.p50),
          addedP99Ms: added((r) => r.latencyMs.p99),
          cpuPercent: spread(mine.map((r) => r.cpuPercent)),
          cpuMicrosPerRequest: spread(mine.map((r) => r.cpuMicrosPerRequest)),
          mainThreadCpuMicrosPerRequest: spread(mine.map((r) => r.mainThreadCpuMicrosPerRequest)),
          rssMaxMB: spread(mine.map((r) => r.rssMaxMB)),
          backgroundCpuPercent: spread(mine.map((r) => r.backgroundCpuPercent)),
          failures: mine.reduce((n, r) => n + r.non2xx + r.errors + r.mismatches + r.timeouts, 0),
        });
      }
    }
  }
  return summaries;
}

function ratios(summaries: Summary[]) {
  const out: Array<{
    mode: Mode;
    connections: number;
    tollgateOverPortkey: number | null;
    tollgateOverBaseline?: number | null;
  }> = [];
  for (const s of summaries) {
    if (s.target !== 'tollgate') continue;
    const other = (name: TargetName) =>
      summaries.find(
        (p) => p.target === name && p.mode === s.mode && p.connections === s.connections,
      )?.requestsPerSecond?.median;
    const a = s.requestsPerSecond?.median;
    const portkey = other('portkey');
    const baseline = other('baseline');
    out.push({
      mode: s.mode,
      connections: s.connections,
      tollgateOverPortkey: a && portkey ? round(a / portkey, 2) : null,
      ...(summaries.some((p) => p.target === 'baseline')
        ? { tollgateOverBaseline: a && baseline ? round(a / baseline, 2) : null }
        : {}),
    });
  }
  return out;
}

// ---------------------------------------------------------------- report

function formatTable(summaries: Summary[], ratioRows: ReturnType<typeof ratios>): string {
  const fmt = (s: Spread | null, digits: number) =>
    s ? `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}]` : '–';
  const med = (s: Spread | null, digits: number) => (s ? s.median.toFixed(digits) : '–');
  const header = [
    'mode',
    'conns',
    'target',
    'req/s median [min–max]',
    'p50 ms',
    'p99 ms',
    '+p50 ms',
    '+p99 ms',
    'CPU %',
    'CPU µs/req',
    'main µs/req',
    'RSS MB',
    'bg CPU %',
    'fail',
  ];
  const rows = summaries.map((s) => [
    s.mode,
    String(s.connections),
    s.target,
    fmt(s.requestsPerSecond, 0),
    fmt(s.p50Ms, 3),
    fmt(s.p99Ms, 2),
    med(s.addedP50Ms, 3),
    med(s.addedP99Ms, 2),
    med(s.cpuPercent, 0),
    med(s.cpuMicrosPerRequest, 0),
    med(s.mainThreadCpuMicrosPerRequest, 0),
    med(s.rssMaxMB, 0),
    med(s.backgroundCpuPercent, 0),
    String(s.failures),
  ]);
  const lines = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)));
  const render = (line: string[]) =>
    `| ${line.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  const table = [
    render(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(render),
  ].join('\n');
  const ratioText = ratioRows
    .map(
      (r) =>
        `- ${r.mode}, ${r.connections} connection(s): Tollgate/Portkey throughput = ${r.tollgateOverPortkey ?? '–'}×` +
        (r.tollgateOverBaseline !== undefined
          ? `; Tollgate/baseline = ${r.tollgateOverBaseline ?? '–'}×`
          : ''),
    )
    .join('\n');
  return `${table}\n\n${ratioText}`;
}

// ---------------------------------------------------------------- main

// The same build as scripts/build.mjs (npm run build), into .tmp/bench-gateway/dist.
const buildBundle = (source = root, dist = join(work, 'dist')) => buildServerBundle(source, dist);

/**
 * Builds Tollgate as it is at a git ref (its server and core packages), or from a directory
 * holding a copy of them (`packages/server`, `packages/core`), for trying a change out.
 */
async function buildBaseline(ref: string): Promise<string> {
  if (existsSync(join(ref, 'packages/server/src'))) {
    return buildBundle(resolve(ref), join(work, 'baseline-dist'));
  }
  const source = join(work, 'baseline-src');
  rmSync(source, { recursive: true, force: true });
  mkdirSync(source, { recursive: true });
  execFileSync('bash', [
    '-c',
    `git -C "${root}" archive "${ref}" packages/server packages/core | tar -x -C "${source}"`,
  ]);
  return buildBundle(source, join(work, 'baseline-dist'));
}

async function sanityCheck(target: Target): Promise<void> {
  for (const mode of ['json', 'stream'] as Mode[]) {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: requestBody(target, mode),
    });
    const text = await response.text();
    if (response.status !== 200 || !text.includes(EXPECT[mode])) {
      throw new Error(
        `${target.name} ${mode} sanity check failed: ${response.status} ${text.slice(0, 500)}`,
      );
    }
  }
}

function machineDescription() {
  return {
    ...sharedMachineDescription(),
    portkey: JSON.parse(
      readFileSync(join(root, 'node_modules/@portkey-ai/gateway/package.json'), 'utf8'),
    ).version as string,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  setNiceValue(options.priority);
  mkdirSync(work, { recursive: true });
  const machine = machineDescription();
  console.log(
    `gateway benchmark: ${options.targets.join(', ')}; ${options.modes.join(', ')}; connections ${options.connections.join(', ')}; ${options.durationSeconds} s per run; ${options.reps} repetition(s); ${machine.nproc} cores, node ${machine.node}`,
  );

  const bundle = options.build ? await buildBundle() : join(root, 'packages/server/dist/main.js');
  if (!existsSync(bundle))
    throw new Error(`no bundle at ${bundle}: run npm run build or drop --no-build`);

  // Upstream.
  const upstream = await startUpstream();
  const upstreamBase = upstream.base;
  const targets: Target[] = [];
  if (options.targets.includes('direct')) {
    targets.push({
      name: 'direct',
      url: `${upstreamBase}/chat/completions`,
      headers: { authorization: 'Bearer x' },
      model: 'gpt-4o-mini',
    });
  }

  // The floor: a bare Fastify + undici pass-through (only when asked).
  if (options.targets.includes('bare')) {
    const bare = startProcess('bare proxy', process.execPath, [
      join(here, 'bare-proxy.mjs'),
      String(await freePort()),
      upstreamBase,
    ]);
    const url = await waitFor('the bare proxy', () => {
      const match = /bare proxy listening at (\S+)/.exec(bare.output());
      return match ? `${match[1]}/v1/chat/completions` : undefined;
    });
    targets.push({ name: 'bare', url, headers: {}, model: 'gpt-4o-mini', pid: bare.child.pid });
  }

  // Tollgate (and the baseline build, when asked).
  const tollgates = new Map<string, { key: string; url: string; spawnedAt: number }>();
  const profileDir = join(work, 'profiles');
  if (options.profile) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  const startTollgate = async (name: 'tollgate' | 'baseline', bundlePath: string) => {
    const dataDir = join(work, `data-${name}-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const nodeArgs =
      name !== 'tollgate'
        ? []
        : [
            ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
            ...(options.perf ? ['--perf-basic-prof'] : []),
          ];
    const tollgate = await startTollgateProcess({
      name,
      bundle: bundlePath,
      upstreamBase,
      dataDir,
      nodeArgs,
    });
    const { key, spawnedAt } = tollgate;
    const url = `${tollgate.origin}/v1/chat/completions`;
    tollgates.set(name, { key, url, spawnedAt });
    targets.push({
      name,
      url,
      headers: { authorization: `Bearer ${key}` },
      model: 'bench',
      pid: tollgate.pid,
    });
  };
  if (options.targets.includes('tollgate')) await startTollgate('tollgate', bundle);
  if (options.targets.includes('baseline'))
    await startTollgate('baseline', await buildBaseline(options.baselineRef!));

  // Portkey.
  if (options.targets.includes('portkey')) {
    if (!(await portIsFree(options.portkeyPort)))
      throw new Error(`port ${options.portkeyPort} is taken (Portkey needs it)`);
    const portkey = startProcess('portkey', process.execPath, [
      join(root, 'node_modules/@portkey-ai/gateway/build/start-server.js'),
      `--port=${options.portkeyPort}`,
      '--headless',
    ]);
    await waitFor('Portkey', () =>
      /Ready for connections/.test(portkey.output()) ? true : undefined,
    );
    targets.push({
      name: 'portkey',
      url: `http://127.0.0.1:${options.portkeyPort}/v1/chat/completions`,
      headers: {
        authorization: 'Bearer x',
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': upstreamBase,
      },
      model: 'gpt-4o-mini',
      pid: portkey.child.pid,
    });
  }

  for (const target of targets) await sanityCheck(target);
  const measured = {
    upstreamPid: upstream.child.pid!,
    otherPids: targets.flatMap((t) => (t.pid ? [t.pid] : [])),
  };

  // Warm-up: JIT, connection pools, the gateways' caches.
  const answered = new Map<string, number>();
  const countAnswered = (name: string, ok: number) =>
    answered.set(name, (answered.get(name) ?? 2) + ok);
  for (const target of targets) {
    for (const mode of options.modes) {
      if (options.warmupSeconds <= 0) continue;
      const warm = await runLoad(target, mode, 16, options.warmupSeconds, measured);
      countAnswered(target.name, warm.ok);
      console.log(`warm-up ${target.name} ${mode}: ${warm.requestsPerSecond.toFixed(0)} req/s`);
    }
  }

  const tollgate = tollgates.get('tollgate');
  const measureStartSeconds = tollgate ? (performance.now() - tollgate.spawnedAt) / 1000 : 0;
  const tollgatePid = targets.find((t) => t.name === 'tollgate')?.pid;
  const perfData = join(work, 'perf.data');
  let perfRecorder: ChildProcess | undefined;
  if (options.perf && tollgatePid) {
    perfRecorder = spawn(
      'perf',
      ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(tollgatePid), '-o', perfData],
      { stdio: 'ignore' },
    );
    track(perfRecorder);
    prioritise(perfRecorder.pid);
  }
  const runs: RunRecord[] = [];
  const total = options.reps * options.modes.length * options.connections.length * targets.length;
  for (let rep = 0; rep < options.reps; rep++) {
    for (const mode of options.modes) {
      for (const connections of options.connections) {
        // Rotate the order each repetition so no target always runs first (or last).
        const order = targets.map((_, i) => targets[(i + rep) % targets.length]!);
        for (const [position, target] of order.entries()) {
          const result = await runLoad(
            target,
            mode,
            connections,
            options.durationSeconds,
            measured,
          );
          const record: RunRecord = { ...result, rep, order: position };
          runs.push(record);
          countAnswered(target.name, result.ok);
          const failures = result.non2xx + result.errors + result.mismatches + result.timeouts;
          console.log(
            `[${runs.length}/${total}] rep ${rep + 1} ${mode} c=${connections} ${target.name}: ` +
              `${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latencyMs.p50?.toFixed(3)} ms, p99 ${result.latencyMs.p99?.toFixed(2)} ms` +
              (record.cpuPercent !== null
                ? `, CPU ${record.cpuPercent}% (${record.cpuMicrosPerRequest} µs/req; main thread ${record.mainThreadCpuMicrosPerRequest} µs/req), RSS ${record.rssMaxMB} MB`
                : '') +
              `, background CPU ${record.backgroundCpuPercent}%` +
              (failures ? `, FAILURES ${failures} ${JSON.stringify(result.errorKinds)}` : ''),
          );
          await sleep(300);
        }
      }
    }
  }

  let perfSummary: string | undefined;
  if (perfRecorder) {
    const exited = new Promise((resolve) => perfRecorder!.once('exit', resolve));
    perfRecorder.kill('SIGINT');
    await exited;
    perfSummary = execFileSync(
      'bash',
      [
        '-c',
        `perf script -i "${perfData}" 2>/dev/null | node "${join(here, 'perf-summary.mjs')}" 40`,
      ],
      { env: { ...process.env, MAIN_PID: String(tollgatePid) }, maxBuffer: 64 * 1024 * 1024 },
    ).toString();
    console.log(`Tollgate on-CPU profile (perf, all threads, measured runs only):\n${perfSummary}`);
  }

  // Recording check: every call Tollgate answered should be an event in its store.
  const recording: Record<string, { answered: number; recorded: number | null }> = {};
  if (tollgates.size) await sleep(2000);
  for (const [name, instance] of tollgates) {
    const response = await fetch(
      instance.url.replace('/v1/chat/completions', '/api/v1/metrics/summary'),
      { headers: { authorization: `Bearer ${instance.key}` } },
    );
    const body = (await response.json()) as { rows?: Array<{ requests: number }> };
    recording[name] = {
      answered: answered.get(name) ?? 0,
      recorded: body.rows?.[0]?.requests ?? null,
    };
    console.log(
      `${name} recording: ${recording[name].recorded} events recorded for ${recording[name].answered} answered calls (calls in flight when a run ends are answered but not counted)`,
    );
  }

  await stopAll();

  const summaries = summarise(runs, options);
  const ratioRows = ratios(summaries);
  const table = formatTable(summaries, ratioRows);
  console.log(`\n${table}\n`);

  let profileSummary: string | undefined;
  if (options.profile) {
    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (file) {
      profileSummary = execFileSync(process.execPath, [
        join(here, 'profile-summary.mjs'),
        join(profileDir, file),
        '40',
        String(measureStartSeconds),
      ]).toString();
      console.log(
        `Tollgate CPU profile (${relative(root, join(profileDir, file))}), measured part only:\n${profileSummary}`,
      );
    }
  }

  const results = {
    date: new Date().toISOString(),
    command: `npx tsx bench/gateway/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    options: { ...options, out: relative(root, options.out) },
    requestBodies: {
      json: JSON.parse(requestBody(targets[0]!, 'json')),
      stream: JSON.parse(requestBody(targets[0]!, 'stream')),
    },
    summaries,
    tollgateOverPortkey: ratioRows,
    recording,
    ...(profileSummary ? { profileSummary } : {}),
    ...(perfSummary ? { perfSummary } : {}),
    runs,
  };
  // Written as the repository's Prettier would format them, so `npm run lint` stays green.
  const { format, resolveConfig } = await import('prettier');
  const pretty = async (file: string, text: string) =>
    writeFileSync(file, await format(text, { ...(await resolveConfig(file)), filepath: file }));
  await pretty(options.out, JSON.stringify(results));
  await pretty(options.out.replace(/\.json$/, '.md'), `${table}\n`);
  console.log(`wrote ${relative(root, options.out)}`);
  for (const name of tollgates.keys())
    rmSync(join(work, `data-${name}-${process.pid}`), { recursive: true, force: true });
}

process.on('SIGINT', () => {
  void stopAll().then(() => process.exit(130));
});

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
