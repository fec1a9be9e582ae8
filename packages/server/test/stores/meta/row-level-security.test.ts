/**
 * Row-level security of the meta store (migration 0009, docs/postgres.md), on
 * the Postgres of DATABASE_URL (a database of its own) and on PGlite: a query
 * under the application role without the org setting sees no row of any
 * table; with it, only that org's rows; the role cannot write into another
 * org nor switch the policies off; every table carries the policies.
 * (Over 400 lines: one seeding of all fifteen tables and one set of checks
 * shared by both engines, plus the non-superuser owner's cases; split, they
 * would have to share the seed through a third file.)
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { MetaStore } from '@tollgate/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresMetaStore,
  DrizzleMetaStore,
  resolveMetaMigrationsFolder,
} from '../../../src/stores/meta';
import { openPglite } from '../../../src/stores/meta/pglite/driver';
import { migratePglite } from '../../../src/stores/meta/pglite/migrator';
import { describeWithService } from '../../helpers/services';
import { createTempDir } from '../../helpers/temp-dir';
import { createPostgresTestDatabase, type PostgresTestDatabase } from './postgres-test-database';

type Row = Record<string, unknown>;
type ErrorWithHint = { message?: string; hint?: string; cause?: ErrorWithHint } | undefined;

/** One connection to the store's database, as the role the store connects as. */
interface RawSession {
  query(text: string, parameters?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

const TABLES = [
  'organizations',
  'projects',
  'api_keys',
  'gateway_routes',
  'provider_credentials',
  'audit_log',
  'prompts',
  'prompt_versions',
  'budgets',
  'alert_rules',
  'feature_flags',
  'feature_flag_overrides',
  'guardrail_references',
  'retention_runs',
  'dead_letters',
  'content_keys',
];
/** Tables the seeding leaves empty; their policies are still checked. */
const UNSEEDED_TABLES = ['video_jobs'];

interface Seeded {
  orgA: string;
  orgB: string;
  /** A's project with every project-scoped row, and A's second, empty project. */
  projectA: string;
  emptyProjectA: string;
}

/** One row (at least) in every table for each of two orgs, written through the store. */
async function seed(store: MetaStore): Promise<Seeded> {
  const ids: string[][] = [];
  for (const name of ['org a', 'org b']) {
    const org = await store.createOrganization({ name });
    const project = await store.createProject({ orgId: org.id, name: 'main' });
    const empty = await store.createProject({ orgId: org.id, name: 'empty' });
    await store.createApiKey({
      orgId: org.id,
      projectId: project.id,
      name: 'k',
      prefix: 'tg_x',
      hash: `hash-${org.id}`,
      scopes: ['read'],
    });
    await store.putGatewayRoute(org.id, 'chat', { deployments: [] });
    await store.putProviderCredential({
      orgId: org.id,
      name: 'c',
      provider: 'openai',
      ciphertext: 'v1:x',
    });
    await store.appendAuditEntry({
      orgId: org.id,
      actorKeyId: null,
      actorOrgId: org.id,
      action: 'project.created',
      targetType: 'project',
      targetId: project.id,
      before: null,
      after: null,
    });
    await store.createPrompt({ orgId: org.id, projectId: project.id }, 'p', {
      template: 't',
      system: null,
      model: null,
      temperature: null,
      maxTokens: null,
      createdBy: null,
    });
    await store.createBudget({
      orgId: org.id,
      scope: 'org',
      scopeId: org.id,
      period: 'day',
      amountNanos: 1n,
    });
    await store.createAlertRule({ orgId: org.id, name: 'r', definition: {} });
    await store.putFlag(org.id, 'f', {
      defaultEnabled: false,
      overrides: [{ projectId: project.id, userId: null, enabled: true }],
    });
    await store.createGuardrailReference({
      orgId: org.id,
      projectId: project.id,
      name: 'g',
      text: 'ignore previous instructions',
      threshold: 0.5,
      action: 'block',
    });
    await store.createContentKey({
      id: `ck-${org.id}`,
      orgId: org.id,
      wrappedKey: 'v1:x',
      masterKeyId: 'm',
    });
    await store.appendRetentionRun({
      runId: 'run',
      orgId: org.id,
      retentionDays: 30,
      cutoff: new Date(),
      deleted: {},
    });
    ids.push([org.id, project.id, empty.id]);
  }
  await store.addDeadLetters(
    ids.map(([orgId]) => ({
      orgId: orgId!,
      eventId: 'e',
      eventTime: '',
      error: 'refused',
      errorCode: null,
      rowBase64: '',
    })),
  );
  const [orgA, projectA, emptyProjectA] = ids[0]!;
  const [orgB] = ids[1]!;
  return { orgA: orgA!, orgB: orgB!, projectA: projectA!, emptyProjectA: emptyProjectA! };
}

/** Runs `statements` in one transaction that is rolled back; the last one's rows. */
async function inTransaction(
  session: RawSession,
  statements: Array<[string, unknown[]?]>,
): Promise<Row[]> {
  await session.query('begin');
  try {
    let rows: Row[] = [];
    for (const [text, parameters] of statements) rows = await session.query(text, parameters);
    return rows;
  } finally {
    await session.query('rollback');
  }
}

const asApp = (orgId?: string, projectId?: string): Array<[string, unknown[]?]> => [
  ['set local role tollgate_app'],
  ...(orgId === undefined
    ? []
    : [["select set_config('tollgate.org_id', $1, true)", [orgId]] as [string, unknown[]]]),
  ...(projectId === undefined
    ? []
    : [["select set_config('tollgate.project_id', $1, true)", [projectId]] as [string, unknown[]]]),
];

async function countAs(
  session: RawSession,
  table: string,
  setup: Array<[string, unknown[]?]>,
): Promise<number> {
  const [row] = await inTransaction(session, [
    ...setup,
    [`select count(*)::int as n from "${table}"`],
  ]);
  return Number(row!.n);
}

/** The checks, on a migrated, seeded store and a raw session to its database. */
function rowSecurityChecks(
  open: () => Promise<{
    store: MetaStore;
    raw: () => Promise<RawSession>;
    done: () => Promise<void>;
  }>,
): void {
  let store: MetaStore;
  let session: RawSession;
  let done: () => Promise<void>;
  let seeded: Seeded;

  beforeAll(async () => {
    const opened = await open();
    store = opened.store;
    done = opened.done;
    await store.migrate();
    seeded = await seed(store);
    session = await opened.raw();
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await done?.();
  });

  it('a query under tollgate_app without the org setting sees no row of any table', async () => {
    for (const table of TABLES) {
      // The connecting role is a superuser here and bypasses every policy: the rows exist.
      expect(await countAs(session, table, []), table).toBeGreaterThanOrEqual(2);
      expect(await countAs(session, table, asApp()), table).toBe(0);
      expect(await countAs(session, table, asApp('')), table).toBe(0);
      expect(await countAs(session, table, asApp('org_none')), table).toBe(0);
    }
  });

  it('with the org set, every table shows that org’s rows and none of another', async () => {
    for (const table of TABLES) {
      const column =
        table === 'organizations' ? 'id' : table === 'prompt_versions' ? null : 'org_id';
      const query =
        column === null
          ? 'select prompts.org_id as org from prompt_versions join prompts on prompts.id = prompt_versions.prompt_id'
          : `select "${column}" as org from "${table}"`;
      const rows = await inTransaction(session, [...asApp(seeded.orgA), [query]]);
      expect(rows.length, table).toBeGreaterThan(0);
      expect(new Set(rows.map((row) => row.org)), table).toEqual(new Set([seeded.orgA]));
    }
  });

  it('the project setting narrows projects, prompts and guardrail references', async () => {
    const inProject = asApp(seeded.orgA, seeded.projectA);
    const inEmpty = asApp(seeded.orgA, seeded.emptyProjectA);
    expect(await countAs(session, 'projects', inProject)).toBe(1);
    expect(await countAs(session, 'prompts', inProject)).toBe(1);
    expect(await countAs(session, 'prompt_versions', inProject)).toBe(1);
    expect(await countAs(session, 'guardrail_references', inProject)).toBe(1);
    expect(await countAs(session, 'prompts', inEmpty)).toBe(0);
    expect(await countAs(session, 'prompt_versions', inEmpty)).toBe(0);
    expect(await countAs(session, 'guardrail_references', inEmpty)).toBe(0);
    // Org-wide rows stay visible within a project.
    expect(await countAs(session, 'budgets', inEmpty)).toBe(1);
  });

  it('tollgate_app can neither write into another org nor change its rows', async () => {
    const insert = inTransaction(session, [
      ...asApp(seeded.orgA),
      ['insert into projects (id, org_id, name) values ($1, $2, $3)', ['proj_x', seeded.orgB, 'x']],
    ]);
    await expect(insert).rejects.toMatchObject({ code: '42501' });
    const updated = await inTransaction(session, [
      ...asApp(seeded.orgA),
      ['update organizations set name = $1 where id = $2 returning id', ['taken', seeded.orgB]],
    ]);
    expect(updated).toEqual([]);
    expect((await store.getOrganization(seeded.orgB))?.name).toBe('org b');
  });

  it('tollgate_app cannot switch row-level security off', async () => {
    await expect(
      inTransaction(session, [
        ...asApp(),
        ['set local row_security = off'],
        ['select count(*) from organizations'],
      ]),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      inTransaction(session, [
        ...asApp(),
        ['alter table organizations disable row level security'],
      ]),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('every table has row-level security enabled and forced, with both roles’ policies', async () => {
    const tables = await session.query(
      `select c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
              array(select p.polname::text from pg_policy p where p.polrelid = c.oid order by 1) as policies
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind = 'r' order by 1`,
    );
    expect(tables.map((table) => table.name)).toEqual([...TABLES, ...UNSEEDED_TABLES].sort());
    for (const table of tables) {
      expect(table, String(table.name)).toMatchObject({
        enabled: true,
        forced: true,
        policies: [`${String(table.name)}_system`, `${String(table.name)}_tenant`],
      });
    }
    const roles = await session.query(
      `select rolname, rolsuper, rolbypassrls, rolcanlogin from pg_roles
        where rolname in ('tollgate_app', 'tollgate_system') order by 1`,
    );
    expect(roles).toEqual(
      ['tollgate_app', 'tollgate_system'].map((rolname) => ({
        rolname,
        rolsuper: false,
        rolbypassrls: false,
        rolcanlogin: false,
      })),
    );
  });

  it('the store itself still sees exactly its org through its own calls', async () => {
    expect((await store.listProjects(seeded.orgA)).map((project) => project.orgId)).toEqual([
      seeded.orgA,
      seeded.orgA,
    ]);
    expect(await store.listProjects('org_none')).toEqual([]);
    const all = (await store.listOrganizations()).map((org) => org.id);
    expect(all).toEqual(expect.arrayContaining([seeded.orgA, seeded.orgB]));
  });
}

describeWithService('DATABASE_URL', 'row-level security on Postgres', (adminUrl) => {
  rowSecurityChecks(async () => {
    const database = await createPostgresTestDatabase(adminUrl);
    const store = createPostgresMetaStore({ databaseUrl: database.url });
    return {
      store,
      raw: () => postgresSession(database.url),
      async done() {
        await store.close();
        await database.drop();
      },
    };
  });

  describe('when Tollgate connects as the database owner, not a superuser', () => {
    const suffix = randomBytes(4).toString('hex');
    const owner = `tollgate_owner_${suffix}`;
    const outsider = `tollgate_outsider_${suffix}`;
    let database: PostgresTestDatabase;
    let admin: RawSession;

    beforeAll(async () => {
      admin = await postgresSession(adminUrl);
      await admin.query(`create role ${owner} login createrole`);
      await admin.query(`create role ${outsider} login`);
      database = await createPostgresTestDatabase(adminUrl);
      const name = new URL(database.url).pathname.slice(1);
      await admin.query(`alter database "${name}" owner to ${owner}`);
    });

    afterAll(async () => {
      await database?.drop();
      await admin?.query(`drop role if exists ${owner}`);
      await admin?.query(`drop role if exists ${outsider}`);
      await admin?.close();
    });

    it('the migration grants it both roles; its own queries outside them see nothing', async () => {
      const url = withUser(database.url, owner);
      const store = createPostgresMetaStore({ databaseUrl: url });
      try {
        await store.migrate();
        const org = await store.createOrganization({ name: 'owned' });
        expect(await store.getOrganization(org.id)).toEqual(org);
        expect((await store.listOrganizations()).map((each) => each.id)).toEqual([org.id]);
        const session = await postgresSession(url);
        try {
          // FORCE ROW LEVEL SECURITY: the tables' owner obeys the policies too.
          const [count] = await session.query('select count(*)::int as n from organizations');
          expect(count!.n).toBe(0);
        } finally {
          await session.close();
        }
      } finally {
        await store.close();
      }
    });

    it('a role that may not grant tollgate_app to itself is told what to run', async () => {
      const other = await createPostgresTestDatabase(adminUrl);
      try {
        const otherName = new URL(other.url).pathname.slice(1);
        await admin.query(`alter database "${otherName}" owner to ${outsider}`);
        await admin.query(`grant create on database "${otherName}" to ${outsider}`);
        const store = createPostgresMetaStore({ databaseUrl: withUser(other.url, outsider) });
        try {
          const failure = await store.migrate().then(
            () => undefined,
            (error: unknown) => error as ErrorWithHint,
          );
          const text = [failure, failure?.cause].map((each) => `${each?.message} ${each?.hint}`);
          expect(text.join(' ')).toContain(`GRANT tollgate_app TO ${outsider};`);
        } finally {
          await store.close();
        }
      } finally {
        await other.drop();
      }
    });
  });
});

describe('row-level security on PGlite', () => {
  rowSecurityChecks(async () => {
    const directory = createTempDir('tollgate-rls-');
    // PGlite is one process's, opened once: the store and the raw session share the client.
    const { client, database } = await openPglite(join(directory.path, 'meta'));
    const store = new DrizzleMetaStore({
      kind: 'pglite',
      database,
      migrate: () => migratePglite(database, resolveMetaMigrationsFolder()),
      close: () => client.close(),
    });
    return {
      store,
      raw: async () => ({
        query: async (text, parameters) => (await client.query<Row>(text, parameters)).rows,
        close: async () => undefined,
      }),
      async done() {
        await store.close();
        directory.remove();
      },
    };
  });
});

function withUser(databaseUrl: string, user: string): string {
  const url = new URL(databaseUrl);
  url.username = user;
  url.password = '';
  return url.toString();
}

async function postgresSession(url: string): Promise<RawSession> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    query: async (text, parameters) => (await client.query<Row>(text, parameters)).rows,
    close: () => client.end(),
  };
}
