import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const cliEntry = join(repositoryRoot, 'packages/server/src/cli/main.ts');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Printed on first start only. */
  projectKey?: string;
  adminKey?: string;
  output(): string;
  /** SIGKILL, as a crash would; resolves when the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `tollgate serve` as its own process (run from source with tsx) and waits until it listens. */
export function startServerProcess(
  environment: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, 'serve'], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      // Embedded stores in the given data directory unless the test names servers itself.
      DATABASE_URL: '',
      REDIS_URL: '',
      CLICKHOUSE_URL: '',
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /Tollgate is serving at (http:\/\/\S+)/.exec(output);
      if (!listening) return;
      clearTimeout(timer);
      resolve({
        child,
        url: listening[1]!,
        projectKey: /project key: (tg_\w+)/.exec(output)?.[1],
        adminKey: /admin key: +(tg_\w+)/.exec(output)?.[1],
        output: () => output,
        kill: async (signal = 'SIGKILL') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}
