import type { KeyScope } from '@tollgate/core';
import { issueApiKey } from '../auth/issue-api-key';
import type { Configuration } from '../config';
import { closeStores, openStores } from '../stores/open-stores';

export async function keysCreateCommand(
  configuration: Configuration,
  options: { project: string; scopes: KeyScope[]; name: string; expiresInDays?: number },
): Promise<void> {
  const stores = await openStores(configuration);
  try {
    const project = await stores.meta.getProject(options.project);
    if (!project) {
      console.error(`tollgate: project ${options.project} not found`);
      process.exitCode = 1;
      return;
    }
    const { key, secret } = await issueApiKey(stores.meta, {
      orgId: project.orgId,
      projectId: project.id,
      name: options.name,
      scopes: options.scopes,
      expiresAt: options.expiresInDays
        ? new Date(Date.now() + options.expiresInDays * 86_400_000)
        : null,
    });
    console.log(
      `key ${key.id} (${key.scopes.join(', ')}) for project ${project.id}; shown only once:`,
    );
    console.log(secret);
  } finally {
    await closeStores(stores);
  }
}
