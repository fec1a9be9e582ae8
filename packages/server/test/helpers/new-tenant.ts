import type { EventTenant, MetaStore } from '@tollgate/core';
import { issueApiKey } from '../../src/auth/issue-api-key';

export interface TestTenant extends EventTenant {
  /** An org admin key (`admin`, `read`). */
  adminKey: string;
  /** A key of the org's one project (`ingest`, `read`, `gateway`). */
  projectKey: string;
}

/** A new org with one project, an org admin key and a project key. */
export async function newTenant(
  meta: MetaStore,
  name: string,
  retentionDays = 90,
): Promise<TestTenant> {
  const org = await meta.createOrganization({ name });
  const project = await meta.createProject({ orgId: org.id, name: 'app' });
  const admin = await issueApiKey(meta, {
    orgId: org.id,
    name: 'admin',
    scopes: ['admin', 'read'],
  });
  const key = await issueApiKey(meta, {
    orgId: org.id,
    projectId: project.id,
    name: 'app',
    scopes: ['ingest', 'read', 'gateway'],
  });
  return {
    orgId: org.id,
    projectId: project.id,
    retentionDays,
    adminKey: admin.secret,
    projectKey: key.secret,
  };
}
