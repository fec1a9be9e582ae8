import type { MetaStore, NewPromptVersion, PromptScope } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetaStoreContractOptions } from './meta-store-contract';

const version = (
  template: string,
  overrides: Partial<NewPromptVersion> = {},
): NewPromptVersion => ({
  template,
  system: null,
  model: null,
  temperature: null,
  maxTokens: null,
  createdBy: null,
  ...overrides,
});

/** Prompts in the meta store, the same on every implementation (STYLE.md item 13). */
export function runPromptStoreContract({ kind, create }: MetaStoreContractOptions): void {
  describe(`prompt store contract (${kind})`, () => {
    let remove: () => Promise<void>;
    let store: MetaStore;
    let scope: PromptScope;
    let otherProject: PromptScope;
    let otherOrg: PromptScope;

    beforeAll(async () => {
      const storage = await create();
      remove = () => storage.remove();
      store = await storage.open();
      await store.migrate();
      const org = await store.createOrganization({ name: 'acme' });
      const second = await store.createOrganization({ name: 'globex' });
      const project = await store.createProject({ orgId: org.id, name: 'app' });
      const sibling = await store.createProject({ orgId: org.id, name: 'other' });
      const foreign = await store.createProject({ orgId: second.id, name: 'app' });
      scope = { orgId: org.id, projectId: project.id };
      otherProject = { orgId: org.id, projectId: sibling.id };
      otherOrg = { orgId: second.id, projectId: foreign.id };
    });

    afterAll(async () => {
      await store?.close();
      await remove?.();
    });

    it('creates a prompt with version 1 active, keeping every field as written', async () => {
      const prompt = await store.createPrompt(
        scope,
        'summarize',
        version('Sum up {{text}}', {
          system: 'Be brief',
          model: 'gpt-4o-mini',
          temperature: 0.3,
          maxTokens: 200,
          createdBy: 'key_1',
        }),
      );
      expect(prompt).toMatchObject({ name: 'summarize', ...scope });
      expect(prompt!.versions).toEqual([
        {
          version: 1,
          template: 'Sum up {{text}}',
          system: 'Be brief',
          model: 'gpt-4o-mini',
          temperature: 0.3,
          maxTokens: 200,
          createdBy: 'key_1',
          createdAt: expect.any(Date),
          weight: 1,
        },
      ]);
      expect(await store.getPrompt(scope, 'summarize')).toEqual(prompt);
    });

    it('refuses a second prompt of the same name in a project, not in another project', async () => {
      expect(await store.createPrompt(scope, 'summarize', version('again'))).toBeUndefined();
      const elsewhere = await store.createPrompt(otherProject, 'summarize', version('mine'));
      expect(elsewhere!.versions.map((each) => each.template)).toEqual(['mine']);
    });

    it('numbers new versions in order, inactive, even when written at once', async () => {
      const second = await store.addPromptVersion(scope, 'summarize', version('v2'));
      expect(second).toMatchObject({ version: 2, template: 'v2', weight: null });
      const together = await Promise.all(
        Array.from({ length: 5 }, (_, index) =>
          store.addPromptVersion(scope, 'summarize', version(`batch ${index}`)),
        ),
      );
      expect(together.map((each) => each!.version).sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7]);
      const prompt = await store.getPrompt(scope, 'summarize');
      expect(prompt!.versions.map((each) => each.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it('finds no prompt of another project or org to add a version to', async () => {
      expect(await store.addPromptVersion(scope, 'absent', version('x'))).toBeUndefined();
      expect(await store.addPromptVersion(otherOrg, 'summarize', version('x'))).toBeUndefined();
    });

    it('makes exactly the given versions active', async () => {
      const split = await store.setPromptWeights(scope, 'summarize', [
        { version: 2, weight: 0.7 },
        { version: 3, weight: 0.3 },
      ]);
      expect(split!.versions.map((each) => each.weight)).toEqual([
        null,
        0.7,
        0.3,
        null,
        null,
        null,
        null,
      ]);
      const single = await store.setPromptWeights(scope, 'summarize', [{ version: 1, weight: 1 }]);
      expect(single!.versions.filter((each) => each.weight !== null)).toMatchObject([
        { version: 1, weight: 1 },
      ]);
      expect(await store.setPromptWeights(otherOrg, 'summarize', [])).toBeUndefined();
    });

    it('lists only the caller’s project’s prompts', async () => {
      expect((await store.listPrompts(scope)).map((each) => each.name)).toEqual(['summarize']);
      expect(await store.listPrompts(otherOrg)).toEqual([]);
      expect(await store.getPrompt(otherOrg, 'summarize')).toBeUndefined();
    });
  });
}
