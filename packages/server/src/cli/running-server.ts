import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded stores (chDB, PGlite) belong to one process at a time: while
 * `tollgate serve` runs, the CLI reaches the data through that server's API
 * instead. The server leaves its address in `<data dir>/server.json` while it
 * listens; the CLI reads it, or takes `--url` / `TOLLGATE_URL`.
 */
const SERVER_FILE = 'server.json';

interface ServerFile {
  url: string;
  pid: number;
}

export function writeServerFile(dataDir: string, url: string): () => void {
  const path = join(dataDir, SERVER_FILE);
  writeFileSync(path, JSON.stringify({ url, pid: process.pid } satisfies ServerFile), {
    mode: 0o600,
  });
  return () => rmSync(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The address of the server serving this data directory, when one is running. */
function serverOfDataDir(dataDir: string): string | undefined {
  const path = join(dataDir, SERVER_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<ServerFile>;
    if (typeof file.url === 'string' && typeof file.pid === 'number' && isAlive(file.pid)) {
      return file.url;
    }
  } catch {
    // A torn or foreign file: no running server is known.
  }
  return undefined;
}

/** Listening on every interface still answers on loopback, which is where the CLI is. */
export function loopbackUrl(address: string): string {
  const url = new URL(address);
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
  return url.origin;
}

export interface RemoteOptions {
  url?: string;
  adminKey?: string;
}

export interface RunningServer {
  url: string;
  adminKey: string;
}

/**
 * The server a command must go through, or undefined when the CLI may open
 * the stores itself. A server found without an admin key is an error that
 * says how to go on, rather than a "cannot lock" from the engine.
 */
export function runningServer(dataDir: string, options: RemoteOptions): RunningServer | undefined {
  const url = options.url || process.env.TOLLGATE_URL || serverOfDataDir(dataDir);
  if (!url) return undefined;
  const adminKey = options.adminKey || process.env.TOLLGATE_ADMIN_KEY;
  if (!adminKey) {
    throw new Error(
      `a Tollgate server is running at ${url} and holds the data directory: pass --admin-key (or set TOLLGATE_ADMIN_KEY) to go through its API`,
    );
  }
  return { url, adminKey };
}

/** Calls the server's API with the admin key; a refusal becomes an error carrying the API's message. */
export async function callServer(
  server: RunningServer,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Response> {
  const response = await fetch(new URL(path, server.url), {
    method,
    headers: {
      authorization: `Bearer ${server.adminKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const text = await response.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      // Not Tollgate's JSON error: show the body as it came.
    }
    throw new Error(`${server.url} answered ${response.status}: ${message}`);
  }
  return response;
}
