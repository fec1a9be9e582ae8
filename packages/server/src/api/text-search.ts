import type { MetaStore, TenantScope } from '@tollgate/core';
import { ApiError } from '../http/errors';

/**
 * The free text (`q`) a read may search for. Search runs in the store over
 * prompts and responses, which a project with `content_encryption` keeps
 * sealed: searching there would silently miss every one of its events, so a
 * read that covers such a project is refused and told what still works.
 */
export async function searchableText(
  meta: MetaStore,
  scope: TenantScope,
  text: string | undefined,
): Promise<string | undefined> {
  if (text === undefined) return undefined;
  const projects = scope.projectId
    ? [await meta.getProject(scope.projectId)]
    : await meta.listProjects(scope.orgId);
  const encrypted = projects.filter((project) => project?.contentEncryption);
  if (encrypted.length > 0) {
    throw new ApiError(
      'invalid_request',
      `q: text search is not available: project ${encrypted
        .map((project) => project!.name)
        .join(', ')} stores its prompts and responses encrypted (content_encryption); ` +
        'filter by user, session, run name or model instead, or read one project that does not encrypt',
      { field: 'q' },
    );
  }
  return text;
}
