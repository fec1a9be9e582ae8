import { z } from 'zod';
import { BUDGET_PERIODS, BUDGET_SCOPES } from '../stores/budget-store';
import { GUARDRAIL_ACTIONS } from '../stores/policy-store';
import { isoTime } from './common';

const BUDGET_STATES = ['ok', 'soft', 'blocked'] as const;

/** A budget with its spend in the current period and its state, as `/api/v1/budgets` shows it. */
export const BudgetStatusResponse = z.object({
  id: z.string(),
  org_id: z.string(),
  scope: z.enum(BUDGET_SCOPES),
  scope_id: z.string(),
  period: z.enum(BUDGET_PERIODS),
  /** USD as an exact decimal string. */
  amount_usd: z.string(),
  soft_threshold: z.number(),
  /** Shown to admin keys only. */
  webhook_url: z.string().nullable().optional(),
  created_at: isoTime,
  updated_at: isoTime,
  period_key: z.string(),
  period_start: isoTime,
  period_end: isoTime,
  spent_usd: z.string(),
  limit_usd: z.string(),
  state: z.enum(BUDGET_STATES),
});

/** `GET /api/v1/budgets`: the budgets the key may see. */
export const BudgetsResponse = z.object({ budgets: z.array(BudgetStatusResponse) });

/** `GET /api/v1/budgets/check`: the budgets of one scope and the worst state among them. */
export const BudgetCheckResponse = z.object({
  scope: z.enum(BUDGET_SCOPES),
  id: z.string(),
  over_budget: z.boolean(),
  state: z.enum(BUDGET_STATES),
  budgets: z.array(BudgetStatusResponse),
});

/** `GET /api/v1/flags`: every flag's value for the caller's project and user. */
export const FlagValuesResponse = z.object({
  project_id: z.string().nullable(),
  user_id: z.string().nullable(),
  flags: z.array(z.object({ name: z.string(), enabled: z.boolean() })),
});

export const FlagResponse = z.object({
  name: z.string(),
  description: z.string().nullable(),
  default: z.boolean(),
  overrides: z.array(
    z.object({
      /** Null: every project of the org. */
      project_id: z.string().nullable(),
      /** Null: every user (a project override). */
      user_id: z.string().nullable(),
      enabled: z.boolean(),
    }),
  ),
  updated_at: isoTime,
});

/** `GET /api/v1/admin/flags`: the org's flags, and the gateway's own with their defaults. */
export const AdminFlagsResponse = z.object({
  flags: z.array(FlagResponse),
  built_in: z.array(z.object({ name: z.string(), default: z.boolean(), defined: z.boolean() })),
});

export const PromptVersionResponse = z.object({
  version: z.number(),
  template: z.string(),
  system: z.string().nullable(),
  model: z.string().nullable(),
  temperature: z.number().nullable(),
  max_tokens: z.number().nullable(),
  variables: z.array(z.string()),
  created_by: z.string().nullable(),
  created_at: isoTime,
  active: z.boolean(),
  /** Share of traffic while active (0 to 1); null when not active. */
  weight: z.number().nullable(),
});

/** `GET /api/v1/prompts/:name`: a prompt with all its versions. */
export const PromptResponse = z.object({
  id: z.string(),
  name: z.string(),
  project_id: z.string(),
  created_at: isoTime,
  versions: z.array(PromptVersionResponse),
});

/** `GET /api/v1/prompts`. */
export const PromptsResponse = z.object({ prompts: z.array(PromptResponse) });

/** `GET /api/v1/prompts/:name/comparison`: each version's calls and feedback in the range. */
export const PromptComparisonResponse = z.object({
  name: z.string(),
  from: isoTime,
  to: isoTime,
  versions: z.array(
    z.object({
      version: z.number(),
      executions: z.number(),
      successes: z.number(),
      success_rate: z.number().nullable(),
      /** Null when the version made no call in the period. */
      latency_avg_ms: z.number().nullable(),
      latency_p95_ms: z.number().nullable(),
      tokens_avg: z.number().nullable(),
      cost_total_nanos: z.string(),
      cost_total_usd: z.string(),
      /** Null when the version made no call in the period. */
      cost_avg_usd: z.string().nullable(),
      feedback_count: z.number(),
      /** Average feedback score (0 to 5); null without feedback. */
      feedback_avg: z.number().nullable(),
    }),
  ),
});

/** A project's guardrail reference: a prompt the gateway compares each prompt with. */
export const GuardrailReferenceResponse = z.object({
  id: z.string(),
  project_id: z.string(),
  name: z.string(),
  text: z.string(),
  threshold: z.number(),
  action: z.enum(GUARDRAIL_ACTIONS),
  created_at: isoTime,
});

/** `GET /api/v1/admin/projects/:id/guardrails`. */
export const GuardrailReferencesResponse = z.object({
  references: z.array(GuardrailReferenceResponse),
});
