import type { ApiKey, KeyScope, MetaStore, RateLimitSettings } from '@tollgate/core';
import { generateApiKeySecret } from './api-key-secret';

export interface IssueApiKeyInput {
  orgId: string;
  projectId?: string | null;
  name: string;
  scopes: KeyScope[];
  expiresAt?: Date | null;
  rateLimits?: Partial<RateLimitSettings>;
}

/** Creates a key: only its hash and prefix are stored; the secret is returned this once. */
export async function issueApiKey(
  meta: MetaStore,
  input: IssueApiKeyInput,
): Promise<{ key: ApiKey; secret: string }> {
  const { secret, prefix, hash } = generateApiKeySecret();
  const key = await meta.createApiKey({ ...input, hash, prefix });
  return { key, secret };
}
