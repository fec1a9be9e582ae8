import type { FeatureFlag } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { evaluateFlag } from './feature-flags';

const flag = (overrides: FeatureFlag['overrides'], defaultEnabled = false): FeatureFlag => ({
  orgId: 'org_1',
  name: 'new_checkout',
  description: null,
  defaultEnabled,
  overrides,
  updatedAt: new Date(0),
});

describe('evaluateFlag', () => {
  it('uses the default when no override matches', () => {
    expect(evaluateFlag(flag([], true), { projectId: 'p1', userId: 'u1' })).toBe(true);
    expect(
      evaluateFlag(flag([{ projectId: 'p2', userId: null, enabled: true }]), { projectId: 'p1' }),
    ).toBe(false);
  });

  it('prefers user in project over user over project over default', () => {
    const overrides = [
      { projectId: 'p1', userId: null, enabled: true },
      { projectId: null, userId: 'u1', enabled: false },
      { projectId: 'p1', userId: 'u2', enabled: false },
      { projectId: 'p1', userId: 'u1', enabled: true },
    ];
    const evaluate = (projectId: string, userId?: string) =>
      evaluateFlag(flag(overrides), { projectId, userId });
    expect(evaluate('p1')).toBe(true); // project override
    expect(evaluate('p1', 'u3')).toBe(true); // project override, no user match
    expect(evaluate('p1', 'u2')).toBe(false); // user in project
    expect(evaluate('p1', 'u1')).toBe(true); // user in project beats user anywhere
    expect(evaluate('p9', 'u1')).toBe(false); // user anywhere beats default
    expect(evaluate('p9')).toBe(false); // default
  });
});
