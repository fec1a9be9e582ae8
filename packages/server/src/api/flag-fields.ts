import type { FeatureFlag } from '@tollgate/core';
import { z } from 'zod';
import { storableText } from '../http/storable-text';

/** A flag name: lower-case letters, digits, `_`, `.` and `-`, starting with a letter or digit. */
export const flagNameField = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{0,63}$/,
    'must be 1 to 64 lower-case letters, digits, "_", "." or "-", starting with a letter or digit',
  );

/** An app's user id, as the gateway's `x-tollgate-user-id` carries it. */
export const flagUserIdField = storableText().min(1).max(256);

export function presentFlag(flag: FeatureFlag) {
  return {
    name: flag.name,
    description: flag.description,
    default: flag.defaultEnabled,
    overrides: flag.overrides.map((override) => ({
      project_id: override.projectId,
      user_id: override.userId,
      enabled: override.enabled,
    })),
    updated_at: flag.updatedAt.toISOString(),
  };
}
