import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { runTollgate } from '../helpers/run-cli';
import { createTempDir } from '../helpers/temp-dir';

const dataDir = createTempDir();
let server: ServerProcess;

const tollgate = (args: string[], environment: Record<string, string> = {}) =>
  runTollgate(dataDir.path, args, environment);

async function api(path: string, key: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  server = await startServerProcess({ TOLLGATE_DATA_DIR: dataDir.path }, 150_000);
}, 180_000);

afterAll(async () => {
  await server?.kill('SIGKILL');
  dataDir.remove();
});

describe('the CLI while `tollgate serve` holds the embedded stores', () => {
  it('says how to go on instead of failing on the engine lock', async () => {
    expect(existsSync(join(dataDir.path, 'server.json'))).toBe(true);
    const result = await tollgate(['check']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`a Tollgate server is running at ${server.url}`);
    expect(result.stderr).toMatch(/--admin-key/);
    expect(result.stderr).not.toMatch(/lock/i);
  }, 60_000);

  it('check lists the tables through the server’s API', async () => {
    const result = await tollgate(['check'], { TOLLGATE_ADMIN_KEY: server.adminKey! });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^event store: chdb$/m);
    expect(result.stdout).toMatch(/^events +\w*MergeTree/m);
    expect(result.stdout).toMatch(/meta store: pglite reachable/);
  }, 60_000);

  it('keys create makes a key the server accepts at once', async () => {
    const projects = await api('/api/v1/admin/projects', server.adminKey!);
    const project = (projects.body.projects as { id: string }[])[0]!;
    const result = await tollgate(
      ['keys', 'create', '--project', project.id, '--scopes', 'ingest,read'],
      { TOLLGATE_ADMIN_KEY: server.adminKey! },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const secret = /^(tg_\w+)$/m.exec(result.stdout)?.[1];
    expect(secret).toBeDefined();
    const ingested = await api('/api/v1/events', secret!, {
      method: 'POST',
      body: JSON.stringify([
        { event_type: 'prompt_call', run_id: 'cli-run', provider: 'openai', model: 'gpt-4o' },
      ]),
    });
    expect(ingested.status).toBe(200);

    const unknown = await tollgate(['keys', 'create', '--project', 'proj_nope'], {
      TOLLGATE_ADMIN_KEY: server.adminKey!,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/answered 400: project_id: is not a valid id/);
  }, 60_000);

  it('report chargeback reads every org through the server', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const result = await tollgate(['report', 'chargeback', '--from', from, '--to', to], {
      TOLLGATE_ADMIN_KEY: server.adminKey!,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { orgs: { total: { requests: number } }[] };
    expect(report.orgs).toHaveLength(1);
    expect(report.orgs[0]!.total.requests).toBe(1);
  }, 60_000);

  it('retention run runs in the server and prints each org', async () => {
    const result = await tollgate(['retention', 'run'], { TOLLGATE_ADMIN_KEY: server.adminKey! });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as object);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ retention_days: expect.any(Number) });
  }, 60_000);

  it('refuses a key that is not the operator’s admin', async () => {
    const projects = await api('/api/v1/admin/projects', server.adminKey!);
    const project = (projects.body.projects as { id: string }[])[0]!;
    const created = await api('/api/v1/admin/keys', server.adminKey!, {
      method: 'POST',
      body: JSON.stringify({ name: 'reader', scopes: ['read'], project_id: project.id }),
    });
    const result = await tollgate(['check'], {
      TOLLGATE_ADMIN_KEY: created.body.secret as string,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/answered 403/);
  }, 60_000);

  it('opens the stores itself again once the server has stopped', async () => {
    await server.kill('SIGTERM');
    expect(existsSync(join(dataDir.path, 'server.json'))).toBe(false);
    const result = await tollgate(['check']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^events +\w*MergeTree/m);
  }, 60_000);
});
