/**
 * `tollgate retention run`: the retention job run now from the command line,
 * on the stores of a data directory, printing what it deleted per org.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDefaultTenant } from '../../src/bootstrap';
import { loadConfiguration } from '../../src/config';
import { closeStores, openStores } from '../../src/stores/open-stores';
import { createTempDir } from '../helpers/temp-dir';
import { promptCall, seedEvents, storedAges, toolCall } from './retention-seed';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const dataDir = createTempDir();
const configuration = loadConfiguration({ TOLLGATE_DATA_DIR: dataDir.path });
let orgId = '';

async function tollgate(args: string[]) {
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
          TOLLGATE_DATA_DIR: dataDir.path,
          LOG_LEVEL: 'warn',
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

beforeAll(async () => {
  // Seeded in this process, then closed: the embedded stores serve one process at a time.
  const stores = await openStores(configuration);
  try {
    const tenant = (await bootstrapDefaultTenant(stores.meta))!;
    orgId = tenant.orgId;
    await seedEvents(
      stores.events,
      tenant,
      [promptCall(1), promptCall(120), toolCall(120)],
      Date.now(),
    );
  } finally {
    await closeStores(stores);
  }
}, 120_000);

afterAll(() => dataDir.remove());

describe('tollgate retention run', () => {
  it('deletes what is older than the org’s retention and prints what it deleted', async () => {
    const result = await tollgate(['retention', 'run']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            org_id: string;
            retention_days: number;
            deleted: Record<string, number>;
          },
      );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      org_id: orgId,
      retention_days: 90,
      deleted: { events: 2, tool_calls: 1, agent_steps: 0 },
    });

    const stores = await openStores(configuration);
    try {
      const ages = await storedAges(stores.events, orgId, Date.now());
      expect(ages).toEqual({ prompt_call: [1] });
      const [recorded] = await stores.meta.listRetentionRuns(orgId);
      expect(recorded?.deleted).toMatchObject({ events: 2, tool_calls: 1 });
    } finally {
      await closeStores(stores);
    }
  }, 120_000);
});
