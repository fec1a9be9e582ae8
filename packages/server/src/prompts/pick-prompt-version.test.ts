import type { PromptVersion } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { pickPromptVersion, stickyPoint } from './pick-prompt-version';

function version(number: number, weight: number | null): PromptVersion {
  return {
    version: number,
    template: `v${number}`,
    system: null,
    model: null,
    temperature: null,
    maxTokens: null,
    createdBy: null,
    createdAt: new Date(0),
    weight,
  };
}

const USERS = 10_000;
/**
 * The tolerance of a version's share: 4 binomial standard deviations,
 * sqrt(n p (1 - p)) / n. For p = 0.5 over 10,000 users that is 4 x 0.005 =
 * 0.02. The sticky picks are deterministic (the ids are fixed), so this can
 * only fail if the hashing is biased; the random picks exceed it with a
 * chance of about 6e-5 per version.
 */
function tolerance(share: number, draws: number): number {
  return (4 * Math.sqrt(draws * share * (1 - share))) / draws;
}

function shares(picks: number[], versions: number[]): Map<number, number> {
  const counts = new Map(versions.map((each) => [each, 0]));
  for (const pick of picks) counts.set(pick, (counts.get(pick) ?? 0) + 1);
  return new Map([...counts].map(([each, count]) => [each, count / picks.length]));
}

describe('pickPromptVersion', () => {
  const split = [version(1, 0.5), version(2, 0.3), version(3, 0.2), version(4, null)];

  it('splits 10,000 users by the weights, within 4 standard deviations', () => {
    const users = Array.from({ length: USERS }, (_, index) => `user-${index}`);
    const picks = users.map((user) => pickPromptVersion('summarize', split, user)!.version.version);
    const observed = shares(picks, [1, 2, 3, 4]);
    for (const [number, weight] of [
      [1, 0.5],
      [2, 0.3],
      [3, 0.2],
    ] as const) {
      expect(Math.abs(observed.get(number)! - weight)).toBeLessThanOrEqual(
        tolerance(weight, USERS),
      );
    }
    expect(observed.get(4)).toBe(0);
  });

  it('gives a user the same version every time, and says it is sticky', () => {
    for (let index = 0; index < 1_000; index += 1) {
      const first = pickPromptVersion('summarize', split, `user-${index}`)!;
      const again = pickPromptVersion('summarize', split, `user-${index}`)!;
      expect(again.version.version).toBe(first.version.version);
      expect(first.assignment).toBe('sticky');
    }
  });

  it('hashes the user with the prompt name, so prompts split users independently', () => {
    expect(stickyPoint('summarize', 'user-1')).not.toBe(stickyPoint('translate', 'user-1'));
    const users = Array.from({ length: USERS }, (_, index) => `user-${index}`);
    const half = [version(1, 0.5), version(2, 0.5)];
    const same = users.filter(
      (user) =>
        pickPromptVersion('summarize', half, user)!.version.version ===
        pickPromptVersion('translate', half, user)!.version.version,
    ).length;
    // Independent halves agree for half the users: 0.5 within 4 standard deviations.
    expect(Math.abs(same / USERS - 0.5)).toBeLessThanOrEqual(tolerance(0.5, USERS));
  });

  it('draws at random by weight without a user id', () => {
    const picks = Array.from(
      { length: USERS },
      () => pickPromptVersion('summarize', split)!.version.version,
    );
    const observed = shares(picks, [1, 2, 3]);
    expect(Math.abs(observed.get(1)! - 0.5)).toBeLessThanOrEqual(tolerance(0.5, USERS));
    expect(Math.abs(observed.get(2)! - 0.3)).toBeLessThanOrEqual(tolerance(0.3, USERS));
    expect(pickPromptVersion('summarize', split)!.assignment).toBe('random');
  });

  it('shares all traffic in proportion when the weights sum to less than 1', () => {
    const partial = [version(1, 0.3), version(2, 0.1)];
    const picks = Array.from(
      { length: USERS },
      (_, index) => pickPromptVersion('p', partial, `u${index}`)!.version.version,
    );
    expect(Math.abs(shares(picks, [1, 2]).get(1)! - 0.75)).toBeLessThanOrEqual(
      tolerance(0.75, USERS),
    );
  });

  it('never picks a version of weight 0, and finds none when nothing is active', () => {
    const staged = [version(1, 0), version(2, 1)];
    for (let index = 0; index < 1_000; index += 1) {
      expect(pickPromptVersion('p', staged, `u${index}`)!.version.version).toBe(2);
    }
    expect(pickPromptVersion('p', [version(1, null), version(2, 0)])).toBeUndefined();
  });
});
