import type { FeatureFlag, MetaStore } from '@tollgate/core';
import { localCache } from '../../stores/hot/local-cache';

/** Who a flag is asked for: a project (workspace) and, optionally, one of the app's users. */
export interface FlagContext {
  projectId?: string | null;
  userId?: string | null;
}

/**
 * The gateway's own optional features, each a flag with its default when the
 * org has not defined it: the response cache, guardrail checks, and PII
 * redaction of what is sent upstream (off unless a project asks for it).
 */
export const GATEWAY_FLAGS = {
  cache: true,
  guardrails: true,
  pii_redaction_upstream: false,
} as const satisfies Record<string, boolean>;

export type GatewayFlag = keyof typeof GATEWAY_FLAGS;

/** How long an org's flags are reused before the meta store is asked again (changes made here apply at once). */
const FLAG_CACHE_MS = 5_000;

/**
 * A flag's value for a context. The most specific override wins: a user in
 * this project, then the user in any project, then the project, then the
 * flag's default.
 */
export function evaluateFlag(flag: FeatureFlag, context: FlagContext): boolean {
  const { projectId = null, userId = null } = context;
  const matches = (override: FeatureFlag['overrides'][number]) =>
    (override.projectId === null || override.projectId === projectId) &&
    (override.userId === null || override.userId === userId);
  const specificity = (override: FeatureFlag['overrides'][number]) =>
    (override.userId !== null ? 2 : 0) + (override.projectId !== null ? 1 : 0);
  let best: FeatureFlag['overrides'][number] | undefined;
  for (const override of flag.overrides) {
    if (matches(override) && (!best || specificity(override) > specificity(best))) best = override;
  }
  return best ? best.enabled : flag.defaultEnabled;
}

/** Feature flags of each org, read from the meta store and reused for a few seconds. */
export class FeatureFlags {
  private readonly cached = localCache<string, Map<string, FeatureFlag>>({
    max: 10_000,
    ttlMs: FLAG_CACHE_MS,
  });

  constructor(private readonly meta: MetaStore) {}

  /** The org's flags by name. */
  async flagsOf(orgId: string): Promise<Map<string, FeatureFlag>> {
    const cached = this.cached.get(orgId);
    if (cached) return cached;
    const flags = new Map((await this.meta.listFlags(orgId)).map((flag) => [flag.name, flag]));
    this.cached.set(orgId, flags);
    return flags;
  }

  /**
   * Whether `name` is on for the context; a flag the org has not defined is
   * the gateway's default for its own flags and off otherwise.
   */
  async isEnabled(orgId: string, name: string, context: FlagContext = {}): Promise<boolean> {
    const flag = (await this.flagsOf(orgId)).get(name);
    if (flag) return evaluateFlag(flag, context);
    return Object.hasOwn(GATEWAY_FLAGS, name)
      ? (GATEWAY_FLAGS as Record<string, boolean>)[name]!
      : false;
  }

  /** Forgets the org's flags after a change, so this process applies it on the next call. */
  invalidate(orgId: string): void {
    this.cached.delete(orgId);
  }
}
