import type { PriceOverrides } from '../pricing';
import type { AlertRuleStore } from './alert-rule-store';
import type { BudgetStore } from './budget-store';
import type { DeadLetterStore } from './dead-letter-store';
import type { PolicyStore } from './policy-store';
import type { PromptStore } from './prompt-store';
import type { VideoJobStore } from './video-job-store';
import type { SecretStore } from './secret-store';

export const PLANS = ['free', 'pro', 'team', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export const KEY_SCOPES = ['gateway', 'ingest', 'read', 'admin'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/** Days of event retention by plan; enterprise may override per org. */
export const PLAN_RETENTION_DAYS: Record<Plan, number> = {
  free: 90,
  pro: 365,
  team: 365,
  enterprise: 365,
};

export interface Organization {
  id: string;
  name: string;
  plan: Plan;
  /** Overrides the plan's retention when set. */
  retentionDays: number | null;
  /** Multiplier applied to cost in chargeback reports, as a decimal string (e.g. `"1.15"`); null: 1. */
  chargebackRate: string | null;
  /** Per-model prices that win over the price table (USD per million tokens). */
  priceOverrides: PriceOverrides | null;
  /** Per-minute limits of the whole organization. */
  rateLimits: RateLimitSettings;
  /** The operator's organization (made at bootstrap): its admins administer every org. */
  operator: boolean;
  createdAt: Date;
}

/** Requests and tokens per minute; null: no limit at this level. */
export interface RateLimitSettings {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
}

export interface Project {
  id: string;
  orgId: string;
  name: string;
  /** Whether prompts and responses are stored with the events. */
  contentStorage: boolean;
  /** Whether PII is redacted from prompts and responses before they are stored. */
  piiRedaction: boolean;
  /** Whether prompts, responses and metadata values are stored encrypted with the org's data key. */
  contentEncryption: boolean;
  rateLimits: RateLimitSettings;
  createdAt: Date;
}

export interface ApiKey {
  id: string;
  orgId: string;
  /** Null for an org-wide key. */
  projectId: string | null;
  name: string;
  /** The visible start of the key, e.g. `tg_3f9a1c`. */
  prefix: string;
  scopes: KeyScope[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  rateLimits: RateLimitSettings;
  createdAt: Date;
}

export interface NewOrganization {
  name: string;
  plan?: Plan;
  retentionDays?: number | null;
  chargebackRate?: string | null;
  priceOverrides?: PriceOverrides | null;
  rateLimits?: Partial<RateLimitSettings>;
  operator?: boolean;
}

/** The fields of an organization an update may change; absent ones are kept. */
export type OrganizationChanges = Partial<
  Pick<Organization, 'name' | 'plan' | 'retentionDays' | 'chargebackRate' | 'priceOverrides'>
> & { rateLimits?: Partial<RateLimitSettings> };

export interface NewProject {
  orgId: string;
  name: string;
  contentStorage?: boolean;
  piiRedaction?: boolean;
  contentEncryption?: boolean;
  rateLimits?: Partial<RateLimitSettings>;
}

export type ProjectChanges = Partial<
  Pick<Project, 'name' | 'contentStorage' | 'piiRedaction' | 'contentEncryption'>
> & {
  rateLimits?: Partial<RateLimitSettings>;
};

/** One admin change: who made it, what it changed, and the record before and after. */
export interface AuditEntry {
  id: string;
  /** The organization the change belongs to (the org changed, or the owner of the project or key). */
  orgId: string;
  /** The key that made the change and its organization (null when made by the CLI or bootstrap). */
  actorKeyId: string | null;
  actorOrgId: string | null;
  /** `<target type>.<verb>`, e.g. `key.revoked`. */
  action: string;
  targetType:
    | 'organization'
    | 'project'
    | 'api_key'
    | 'prompt'
    | 'budget'
    | 'alert_rule'
    | 'flag'
    | 'guardrail_reference'
    | 'gateway_route'
    | 'provider_credential'
    | 'price'
    | 'global_price'
    | 'price_catalogue';
  targetId: string;
  before: unknown;
  after: unknown;
  createdAt: Date;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'createdAt'>;

/** Organizations, projects and keys beyond create/get/list, and the audit log. */
export interface TenantAdminStore {
  updateOrganization(id: string, changes: OrganizationChanges): Promise<Organization | undefined>;
  /** Deletes the org with its projects, keys, routes and credentials; true when it existed. */
  deleteOrganization(id: string): Promise<boolean>;
  updateProject(orgId: string, id: string, changes: ProjectChanges): Promise<Project | undefined>;
  /** Deletes the org's project and its keys; true when the org had it. */
  deleteProject(orgId: string, id: string): Promise<boolean>;
  getApiKey(orgId: string, id: string): Promise<ApiKey | undefined>;
  appendAuditEntry(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Entries of the org or made by it, newest first. */
  listAuditEntries(
    orgId: string,
    options?: { limit?: number; before?: Date },
  ): Promise<AuditEntry[]>;
}

export interface NewApiKey {
  orgId: string;
  projectId?: string | null;
  name: string;
  scopes: KeyScope[];
  expiresAt?: Date | null;
  rateLimits?: Partial<RateLimitSettings>;
  /** The key's hash and visible prefix; the secret itself is never stored. */
  hash: string;
  prefix: string;
}

/** Organizations, projects and keys: Postgres (PGlite embedded or a server). */
export interface MetaStore
  extends
    GatewayConfigStore,
    TenantAdminStore,
    PromptStore,
    BudgetStore,
    AlertRuleStore,
    PolicyStore,
    DeadLetterStore,
    VideoJobStore,
    SecretStore {
  readonly kind: 'pglite' | 'postgres';
  migrate(): Promise<void>;
  createOrganization(input: NewOrganization): Promise<Organization>;
  getOrganization(id: string): Promise<Organization | undefined>;
  listOrganizations(): Promise<Organization[]>;
  createProject(input: NewProject): Promise<Project>;
  getProject(id: string): Promise<Project | undefined>;
  listProjects(orgId: string): Promise<Project[]>;
  createApiKey(input: NewApiKey): Promise<ApiKey>;
  /** The key with this hash, whether or not it is revoked or expired (the caller decides). */
  findApiKeyByHash(hash: string): Promise<ApiKey | undefined>;
  listApiKeys(orgId: string): Promise<ApiKey[]>;
  revokeApiKey(orgId: string, id: string): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A gateway route stored through the admin API; its config is validated by the server. */
export interface GatewayRouteRecord {
  orgId: string;
  /** The model name clients ask for. */
  model: string;
  config: unknown;
  updatedAt: Date;
}

/** A provider credential: the secret is stored encrypted and never listed. */
export interface ProviderCredential {
  id: string;
  orgId: string;
  name: string;
  provider: string;
  createdAt: Date;
}

export interface NewProviderCredential {
  orgId: string;
  name: string;
  provider: string;
  /** AES-256-GCM ciphertext of the secret (the server encrypts it). */
  ciphertext: string;
}

/** Gateway routes and provider credentials, per organization. */
export interface GatewayConfigStore {
  listGatewayRoutes(orgId: string): Promise<GatewayRouteRecord[]>;
  /** Creates or replaces the org's route for `model`. */
  putGatewayRoute(orgId: string, model: string, config: unknown): Promise<GatewayRouteRecord>;
  deleteGatewayRoute(orgId: string, model: string): Promise<boolean>;
  /** Creates or replaces the org's credential named `name`. */
  putProviderCredential(input: NewProviderCredential): Promise<ProviderCredential>;
  listProviderCredentials(orgId: string): Promise<ProviderCredential[]>;
  getProviderCredentialCiphertext(
    orgId: string,
    name: string,
  ): Promise<{ provider: string; ciphertext: string } | undefined>;
  deleteProviderCredential(orgId: string, name: string): Promise<boolean>;
}
