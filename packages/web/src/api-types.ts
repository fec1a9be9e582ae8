/**
 * The answers of the API the dashboard reads, as types taken from the zod schemas the
 * server declares for them (`@tollgate/core/api`, each route's `schema.response`): never
 * declared again here. Type-only imports: nothing of zod or core reaches the bundle.
 */
import type * as Api from '@tollgate/core/api';
import type { z } from 'zod';

type Answer<Schema extends z.ZodType> = z.output<Schema>;

export type MeAnswer = Answer<typeof Api.MeResponse>;
export type OrganizationsAnswer = Answer<typeof Api.OrganizationsResponse>;
export type ProjectsAnswer = Answer<typeof Api.ProjectsResponse>;

export type EventAnswer = Answer<typeof Api.EventResponse>;
export type EventsAnswer = Answer<typeof Api.EventsListResponse>;
export type EventDetailAnswer = Answer<typeof Api.EventDetailResponse>;
export type RunAnswer = Answer<typeof Api.RunResponse>;

export type OverviewAnswer = Answer<typeof Api.OverviewResponse>;
export type CostAnswer = Answer<typeof Api.CostResponse>;
export type CostSummaryAnswer = Answer<typeof Api.CostSummaryResponse>;
export type ActivityAnswer = Answer<typeof Api.ActivityResponse>;
export type UsersAnswer = Answer<typeof Api.UsersResponse>;
export type SessionsAnswer = Answer<typeof Api.SessionsResponse>;
export type UserDetailAnswer = Answer<typeof Api.UserDetailResponse>;
export type SessionDetailAnswer = Answer<typeof Api.SessionDetailResponse>;
export type RunsAnswer = Answer<typeof Api.RunsResponse>;
export type ChargebackAnswer = Answer<typeof Api.ChargebackResponse>;
export type FallbacksAnswer = Answer<typeof Api.FallbacksResponse>;
export type RecommendationsAnswer = Answer<typeof Api.RecommendationsResponse>;

export type BudgetsAnswer = Answer<typeof Api.BudgetsResponse>;
export type BudgetCheckAnswer = Answer<typeof Api.BudgetCheckResponse>;
export type FlagValuesAnswer = Answer<typeof Api.FlagValuesResponse>;
export type AdminFlagsAnswer = Answer<typeof Api.AdminFlagsResponse>;
export type PromptAnswer = Answer<typeof Api.PromptResponse>;
export type PromptsAnswer = Answer<typeof Api.PromptsResponse>;
export type PromptComparisonAnswer = Answer<typeof Api.PromptComparisonResponse>;

export type ProvidersHealthAnswer = Answer<typeof Api.ProvidersHealthResponse>;
export type CredentialsAnswer = Answer<typeof Api.CredentialsResponse>;
export type GuardrailReferencesAnswer = Answer<typeof Api.GuardrailReferencesResponse>;
