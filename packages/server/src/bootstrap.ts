import type { MetaStore } from '@tollgate/core';
import { issueApiKey } from './auth/issue-api-key';

export interface BootstrapResult {
  orgId: string;
  projectId: string;
  adminKey: string;
  projectKey: string;
}

/**
 * On first start (no organization yet) creates a default org and project with
 * an admin key and a project key. Returns the secrets, shown once; undefined
 * when the meta store already holds an organization.
 */
export async function bootstrapDefaultTenant(
  meta: MetaStore,
): Promise<BootstrapResult | undefined> {
  const existing = await meta.listOrganizations();
  if (existing.length > 0) return undefined;
  const organization = await meta.createOrganization({
    name: 'default',
    plan: 'free',
    operator: true,
  });
  const project = await meta.createProject({ orgId: organization.id, name: 'default' });
  const admin = await issueApiKey(meta, {
    orgId: organization.id,
    name: 'default admin key',
    scopes: ['admin', 'read', 'ingest', 'gateway'],
  });
  const projectKey = await issueApiKey(meta, {
    orgId: organization.id,
    projectId: project.id,
    name: 'default project key',
    scopes: ['gateway', 'ingest', 'read'],
  });
  return {
    orgId: organization.id,
    projectId: project.id,
    adminKey: admin.secret,
    projectKey: projectKey.secret,
  };
}
