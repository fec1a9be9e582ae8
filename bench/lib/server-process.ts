/**
 * The Tollgate server as a child process, for the benches: start it on a free
 * port with its own data directory, read the URL and the keys it prints, stop
 * it; and what /proc says about a process's memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Printed only on the first start of a data directory. */
  projectKey?: string;
  exited: Promise<number | null>;
}

export interface StartServerOptions {
  /** Node arguments before the script, e.g. `['--import', 'tsx']`. */
  nodeArguments?: string[];
  /** The entry point and its arguments, e.g. `['packages/server/dist/main.js', 'serve']`. */
  script: string[];
  cwd: string;
  dataDir: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Starts the server (PORT=0, LOG_LEVEL=warn) and resolves once it prints where it serves. */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(options.nodeArguments ?? []), ...options.script], {
    cwd: options.cwd,
    env: {
      ...process.env,
      PORT: '0',
      TOLLGATE_DATA_DIR: options.dataDir,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', resolveExit));
  let output = '';
  const timeoutMs = options.timeoutMs ?? 180_000;
  const url = await new Promise<string>((resolveReady, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const served = /Tollgate is serving at (http:\/\/\S+)/.exec(output)?.[1];
      if (served) {
        clearTimeout(timer);
        resolveReady(served);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before serving:\n${output}`));
    });
  });
  const projectKey = /project key: (tg_\S+)/.exec(output)?.[1];
  // Keep reading its output, so a full pipe never blocks it; show warnings and errors.
  child.stdout!.removeAllListeners('data');
  child.stderr!.removeAllListeners('data');
  const relay = (chunk: Buffer) => {
    const text = chunk.toString().trim();
    if (text) process.stderr.write(`  [server] ${text.slice(0, 500)}\n`);
  };
  child.stdout!.on('data', relay);
  child.stderr!.on('data', relay);
  return { child, url, projectKey, exited };
}

/** SIGTERM (a clean shutdown), SIGKILL after `graceMs`; resolves with the exit code. */
export async function stopServer(server: ServerProcess, graceMs = 30_000): Promise<number | null> {
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
  const code = await server.exited;
  clearTimeout(timer);
  return code;
}

export interface ProcessMemory {
  /** Resident set size: anonymous + file-backed + shared memory pages. */
  vmRssMb: number;
  /** Private memory: heaps, WebAssembly memories, thread stacks. Only swap reclaims it. */
  rssAnonMb: number;
  /** Pages of mapped files (the node binary, libchdb.so): shared, and dropped under pressure. */
  rssFileMb: number;
  /** Peak VmRSS. */
  vmHwmMb: number;
  threads: number;
}

/** A process's memory from `/proc/<pid>/status`, in MB (1 MB = 1,048,576 bytes). */
export function processMemory(pid: number | 'self'): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status);
    return match ? Number(match[1]) : NaN;
  };
  const mb = (kilobytes: number) => Math.round((kilobytes / 1024) * 10) / 10;
  return {
    vmRssMb: mb(field('VmRSS')),
    rssAnonMb: mb(field('RssAnon')),
    rssFileMb: mb(field('RssFile')),
    vmHwmMb: mb(field('VmHWM')),
    threads: field('Threads'),
  };
}

/**
 * Waits until a process is idle: its RSS moved by less than `toleranceMb` over
 * `windowMs` (polled every 500 ms), or `maxMs` passed. Returns the last reading.
 */
export async function waitForIdleMemory(
  pid: number | 'self',
  { windowMs = 3_000, toleranceMb = 1, maxMs = 30_000 } = {},
): Promise<ProcessMemory & { settledAfterMs: number; settled: boolean }> {
  const started = performance.now();
  const readings: { at: number; memory: ProcessMemory }[] = [];
  for (;;) {
    const memory = processMemory(pid);
    const at = performance.now();
    readings.push({ at, memory });
    while (readings.length > 0 && at - readings[0]!.at > windowMs) readings.shift();
    const spanned = readings.length > 1 && at - readings[0]!.at >= windowMs - 600;
    const values = readings.map((reading) => reading.memory.vmRssMb);
    const settled = spanned && Math.max(...values) - Math.min(...values) < toleranceMb;
    if (settled || at - started > maxMs) {
      return { ...memory, settledAfterMs: Math.round(at - started), settled };
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
  }
}
