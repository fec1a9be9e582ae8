import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKeySecret } from '../../src/auth/api-key-secret';
import { createMetaStore } from '../../src/stores/meta';
import { runTollgate } from '../helpers/run-cli';
import { createTempDir } from '../helpers/temp-dir';

const dataDir = createTempDir();

const tollgate = (args: string[], environment: Record<string, string> = {}) =>
  runTollgate(dataDir.path, args, environment);

afterAll(() => dataDir.remove());

describe('tollgate CLI', () => {
  beforeAll(async () => {
    const migrated = await tollgate(['migrate']);
    expect(migrated.stderr).toBe('');
    expect(migrated.stdout).toMatch(/event store \(chdb\): schema version 0 -> \d+/);
  }, 60_000);

  it('check lists every table with its engine, and exits 0 when none is missing', async () => {
    const result = await tollgate(['check']);
    expect(result.code).toBe(0);
    for (const table of [
      'events',
      'tool_calls',
      'agent_steps',
      'events_hourly',
      'events_daily',
      'project_summary',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^${table} +\\w*MergeTree`, 'm'));
    }
    expect(result.stdout).toMatch(/meta store: pglite reachable/);
  }, 60_000);

  it('keys create refuses an unknown project and a bad scope, naming them', async () => {
    const unknown = await tollgate(['keys', 'create', '--project', 'proj_nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/project proj_nope not found/);
    const badScope = await tollgate([
      'keys',
      'create',
      '--project',
      'p',
      '--scopes',
      'gateway,fly',
    ]);
    expect(badScope.code).not.toBe(0);
    expect(badScope.stderr).toMatch(/unknown scope "fly"/);
  }, 60_000);

  it('keys create prints a new key once and stores only its hash', async () => {
    let meta = await createMetaStore({ dataDir: join(dataDir.path, 'meta') });
    const organization = await meta.createOrganization({ name: 'cli' });
    const project = await meta.createProject({ orgId: organization.id, name: 'cli' });
    await meta.close();
    const result = await tollgate([
      'keys',
      'create',
      '--project',
      project.id,
      '--scopes',
      'ingest,read',
    ]);
    expect(result.code).toBe(0);
    const secret = /^(tg_\w+)$/m.exec(result.stdout)?.[1];
    expect(secret).toBeDefined();
    meta = await createMetaStore({ dataDir: join(dataDir.path, 'meta') });
    const key = await meta.findApiKeyByHash(hashApiKeySecret(secret!));
    await meta.close();
    expect(key?.projectId).toBe(project.id);
    expect(key?.scopes).toEqual(['ingest', 'read']);
    expect(key?.prefix).toBe(secret!.slice(0, key!.prefix.length));
  }, 60_000);

  it('stops with a message naming a bad environment variable', async () => {
    const result = await tollgate(['check'], { PORT: 'abc' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid configuration: PORT="abc"/);
  }, 60_000);
});
