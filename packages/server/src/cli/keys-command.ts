import type { KeyScope } from '@tollgate/core';
import { issueApiKey } from '../auth/issue-api-key';
import type { Configuration } from '../config';
import { closeStores, openStores } from '../stores/open-stores';
import { callServer, runningServer, type RemoteOptions } from './running-server';

export interface KeysCreateOptions extends RemoteOptions {
  project: string;
  scopes: KeyScope[];
  name: string;
  expiresInDays?: number;
}

interface CreatedKey {
  id: string;
  scopes: readonly string[];
  secret: string;
}

/**
 * The key, created through the running server's admin API (the admin key of
 * the project's org: an org admin writes only in its own org; its refusals
 * come back as errors) or in the stores directly; undefined when the project
 * does not exist.
 */
async function createKey(
  configuration: Configuration,
  options: KeysCreateOptions,
): Promise<CreatedKey | undefined> {
  const expiresAt = options.expiresInDays
    ? new Date(Date.now() + options.expiresInDays * 86_400_000)
    : null;
  const server = runningServer(configuration.dataDir, options);
  if (server) {
    const response = await callServer(server, 'POST', '/api/v1/admin/keys', {
      name: options.name,
      scopes: options.scopes,
      project_id: options.project,
      expires_at: expiresAt?.toISOString() ?? null,
    });
    return (await response.json()) as CreatedKey;
  }
  const stores = await openStores(configuration);
  try {
    const project = await stores.meta.getProject(options.project);
    if (!project) return undefined;
    const { key, secret } = await issueApiKey(stores.meta, {
      orgId: project.orgId,
      projectId: project.id,
      name: options.name,
      scopes: options.scopes,
      expiresAt,
    });
    return { id: key.id, scopes: key.scopes, secret };
  } finally {
    await closeStores(stores);
  }
}

/** `tollgate keys create --project P`: a project key, its secret printed once. */
export async function keysCreateCommand(
  configuration: Configuration,
  options: KeysCreateOptions,
): Promise<void> {
  const created = await createKey(configuration, options);
  if (!created) {
    console.error(`tollgate: project ${options.project} not found`);
    process.exitCode = 1;
    return;
  }
  console.log(
    `key ${created.id} (${created.scopes.join(', ')}) for project ${options.project}; shown only once:`,
  );
  console.log(created.secret);
}
