/** The tenant a query runs for. A project key sees its project; an org key sees the org. */
export interface TenantScope {
  orgId: string;
  /** Absent for org-wide (admin) access. */
  projectId?: string;
}

/** Inclusive-exclusive time range in epoch milliseconds. */
export interface TimeRange {
  from: number;
  to: number;
}
