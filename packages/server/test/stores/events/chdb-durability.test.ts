import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ChdbDriver } from '../../../src/stores/events/chdb';
import { createTempDir } from '../../helpers/temp-dir';

const CHILD = fileURLToPath(new URL('./chdb-insert-child.ts', import.meta.url));
const REPOSITORY_ROOT = resolve(CHILD, '../../../../../..');
const ROWS_PER_BATCH = 50;

describe('embedded event store durability', () => {
  const directory = createTempDir('tollgate-chdb-durable-');
  afterAll(() => directory.remove());

  it('keeps every acknowledged batch when the process is killed with SIGKILL mid-stream', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, directory.path], {
      cwd: REPOSITORY_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged = await new Promise<number>((resolveCount, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const lines = output.split('\n').filter(Boolean);
        if (lines.length >= 30) {
          child.kill('SIGKILL');
          resolveCount(Number(lines[lines.length - 1]) + 1);
        }
      });
      child.once('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`the child exited on its own (code ${code})`));
      });
    });
    await new Promise((resolveExit) => child.once('exit', resolveExit));

    const driver = ChdbDriver.open(directory.path);
    try {
      const batches = await driver.query<{ name: string; rows: number }>(
        "SELECT name, count() AS rows FROM events WHERE org_id = 'org_durable' GROUP BY name",
      );
      const stored = new Map(batches.map((batch) => [batch.name, batch.rows]));
      for (let batch = 0; batch < acknowledged; batch += 1)
        expect(stored.get(`batch-${batch}`)).toBe(ROWS_PER_BATCH);
    } finally {
      await driver.close();
    }
  });
});
