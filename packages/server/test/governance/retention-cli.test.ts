/**
 * `tollgate retention run`: the retention job run now from the command line,
 * on the stores of a data directory, printing what it deleted per org.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDefaultTenant } from '../../src/bootstrap';
import { loadConfiguration } from '../../src/config';
import { closeStores, openStores } from '../../src/stores/open-stores';
import { runTollgate } from '../helpers/run-cli';
import { createTempDir } from '../helpers/temp-dir';
import { promptCall, seedEvents, storedAges, toolCall } from './retention-seed';

const dataDir = createTempDir();
const configuration = loadConfiguration({ TOLLGATE_DATA_DIR: dataDir.path });
let orgId = '';

const tollgate = (args: string[]) => runTollgate(dataDir.path, args);

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
