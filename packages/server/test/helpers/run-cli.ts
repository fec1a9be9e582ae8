import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `tollgate` CLI from source as its own process, on the embedded stores of `dataDir`
 * (no server URLs, no running-server settings) unless `environment` says otherwise.
 */
export async function runTollgate(
  dataDir: string,
  args: string[],
  environment: Record<string, string> = {},
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(root, 'packages/server/src/cli/main.ts'), ...args],
      {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: '',
          REDIS_URL: '',
          CLICKHOUSE_URL: '',
          TOLLGATE_URL: '',
          TOLLGATE_ADMIN_KEY: '',
          TOLLGATE_DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          ...environment,
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}
