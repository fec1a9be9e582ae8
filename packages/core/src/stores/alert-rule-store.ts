/**
 * An alert rule managed through the admin API. The definition (kind,
 * threshold, webhook) is validated by the server before it is stored, so the
 * store keeps it as JSON, like a gateway route's config.
 */
export interface AlertRuleRecord {
  id: string;
  orgId: string;
  name: string;
  definition: unknown;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAlertRule {
  orgId: string;
  name: string;
  definition: unknown;
  enabled?: boolean;
}

export interface AlertRuleChanges {
  name?: string;
  definition?: unknown;
  enabled?: boolean;
}

/** Alert rules per organization; every query but the evaluator's list is scoped to one org. */
export interface AlertRuleStore {
  listAlertRules(orgId: string): Promise<AlertRuleRecord[]>;
  /** Every enabled rule of every organization: what the evaluator runs. */
  listEnabledAlertRules(): Promise<AlertRuleRecord[]>;
  getAlertRule(orgId: string, id: string): Promise<AlertRuleRecord | undefined>;
  /** A unique violation (see the server's `isUniqueViolation`) when the org has a rule of that name. */
  createAlertRule(input: NewAlertRule): Promise<AlertRuleRecord>;
  updateAlertRule(
    orgId: string,
    id: string,
    changes: AlertRuleChanges,
  ): Promise<AlertRuleRecord | undefined>;
  deleteAlertRule(orgId: string, id: string): Promise<boolean>;
}
