import { createHash, randomBytes } from 'node:crypto';
import type { PromptVersion } from '@tollgate/core';

/** The resolution of 2^-48 steps: a user's point in [0, 1) from the first 6 bytes of a SHA-256. */
const POINT_BYTES = 6;
const POINT_RANGE = 2 ** (8 * POINT_BYTES);

export interface PickedVersion {
  version: PromptVersion;
  /** `sticky`: chosen by the user id, the same every time; `random`: a weighted draw. */
  assignment: 'sticky' | 'random';
}

/** A user's fixed point in [0, 1) for a prompt: SHA-256 of the prompt name and user id. */
export function stickyPoint(promptName: string, userId: string): number {
  const digest = createHash('sha256').update(`${promptName}\u0000${userId}`, 'utf8').digest();
  return digest.readUIntBE(0, POINT_BYTES) / POINT_RANGE;
}

/**
 * Picks one of the active versions in proportion to its weight. Weights sum
 * to at most 1; when they sum to less, the active versions share all traffic
 * in the same proportions (there is no "no prompt" outcome). With a user id
 * the pick is sticky: the same user always lands on the same version for as
 * long as the weights stay the same. Undefined when no version carries weight.
 */
export function pickPromptVersion(
  promptName: string,
  versions: readonly PromptVersion[],
  userId?: string,
): PickedVersion | undefined {
  const active = versions.filter((version) => (version.weight ?? 0) > 0);
  const total = active.reduce((sum, version) => sum + version.weight!, 0);
  if (active.length === 0 || total <= 0) return undefined;
  const point =
    userId === undefined
      ? randomBytes(POINT_BYTES).readUIntBE(0, POINT_BYTES) / POINT_RANGE
      : stickyPoint(promptName, userId);
  const target = point * total;
  let cumulative = 0;
  for (const version of active) {
    cumulative += version.weight!;
    if (target < cumulative) {
      return { version, assignment: userId === undefined ? 'random' : 'sticky' };
    }
  }
  // Float rounding can leave the target a hair above the last sum: it belongs to the last version.
  return { version: active.at(-1)!, assignment: userId === undefined ? 'random' : 'sticky' };
}
