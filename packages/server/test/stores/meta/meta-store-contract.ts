import type { KeyScope, MetaStore, NewApiKey } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKeySecret } from '../../../src/auth/api-key-secret';
import { isForeignKeyViolation, isUniqueViolation } from '../../../src/stores/meta';

/** Fresh, empty storage (a directory, a database) that stores can be opened on, again and again. */
export interface MetaStoreTestStorage {
  /** A new, not yet migrated store over this storage; the contract closes it (maybe twice). */
  open(): Promise<MetaStore>;
  /** Deletes the storage; every store opened on it is closed by then. */
  remove(): Promise<void>;
}

export interface MetaStoreContractOptions {
  kind: MetaStore['kind'];
  create(): Promise<MetaStoreTestStorage>;
}

/** The behaviour every MetaStore implementation must have (STYLE.md item 13). */
export function runMetaStoreContract({ kind, create }: MetaStoreContractOptions): void {
  describe(`MetaStore contract (${kind})`, () => {
    // One migrated storage for the suite (opening PGlite takes a second or two); every
    // test makes its own organizations, so tests never see each other's projects or keys.
    let storage: MetaStoreTestStorage;
    let store: MetaStore;

    beforeAll(async () => {
      storage = await create();
      store = await storage.open();
      await store.migrate();
    });

    afterAll(async () => {
      await store?.close();
      await storage?.remove();
    });

    /** Runs `body` on storage of its own, closing what it opened and removing the storage. */
    async function withFreshStorage(
      body: (open: () => Promise<MetaStore>) => Promise<void>,
    ): Promise<void> {
      const fresh = await create();
      const opened: MetaStore[] = [];
      try {
        await body(async () => {
          const next = await fresh.open();
          opened.push(next);
          return next;
        });
      } finally {
        await Promise.allSettled(opened.map((each) => each.close()));
        await fresh.remove();
      }
    }

    function newKey(orgId: string, overrides: Partial<NewApiKey> = {}): NewApiKey {
      const { prefix, hash } = generateApiKeySecret();
      return { orgId, name: 'ci key', scopes: ['ingest'], prefix, hash, ...overrides };
    }

    it(`reports its kind and answers ping`, async () => {
      expect(store.kind).toBe(kind);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('migrates again without error, also concurrently, keeping the data', async () => {
      const organization = await store.createOrganization({ name: 'Acme' });
      await store.migrate();
      await Promise.all([store.migrate(), store.migrate(), store.migrate()]);
      expect(await store.getOrganization(organization.id)).toEqual(organization);
    });

    describe('organizations', () => {
      it('round-trips every field', async () => {
        const before = Date.now();
        const organization = await store.createOrganization({
          name: 'Acme',
          plan: 'enterprise',
          retentionDays: 730,
          chargebackRate: '1.15',
          priceOverrides: { 'gpt-4o': { provider: 'openai', input: 1, output: 2 } },
          rateLimits: { requestsPerMinute: 600 },
        });
        expect(organization).toEqual({
          id: expect.stringMatching(/^org_[0-9a-f]{32}$/),
          name: 'Acme',
          plan: 'enterprise',
          retentionDays: 730,
          chargebackRate: '1.15',
          priceOverrides: { 'gpt-4o': { provider: 'openai', input: 1, output: 2 } },
          rateLimits: { requestsPerMinute: 600, tokensPerMinute: null },
          operator: false,
          createdAt: expect.any(Date),
        });
        expect(organization.createdAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
        expect(organization.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 5_000);
        expect(await store.getOrganization(organization.id)).toEqual(organization);
      });

      it('defaults to the free plan and no retention override', async () => {
        const organization = await store.createOrganization({ name: 'Small' });
        expect(organization.plan).toBe('free');
        expect(organization.retentionDays).toBeNull();
        expect(await store.getOrganization(organization.id)).toEqual(organization);
      });

      it('returns undefined for an unknown id', async () => {
        expect(await store.getOrganization('org_missing')).toBeUndefined();
      });

      it('lists every organization in creation order', async () => {
        const first = await store.createOrganization({ name: 'First' });
        const second = await store.createOrganization({ name: 'Second', plan: 'pro' });
        const listed = await store.listOrganizations();
        expect(listed.slice(-2)).toEqual([first, second]);
        expect(new Set(listed.map((organization) => organization.id)).size).toBe(listed.length);
      });

      it('rejects a plan that does not exist', async () => {
        await expect(
          store.createOrganization({ name: 'Bad', plan: 'platinum' as 'pro' }),
        ).rejects.toThrow();
      });
    });

    describe('projects', () => {
      it('round-trips every field', async () => {
        const organization = await store.createOrganization({ name: 'Acme' });
        const project = await store.createProject({ orgId: organization.id, name: 'checkout' });
        expect(project).toEqual({
          id: expect.stringMatching(/^proj_[0-9a-f]{32}$/),
          orgId: organization.id,
          name: 'checkout',
          contentStorage: true,
          piiRedaction: false,
          contentEncryption: false,
          rateLimits: { requestsPerMinute: null, tokensPerMinute: null },
          createdAt: expect.any(Date),
        });
        expect(await store.getProject(project.id)).toEqual(project);
        expect(await store.getProject('proj_missing')).toBeUndefined();
      });

      it("lists only that org's projects", async () => {
        const acme = await store.createOrganization({ name: 'Acme' });
        const globex = await store.createOrganization({ name: 'Globex' });
        const checkout = await store.createProject({ orgId: acme.id, name: 'checkout' });
        const search = await store.createProject({ orgId: acme.id, name: 'search' });
        const other = await store.createProject({ orgId: globex.id, name: 'checkout' });
        expect(await store.listProjects(acme.id)).toEqual([checkout, search]);
        expect(await store.listProjects(globex.id)).toEqual([other]);
        expect(await store.listProjects('org_missing')).toEqual([]);
      });

      it('keeps project names unique within an org', async () => {
        const organization = await store.createOrganization({ name: 'Acme' });
        await store.createProject({ orgId: organization.id, name: 'checkout' });
        const duplicate = store.createProject({ orgId: organization.id, name: 'checkout' });
        await expect(duplicate).rejects.toSatisfy(isUniqueViolation);
        expect(await store.listProjects(organization.id)).toHaveLength(1);
      });

      it('needs an existing org', async () => {
        const orphan = store.createProject({ orgId: 'org_missing', name: 'lost' });
        await expect(orphan).rejects.toSatisfy(isForeignKeyViolation);
      });
    });

    describe('tenant administration', () => {
      it('updates an organization, keeping what the change leaves out', async () => {
        const organization = await store.createOrganization({ name: 'Acme', plan: 'pro' });
        const updated = await store.updateOrganization(organization.id, {
          plan: 'enterprise',
          retentionDays: 400,
          chargebackRate: '1.2',
          rateLimits: { tokensPerMinute: 10_000 },
        });
        expect(updated).toEqual({
          ...organization,
          plan: 'enterprise',
          retentionDays: 400,
          chargebackRate: '1.2',
          rateLimits: { requestsPerMinute: null, tokensPerMinute: 10_000 },
        });
        const cleared = await store.updateOrganization(organization.id, {
          retentionDays: null,
          rateLimits: { tokensPerMinute: null },
        });
        expect(cleared).toMatchObject({
          retentionDays: null,
          rateLimits: { tokensPerMinute: null },
        });
        expect(await store.updateOrganization(organization.id, {})).toEqual(cleared);
        expect(await store.updateOrganization('org_missing', { name: 'x' })).toBeUndefined();
      });

      it('deletes an organization with its projects and keys', async () => {
        const organization = await store.createOrganization({ name: 'Doomed' });
        const project = await store.createProject({ orgId: organization.id, name: 'p' });
        const key = await store.createApiKey(newKey(organization.id, { projectId: project.id }));
        expect(await store.deleteOrganization(organization.id)).toBe(true);
        expect(await store.deleteOrganization(organization.id)).toBe(false);
        expect(await store.getProject(project.id)).toBeUndefined();
        expect(await store.getApiKey(organization.id, key.id)).toBeUndefined();
      });

      it('updates and deletes a project only within its org', async () => {
        const acme = await store.createOrganization({ name: 'Acme' });
        const globex = await store.createOrganization({ name: 'Globex' });
        const project = await store.createProject({
          orgId: acme.id,
          name: 'p',
          piiRedaction: true,
        });
        expect(project.piiRedaction).toBe(true);
        expect(
          await store.updateProject(globex.id, project.id, { name: 'stolen' }),
        ).toBeUndefined();
        expect(await store.deleteProject(globex.id, project.id)).toBe(false);
        const updated = await store.updateProject(acme.id, project.id, {
          contentStorage: false,
          contentEncryption: true,
          rateLimits: { requestsPerMinute: 5 },
        });
        expect(updated).toEqual({
          ...project,
          contentStorage: false,
          contentEncryption: true,
          rateLimits: { requestsPerMinute: 5, tokensPerMinute: null },
        });
        const key = await store.createApiKey(newKey(acme.id, { projectId: project.id }));
        expect(await store.deleteProject(acme.id, project.id)).toBe(true);
        expect(await store.getProject(project.id)).toBeUndefined();
        expect(await store.getApiKey(acme.id, key.id)).toBeUndefined();
      });

      it('keeps one content key per org, listed only to its org, re-wrapped all at once', async () => {
        const acme = await store.createOrganization({ name: 'Acme' });
        const globex = await store.createOrganization({ name: 'Globex' });
        const first = await store.createContentKey({
          id: `ck-a-${acme.id}`,
          orgId: acme.id,
          wrappedKey: 'v1:first',
          masterKeyId: 'm1',
        });
        const second = await store.createContentKey({
          id: `ck-b-${acme.id}`,
          orgId: acme.id,
          wrappedKey: 'v1:second',
          masterKeyId: 'm1',
        });
        expect(second).toEqual(first);
        expect(await store.listContentKeys(acme.id)).toEqual([first]);
        expect(await store.listContentKeys(globex.id)).toEqual([]);
        await store.rewrapSecrets({
          contentKeys: [{ id: first.id, orgId: acme.id, wrappedKey: 'v1:new', masterKeyId: 'm2' }],
          credentials: [],
        });
        const all = await store.listAllSecrets();
        expect(all.contentKeys.find((key) => key.id === first.id)).toMatchObject({
          wrappedKey: 'v1:new',
          masterKeyId: 'm2',
        });
      });

      it('gets a key only within its org', async () => {
        const acme = await store.createOrganization({ name: 'Acme' });
        const globex = await store.createOrganization({ name: 'Globex' });
        const key = await store.createApiKey(
          newKey(acme.id, { rateLimits: { requestsPerMinute: 7 } }),
        );
        expect(key.rateLimits).toEqual({ requestsPerMinute: 7, tokensPerMinute: null });
        expect(await store.getApiKey(acme.id, key.id)).toEqual(key);
        expect(await store.getApiKey(globex.id, key.id)).toBeUndefined();
      });

      it('appends audit entries and lists them newest first, per org', async () => {
        const acme = await store.createOrganization({ name: 'Acme' });
        const globex = await store.createOrganization({ name: 'Globex' });
        const first = await store.appendAuditEntry({
          orgId: acme.id,
          actorKeyId: 'key_a',
          actorOrgId: acme.id,
          action: 'project.created',
          targetType: 'project',
          targetId: 'proj_1',
          before: null,
          after: { name: 'p', nested: { list: [1, 2] } },
        });
        expect(first).toEqual({
          id: expect.stringMatching(/^audit_/),
          orgId: acme.id,
          actorKeyId: 'key_a',
          actorOrgId: acme.id,
          action: 'project.created',
          targetType: 'project',
          targetId: 'proj_1',
          before: null,
          after: { name: 'p', nested: { list: [1, 2] } },
          createdAt: expect.any(Date),
        });
        const second = await store.appendAuditEntry({
          ...first,
          action: 'project.updated',
          before: { name: 'p' },
          after: { name: 'q' },
        });
        // Made by acme's admin in globex: acme sees it as the actor, globex as the target.
        const third = await store.appendAuditEntry({ ...first, orgId: globex.id });
        expect(await store.listAuditEntries(acme.id)).toEqual([third, second, first]);
        expect(await store.listAuditEntries(globex.id)).toEqual([third]);
        expect(await store.listAuditEntries(acme.id, { limit: 1 })).toEqual([third]);
        expect(await store.listAuditEntries('org_missing')).toEqual([]);
      });
    });

    describe('API keys', () => {
      it('round-trips every field of a project key', async () => {
        const organization = await store.createOrganization({ name: 'Acme' });
        const project = await store.createProject({ orgId: organization.id, name: 'checkout' });
        const expiresAt = new Date('2031-02-03T04:05:06.789Z');
        const scopes: KeyScope[] = ['gateway', 'ingest', 'read'];
        const input = newKey(organization.id, { projectId: project.id, scopes, expiresAt });
        const apiKey = await store.createApiKey(input);
        expect(apiKey).toEqual({
          id: expect.stringMatching(/^key_[0-9a-f]{32}$/),
          orgId: organization.id,
          projectId: project.id,
          name: 'ci key',
          prefix: input.prefix,
          scopes,
          expiresAt,
          revokedAt: null,
          rateLimits: { requestsPerMinute: null, tokensPerMinute: null },
          createdAt: expect.any(Date),
        });
        expect(apiKey).not.toHaveProperty('hash');
        expect(await store.findApiKeyByHash(input.hash)).toEqual(apiKey);
      });

      it('round-trips an org-wide admin key without expiry', async () => {
        const organization = await store.createOrganization({ name: 'Acme' });
        const input = newKey(organization.id, { scopes: ['admin'] });
        const apiKey = await store.createApiKey(input);
        expect(apiKey).toMatchObject({ projectId: null, scopes: ['admin'], expiresAt: null });
        expect(await store.findApiKeyByHash(input.hash)).toEqual(apiKey);
        expect(await store.findApiKeyByHash('0'.repeat(64))).toBeUndefined();
      });

      it("lists only that org's keys", async () => {
        const acme = await store.createOrganization({ name: 'Acme' });
        const globex = await store.createOrganization({ name: 'Globex' });
        const first = await store.createApiKey(newKey(acme.id));
        const second = await store.createApiKey(newKey(acme.id, { scopes: ['admin'] }));
        const other = await store.createApiKey(newKey(globex.id));
        expect(await store.listApiKeys(acme.id)).toEqual([first, second]);
        expect(await store.listApiKeys(globex.id)).toEqual([other]);
        expect(await store.listApiKeys('org_missing')).toEqual([]);
      });

      it('enforces a unique hash', async () => {
        const acme = await store.createOrganization({ name: 'Acme' });
        const globex = await store.createOrganization({ name: 'Globex' });
        const input = newKey(acme.id);
        await store.createApiKey(input);
        const duplicate = store.createApiKey(newKey(globex.id, { hash: input.hash }));
        await expect(duplicate).rejects.toSatisfy(isUniqueViolation);
        expect(await store.listApiKeys(globex.id)).toEqual([]);
      });

      it("refuses a key for another org's project", async () => {
        const acme = await store.createOrganization({ name: 'Acme' });
        const globex = await store.createOrganization({ name: 'Globex' });
        const globexProject = await store.createProject({ orgId: globex.id, name: 'search' });
        const crossed = store.createApiKey(newKey(acme.id, { projectId: globexProject.id }));
        await expect(crossed).rejects.toSatisfy(isForeignKeyViolation);
      });

      it('refuses an unknown scope', async () => {
        const acme = await store.createOrganization({ name: 'Acme' });
        const bad = store.createApiKey(newKey(acme.id, { scopes: ['root' as KeyScope] }));
        await expect(bad).rejects.toThrow();
      });

      it('revokes a key of its org, keeping the first revocation time', async () => {
        const organization = await store.createOrganization({ name: 'Acme' });
        const input = newKey(organization.id);
        const apiKey = await store.createApiKey(input);
        expect(await store.revokeApiKey(organization.id, apiKey.id)).toBe(true);
        const revoked = await store.findApiKeyByHash(input.hash);
        expect(revoked).toEqual({ ...apiKey, revokedAt: expect.any(Date) });
        expect(revoked?.revokedAt?.getTime()).toBeGreaterThanOrEqual(apiKey.createdAt.getTime());
        expect(await store.revokeApiKey(organization.id, apiKey.id)).toBe(true);
        expect(await store.findApiKeyByHash(input.hash)).toEqual(revoked);
        expect(await store.listApiKeys(organization.id)).toEqual([revoked]);
      });

      it('does nothing when revoking with the wrong org or an unknown id', async () => {
        const acme = await store.createOrganization({ name: 'Acme' });
        const globex = await store.createOrganization({ name: 'Globex' });
        const input = newKey(acme.id);
        const apiKey = await store.createApiKey(input);
        expect(await store.revokeApiKey(globex.id, apiKey.id)).toBe(false);
        expect(await store.revokeApiKey(acme.id, 'key_missing')).toBe(false);
        expect(await store.findApiKeyByHash(input.hash)).toEqual(apiKey);
      });

      it('finds expired keys too (the caller decides)', async () => {
        const organization = await store.createOrganization({ name: 'Acme' });
        const expiresAt = new Date(Date.now() - 60_000);
        const input = newKey(organization.id, { expiresAt });
        const apiKey = await store.createApiKey(input);
        expect(await store.findApiKeyByHash(input.hash)).toEqual({ ...apiKey, expiresAt });
      });
    });

    describe('gateway routes and provider credentials', () => {
      it('creates, replaces, lists and deletes routes per organization', async () => {
        const first = await store.createOrganization({ name: 'routes-a' });
        const second = await store.createOrganization({ name: 'routes-b' });
        await store.putGatewayRoute(first.id, 'chat', { deployments: [{ id: 'one' }] });
        const replaced = await store.putGatewayRoute(first.id, 'chat', {
          deployments: [{ id: 'two' }],
        });
        expect(replaced.config).toEqual({ deployments: [{ id: 'two' }] });
        await store.putGatewayRoute(second.id, 'chat', { deployments: [{ id: 'other' }] });
        const routes = await store.listGatewayRoutes(first.id);
        expect(routes.map((route) => [route.model, route.config])).toEqual([
          ['chat', { deployments: [{ id: 'two' }] }],
        ]);
        expect(await store.deleteGatewayRoute(second.id, 'missing')).toBe(false);
        expect(await store.deleteGatewayRoute(first.id, 'chat')).toBe(true);
        expect(await store.listGatewayRoutes(first.id)).toEqual([]);
        expect(await store.listGatewayRoutes(second.id)).toHaveLength(1);
      });

      it('keeps credential ciphertext out of listings and scoped to the org', async () => {
        const first = await store.createOrganization({ name: 'credentials-a' });
        const second = await store.createOrganization({ name: 'credentials-b' });
        const credential = await store.putProviderCredential({
          orgId: first.id,
          name: 'openai-prod',
          provider: 'openai',
          ciphertext: 'v1:abc',
        });
        expect(credential.id).toMatch(/^cred_/);
        expect(await store.listProviderCredentials(first.id)).toEqual([credential]);
        expect(JSON.stringify(await store.listProviderCredentials(first.id))).not.toContain(
          'v1:abc',
        );
        expect(await store.getProviderCredentialCiphertext(first.id, 'openai-prod')).toEqual({
          provider: 'openai',
          ciphertext: 'v1:abc',
        });
        expect(
          await store.getProviderCredentialCiphertext(second.id, 'openai-prod'),
        ).toBeUndefined();
        expect(await store.deleteProviderCredential(second.id, 'openai-prod')).toBe(false);
        expect(await store.deleteProviderCredential(first.id, 'openai-prod')).toBe(true);
      });
    });

    describe('budgets', () => {
      it('stores exact amounts, scoped to the org, one per scope and period', async () => {
        const first = await store.createOrganization({ name: 'budgets-a' });
        const second = await store.createOrganization({ name: 'budgets-b' });
        const budget = await store.createBudget({
          orgId: first.id,
          scope: 'user',
          scopeId: 'alice',
          period: 'month',
          amountNanos: 999_999_999_999_999n,
        });
        expect(budget).toMatchObject({
          id: expect.stringMatching(/^bdg_/),
          amountNanos: 999_999_999_999_999n,
          softThreshold: 0.8,
          webhookUrl: null,
        });
        expect(await store.getBudget(first.id, budget.id)).toEqual(budget);
        expect(await store.getBudget(second.id, budget.id)).toBeUndefined();
        expect(await store.listBudgets(second.id)).toEqual([]);
        const duplicate = await store.createBudget({ ...budget, amountNanos: 1n }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(isUniqueViolation(duplicate)).toBe(true);
        const daily = await store.createBudget({
          orgId: first.id,
          scope: 'user',
          scopeId: 'alice',
          period: 'day',
          amountNanos: 5n,
          softThreshold: 0.5,
          webhookUrl: 'https://hooks.example.test/a',
        });
        expect((await store.listBudgets(first.id)).map((each) => each.id)).toEqual([
          budget.id,
          daily.id,
        ]);
        expect((await store.listAllBudgets()).map((each) => each.id)).toEqual(
          expect.arrayContaining([budget.id, daily.id]),
        );

        expect(await store.updateBudget(second.id, budget.id, { amountNanos: 1n })).toBeUndefined();
        const updated = await store.updateBudget(first.id, budget.id, {
          amountNanos: 7n,
          softThreshold: 1,
        });
        expect(updated).toMatchObject({ amountNanos: 7n, softThreshold: 1, period: 'month' });
        expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(budget.updatedAt.getTime());
        const invalid = await store.updateBudget(first.id, budget.id, { softThreshold: 0 }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(invalid).toBeInstanceOf(Error);

        expect(await store.deleteBudget(second.id, budget.id)).toBe(false);
        expect(await store.deleteBudget(first.id, budget.id)).toBe(true);
        expect(await store.getBudget(first.id, budget.id)).toBeUndefined();
        await store.deleteOrganization(first.id);
        expect(await store.listBudgets(first.id)).toEqual([]);
      });
    });

    it('starts empty, and keeps its data after close and reopen', async () => {
      await withFreshStorage(async (open) => {
        const first = await open();
        await first.migrate();
        expect(await first.listOrganizations()).toEqual([]);
        const organization = await first.createOrganization({ name: 'Acme', plan: 'team' });
        const project = await first.createProject({ orgId: organization.id, name: 'checkout' });
        const input = newKey(organization.id, { projectId: project.id });
        const apiKey = await first.createApiKey(input);
        await first.close();

        const reopened = await open();
        await reopened.migrate();
        expect(await reopened.listOrganizations()).toEqual([organization]);
        expect(await reopened.listProjects(organization.id)).toEqual([project]);
        expect(await reopened.findApiKeyByHash(input.hash)).toEqual(apiKey);
      });
    });

    it('migrates fresh storage from concurrent calls', async () => {
      await withFreshStorage(async (open) => {
        const fresh = await open();
        await Promise.all([fresh.migrate(), fresh.migrate(), fresh.migrate()]);
        const organization = await fresh.createOrganization({ name: 'Acme' });
        expect(await fresh.listOrganizations()).toEqual([organization]);
      });
    });
  });
}
