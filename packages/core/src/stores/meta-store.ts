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
  createdAt: Date;
}

export interface Project {
  id: string;
  orgId: string;
  name: string;
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
  createdAt: Date;
}

export interface NewOrganization {
  name: string;
  plan?: Plan;
  retentionDays?: number | null;
}

export interface NewProject {
  orgId: string;
  name: string;
}

export interface NewApiKey {
  orgId: string;
  projectId?: string | null;
  name: string;
  scopes: KeyScope[];
  expiresAt?: Date | null;
  /** The key's hash and visible prefix; the secret itself is never stored. */
  hash: string;
  prefix: string;
}

/** Organizations, projects and keys: Postgres (PGlite embedded or a server). */
export interface MetaStore extends GatewayConfigStore {
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
