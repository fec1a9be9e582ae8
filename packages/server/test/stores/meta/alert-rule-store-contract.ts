import type { MetaStore } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../../src/stores/meta';
import type { MetaStoreContractOptions } from './meta-store-contract';

const definition = { kind: 'cost', per: 'hour', thresholdUsd: 5, webhook: { url: 'http://x/h' } };

/** Alert rules in the meta store, the same on every implementation (STYLE.md item 13). */
export function runAlertRuleStoreContract({ kind, create }: MetaStoreContractOptions): void {
  describe(`alert rule store contract (${kind})`, () => {
    let remove: () => Promise<void>;
    let store: MetaStore;
    let orgId: string;
    let otherOrgId: string;

    beforeAll(async () => {
      const storage = await create();
      remove = () => storage.remove();
      store = await storage.open();
      await store.migrate();
      orgId = (await store.createOrganization({ name: 'acme' })).id;
      otherOrgId = (await store.createOrganization({ name: 'globex' })).id;
    });

    afterAll(async () => {
      await store?.close();
      await remove?.();
    });

    it('creates, reads, changes and deletes a rule within its org only', async () => {
      const rule = await store.createAlertRule({ orgId, name: 'spend', definition });
      expect(rule).toMatchObject({ orgId, name: 'spend', definition, enabled: true });
      expect(rule.id).toMatch(/^alr_[0-9a-f]{32}$/);
      expect(await store.getAlertRule(orgId, rule.id)).toEqual(rule);
      expect(await store.getAlertRule(otherOrgId, rule.id)).toBeUndefined();
      expect(await store.updateAlertRule(otherOrgId, rule.id, { enabled: false })).toBeUndefined();
      expect(await store.deleteAlertRule(otherOrgId, rule.id)).toBe(false);

      const changed = await store.updateAlertRule(orgId, rule.id, { enabled: false });
      expect(changed).toMatchObject({ name: 'spend', definition, enabled: false });
      expect(changed!.updatedAt.getTime()).toBeGreaterThanOrEqual(rule.updatedAt.getTime());
      expect(await store.deleteAlertRule(orgId, rule.id)).toBe(true);
      expect(await store.listAlertRules(orgId)).toEqual([]);
    });

    it('keeps names unique per org and lists the enabled rules of every org', async () => {
      const first = await store.createAlertRule({ orgId, name: 'errors', definition });
      const off = await store.createAlertRule({ orgId, name: 'off', definition, enabled: false });
      const other = await store.createAlertRule({ orgId: otherOrgId, name: 'errors', definition });
      const error = await store
        .createAlertRule({ orgId, name: 'errors', definition })
        .catch((caught: unknown) => caught);
      expect(isUniqueViolation(error)).toBe(true);

      expect((await store.listAlertRules(orgId)).map((rule) => rule.id)).toEqual([
        first.id,
        off.id,
      ]);
      const enabled = (await store.listEnabledAlertRules()).map((rule) => rule.id);
      expect(enabled).toEqual(expect.arrayContaining([first.id, other.id]));
      expect(enabled).not.toContain(off.id);
    });

    it('deletes an org’s rules with the org', async () => {
      const doomed = await store.createOrganization({ name: 'initech' });
      await store.createAlertRule({ orgId: doomed.id, name: 'r', definition });
      await store.deleteOrganization(doomed.id);
      expect(await store.listAlertRules(doomed.id)).toEqual([]);
    });
  });
}
