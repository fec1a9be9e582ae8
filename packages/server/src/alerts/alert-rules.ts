import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const webhookSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  /** `slack` sends `{ text }`, `discord` `{ content }`, `generic` the whole alert (with `text`). */
  format: z.enum(['slack', 'discord', 'generic']).default('generic'),
  /** Further attempts after a failed delivery, with exponential backoff. */
  retries: z.number().int().min(0).max(10).default(3),
  backoffMs: z.number().int().min(1).max(60_000).default(1_000),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
});

const common = {
  name: z.string().trim().min(1).max(128),
  /** The organization whose events the rule reads; `project` narrows it to one project. */
  org: z.string().trim().min(1),
  project: z.string().trim().min(1).optional(),
  webhook: webhookSchema,
};

/** Rollup windows are whole hours (the hourly rollup): the current hour and the ones before it. */
const windowHours = z
  .number()
  .int()
  .min(1)
  .max(24 * 31)
  .default(1);

export const alertRuleSchema = z.discriminatedUnion('kind', [
  z.object({
    ...common,
    kind: z.literal('cost'),
    /** `hour`: cost in the current and previous hour; `day`: in the last 24 hours. */
    per: z.enum(['hour', 'day']),
    thresholdUsd: z.number().positive(),
  }),
  z.object({
    ...common,
    kind: z.literal('error_rate'),
    windowHours,
    thresholdPercent: z.number().min(0).max(100),
    /** Fewer calls than this in the window never fire (nor keep firing). */
    minRequests: z.number().int().min(1).default(20),
  }),
  z.object({
    ...common,
    kind: z.literal('p95_latency'),
    windowHours,
    thresholdMs: z.number().positive(),
    minRequests: z.number().int().min(1).default(20),
  }),
  z.object({
    ...common,
    kind: z.literal('breaker_open'),
    /** A deployment id of the rule's org, or every deployment of the org when absent. */
    deployment: z.string().optional(),
    forSeconds: z.number().positive(),
  }),
]);

export const alertsFileSchema = z.object({
  /** How often every rule is evaluated. */
  intervalSeconds: z.number().min(1).max(86_400).default(60),
  rules: z.array(alertRuleSchema),
});

export type AlertRule = z.infer<typeof alertRuleSchema>;
export type AlertsFile = z.infer<typeof alertsFileSchema>;

/** Reads and validates `TOLLGATE_ALERTS` (YAML or JSON); a bad rule stops start-up naming it. */
export function loadAlertsFile(path: string): AlertsFile {
  const parsed = alertsFileSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid alerts file ${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const names = new Set<string>();
  for (const rule of parsed.data.rules) {
    if (names.has(rule.name))
      throw new Error(`invalid alerts file ${path}: rule "${rule.name}" appears twice`);
    names.add(rule.name);
  }
  return parsed.data;
}
