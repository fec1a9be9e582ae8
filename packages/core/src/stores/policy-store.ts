/**
 * Feature flags, guardrail references and retention runs: the governance
 * policies an org administers, kept in the meta store. Every query but the
 * retention job's org listing is scoped to one org.
 */

/** A flag's default with its project (workspace) and user overrides. */
export interface FeatureFlag {
  orgId: string;
  /** `[a-z0-9][a-z0-9_.-]*`, e.g. `cache`, `guardrails`, `new_checkout`. */
  name: string;
  description: string | null;
  defaultEnabled: boolean;
  overrides: FlagOverride[];
  updatedAt: Date;
}

/** An override of one flag for a project, or for one app user (optionally within one project). */
export interface FlagOverride {
  /** Null: every project of the org. */
  projectId: string | null;
  /** Null: every user (a project override). */
  userId: string | null;
  enabled: boolean;
}

export interface FlagChanges {
  description?: string | null;
  defaultEnabled: boolean;
  /** Replaces every override of the flag when given. */
  overrides?: FlagOverride[];
}

/** Guardrail actions: `allow` records the match, `flag` records it as flagged, `block` refuses the call. */
export const GUARDRAIL_ACTIONS = ['allow', 'flag', 'block'] as const;
export type GuardrailAction = (typeof GUARDRAIL_ACTIONS)[number];

/** A flagged reference prompt of a project, with its own threshold and action. */
export interface GuardrailReference {
  id: string;
  orgId: string;
  projectId: string;
  name: string;
  text: string;
  /** Similarity in (0, 1] from which a prompt matches. */
  threshold: number;
  action: GuardrailAction;
  createdAt: Date;
}

export type NewGuardrailReference = Omit<GuardrailReference, 'id' | 'createdAt'>;

/** What one retention run deleted for one org (a row per org per run). */
export interface RetentionRun {
  id: string;
  runId: string;
  orgId: string;
  retentionDays: number;
  /** Rows older than this were deleted. */
  cutoff: Date;
  /** Rows deleted per table. */
  deleted: Record<string, number>;
  createdAt: Date;
}

export type NewRetentionRun = Omit<RetentionRun, 'id' | 'createdAt'>;

export interface PolicyStore {
  listFlags(orgId: string): Promise<FeatureFlag[]>;
  getFlag(orgId: string, name: string): Promise<FeatureFlag | undefined>;
  /** Creates or replaces the flag (and, when given, its overrides) in one transaction. */
  putFlag(orgId: string, name: string, changes: FlagChanges): Promise<FeatureFlag>;
  deleteFlag(orgId: string, name: string): Promise<boolean>;

  listGuardrailReferences(orgId: string, projectId?: string): Promise<GuardrailReference[]>;
  createGuardrailReference(input: NewGuardrailReference): Promise<GuardrailReference>;
  deleteGuardrailReference(orgId: string, id: string): Promise<GuardrailReference | undefined>;

  appendRetentionRun(run: NewRetentionRun): Promise<RetentionRun>;
  listRetentionRuns(orgId: string, limit?: number): Promise<RetentionRun[]>;
}
