/**
 * What the benches that drive a running Tollgate share: building the server bundle, starting
 * the loopback upstream (`bench/gateway/upstream.mjs`) and Tollgate on a fresh data directory
 * with one route to it, and reading a process's CPU and memory from `/proc`.
 * Used by bench/gateway/run.ts and bench/memory/soak.ts.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, setPriority, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/** `--name value`, `--name=value` and bare `--flag` arguments (the benches' command lines). */
export function commandLine(argv: string[]): { values: Map<string, string>; flags: Set<string> } {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) values.set(name, inline);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--'))
      values.set(name, argv[++i]!);
    else flags.add(name);
  }
  return { values, flags };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- processes

const started: ChildProcess[] = [];
let stopping = false;
let niceValue = 0;

/** The nice value given to every process started from now on (0 leaves it). */
export function setNiceValue(value: number): void {
  niceValue = value;
}

/** Stops `child` with the rest in `stopAll`. */
export function track(child: ChildProcess): void {
  started.push(child);
}

export function prioritise(pid: number | undefined): void {
  if (pid === undefined || niceValue === 0) return;
  try {
    setPriority(pid, niceValue);
  } catch (error) {
    console.error(`could not set the priority of ${pid} to ${niceValue}: ${String(error)}`);
  }
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  prioritise(child.pid);
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code, signal) => {
    if (!stopping)
      console.error(
        `${name} exited early (code ${code}, signal ${signal})\n${output.slice(-3000)}`,
      );
  });
  return { child, output: () => output };
}

/** SIGTERM to every process started (SIGKILL after 15 s), and waits for them. */
export async function stopAll(): Promise<void> {
  stopping = true;
  await Promise.all(
    started.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 15_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

export async function waitFor<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// ---------------------------------------------------------------- /proc sampling

export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/**
 * user+system CPU ticks of a process (all its threads), or of its main thread (the JavaScript
 * event loop) with `mainThread`; undefined once it is gone.
 */
export function cpuTicks(pid: number, mainThread = false): number | undefined {
  try {
    const stat = readFileSync(
      mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`,
      'utf8',
    );
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

export function rssBytes(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Busy ticks of the whole machine (all cores): everything but idle and iowait. */
export function machineBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, ...numbers] = line.trim().split(/\s+/);
  const values = numbers.map(Number);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  return total - values[3]! - values[4]!;
}

export function machineDescription() {
  const shell = (command: string) => {
    try {
      return execFileSync('bash', ['-c', command]).toString().trim();
    } catch {
      return '';
    }
  };
  return {
    nproc: Number(shell('nproc')),
    cpuModel: cpus()[0]?.model ?? '',
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    lscpu: shell('lscpu | head -20'),
    free: shell('free -h'),
    node: process.version,
    kernel: shell('uname -sr'),
    autocannon: JSON.parse(readFileSync(join(root, 'node_modules/autocannon/package.json'), 'utf8'))
      .version as string,
  };
}

// ---------------------------------------------------------------- the bundle

/**
 * The same build as scripts/build.mjs (npm run build) of the server in `source` (the working
 * tree, or a copy holding packages/server and packages/core), into a private directory `dist`
 * so a concurrent `npm run build` (which empties packages/server/dist) cannot pull it away.
 * Returns the path of main.js.
 */
export async function buildBundle(source: string, dist: string): Promise<string> {
  rmSync(dist, { recursive: true, force: true });
  const server = join(source, 'packages/server');
  const core = join(source, 'packages/core/src/index.ts');
  await build({
    entryPoints: [join(server, 'src/cli/main.ts')],
    outfile: join(dist, 'main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    // A baseline's own core, not the working tree's (npm links @tollgate/core there).
    alias: source === root ? {} : { '@tollgate/core': core },
    plugins: [
      {
        name: 'external-npm-packages',
        setup(context) {
          context.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@tollgate/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
    logLevel: 'warning',
  });
  cpSync(join(server, 'src/stores/meta/migrations'), join(dist, 'migrations/meta'), {
    recursive: true,
  });
  return join(dist, 'main.js');
}

// ---------------------------------------------------------------- upstream and Tollgate

export type Mode = 'json' | 'stream';

const MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant. Answer briefly.' },
  { role: 'user', content: 'Hello, how are you?' },
];

/** The benches' chat completion: small, `max_tokens: 64`, streamed with usage in `stream` mode. */
export function chatRequestBody(model: string, mode: Mode): string {
  return JSON.stringify({
    model,
    messages: MESSAGES,
    max_tokens: 64,
    ...(mode === 'stream' ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

/** What every answer of the upstream holds, per mode. */
export const EXPECT: Record<Mode, string> = {
  json: 'How can I help you today?',
  stream: 'data: [DONE]',
};

/** Starts `bench/gateway/upstream.mjs` on a free port; its base URL ends in `/v1`. */
export async function startUpstream(): Promise<{ base: string; child: ChildProcess }> {
  const upstream = startProcess('upstream', process.execPath, [
    join(root, 'bench/gateway/upstream.mjs'),
    '0',
  ]);
  const port = await waitFor('the upstream', () => {
    const match = /upstream listening on (\d+)/.exec(upstream.output());
    return match ? Number(match[1]) : undefined;
  });
  return { base: `http://127.0.0.1:${port}/v1`, child: upstream.child };
}

export interface TollgateProcess {
  /** The project key it printed at first start. */
  key: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  pid: number;
  /** `performance.now()` when it was spawned. */
  spawnedAt: number;
  child: ChildProcess;
  output: () => string;
}

/**
 * Starts Tollgate (`<bundle> serve`) on a free loopback port with the (fresh, empty) data
 * directory `dataDir`: embedded chDB event store, PGlite meta store, recording on, and one
 * route, model `bench`, to the upstream at `upstreamBase`. Resolves once it serves.
 */
export async function startTollgate(options: {
  name: string;
  bundle: string;
  upstreamBase: string;
  dataDir: string;
  nodeArgs?: string[];
  env?: Record<string, string>;
}): Promise<TollgateProcess> {
  const routes = join(options.dataDir, 'routes.yaml');
  writeFileSync(
    routes,
    `routes:\n  - model: bench\n    deployments:\n      - { provider: openai, model: gpt-4o-mini, baseUrl: "${options.upstreamBase}", apiKeyEnv: BENCH_KEY }\n`,
  );
  const port = await freePort();
  const spawnedAt = performance.now();
  const started_ = startProcess(
    options.name,
    process.execPath,
    [...(options.nodeArgs ?? []), options.bundle, 'serve'],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      TOLLGATE_DATA_DIR: options.dataDir,
      TOLLGATE_ROUTES: routes,
      BENCH_KEY: 'bench-upstream-key',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      ...options.env,
    },
  );
  const key = await waitFor(options.name, () => {
    const out = started_.output();
    const match = /project key:\s+(tg_\S+)/.exec(out);
    return match && /Tollgate is serving at/.test(out) ? match[1] : undefined;
  });
  return {
    key,
    origin: `http://127.0.0.1:${port}`,
    pid: started_.child.pid!,
    spawnedAt,
    child: started_.child,
    output: started_.output,
  };
}
