import type { NewPromptVersion, Prompt, PromptVersion } from '@tollgate/core';
import { z } from 'zod';
import { variablesOf } from './render-prompt';

/**
 * A prompt's name: letters, digits, `_`, `.` and `-` (never `@`, which
 * separates the version in `x-tollgate-prompt: name@3`), at most 128.
 */
export const promptNameField = z
  .string()
  .regex(/^[A-Za-z0-9][\w.-]{0,127}$/, 'must be 1 to 128 letters, digits, "_", "." or "-"');

export const versionNumberField = z.coerce.number().int().min(1).max(1_000_000);

/** The fields of a new version, snake_case as the API shows them. */
export const promptVersionBody = z.strictObject({
  template: z.string().min(1).max(100_000),
  system: z.string().min(1).max(100_000).nullish(),
  model: z.string().min(1).max(256).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
});

export const newPromptBody = promptVersionBody.extend({ name: promptNameField });

/**
 * Activation: one version (`{ version }`, weight 1) or an A/B split
 * (`{ versions: [{ version, weight }] }`), each weight from 0 to 1 and the
 * weights summing to at most 1 (checked to 1e-9, so 0.1 + 0.2 + 0.7 passes)
 * and to more than 0, each version at most once.
 */
const WEIGHT_SUM_SLACK = 1e-9;
export const activationBody = z
  .strictObject({
    version: versionNumberField.optional(),
    versions: z
      .array(z.strictObject({ version: versionNumberField, weight: z.number().min(0).max(1) }))
      .min(1)
      .max(100)
      .refine(
        (versions) => new Set(versions.map((each) => each.version)).size === versions.length,
        {
          message: 'names a version more than once',
        },
      )
      .refine((versions) => sumOf(versions) <= 1 + WEIGHT_SUM_SLACK, {
        message: 'the weights must sum to at most 1',
      })
      .refine((versions) => sumOf(versions) > 0, {
        message: 'at least one weight must be above 0',
      })
      .optional(),
  })
  .refine((body) => (body.version === undefined) !== (body.versions === undefined), {
    message: 'give either "version" or "versions"',
    path: ['version'],
  })
  .transform((body) => body.versions ?? [{ version: body.version!, weight: 1 }]);

function sumOf(versions: ReadonlyArray<{ weight: number }>): number {
  return versions.reduce((sum, each) => sum + each.weight, 0);
}

export function toNewVersion(
  body: z.output<typeof promptVersionBody>,
  createdBy: string | null,
): NewPromptVersion {
  return {
    template: body.template,
    system: body.system ?? null,
    model: body.model ?? null,
    temperature: body.temperature ?? null,
    maxTokens: body.max_tokens ?? null,
    createdBy,
  };
}

export function presentPromptVersion(version: PromptVersion) {
  return {
    version: version.version,
    template: version.template,
    system: version.system,
    model: version.model,
    temperature: version.temperature,
    max_tokens: version.maxTokens,
    variables: variablesOf(version.system, version.template),
    created_by: version.createdBy,
    created_at: version.createdAt.toISOString(),
    active: version.weight !== null,
    weight: version.weight,
  };
}

export function presentPrompt(prompt: Prompt) {
  return {
    id: prompt.id,
    name: prompt.name,
    project_id: prompt.projectId,
    created_at: prompt.createdAt.toISOString(),
    versions: prompt.versions.map(presentPromptVersion),
  };
}

/** What the audit log keeps of an activation: the active versions and their weights. */
export function activeWeights(prompt: Prompt): Array<{ version: number; weight: number }> {
  return prompt.versions
    .filter((version) => version.weight !== null)
    .map((version) => ({ version: version.version, weight: version.weight! }));
}
