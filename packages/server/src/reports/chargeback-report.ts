import {
  applyRate,
  CHARGEBACK_KINDS,
  formatUsdNanos,
  parseDecimalRate,
  roundToCents,
  type ChargebackKind,
  type ChargebackRow,
  type DecimalRate,
  type EventStore,
  type MetaStore,
  type Organization,
  type TenantScope,
  type TimeRange,
} from '@tollgate/core';

/**
 * The chargeback report of a billing period: per org, requests, tokens and
 * cost of model calls by operation kind, the total, the chargeback rate and
 * the amount to charge. Money stays in `bigint` nanos until it is printed:
 * costs print with all 9 decimals (so a report parses back to the exact
 * total), the amount to charge is rounded once, to cents, from the exact
 * total × rate.
 *
 * The rate of an org: the one the caller asks for, else the org's own
 * (`Organization.chargebackRate`), else `DEFAULT_CHARGEBACK_RATE` (1.2).
 */
export const DEFAULT_CHARGEBACK_RATE = '1.2';

export interface ChargebackUsage {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_nanos: bigint;
}

export interface OrgChargeback {
  org_id: string;
  /** Set when the report covers one project of the org (a project key's report). */
  project_id?: string;
  kinds: Record<ChargebackKind, ChargebackUsage>;
  total: ChargebackUsage;
  rate: DecimalRate;
  /** total cost × rate, to the nano. */
  amount_nanos: bigint;
  /** `amount_nanos` rounded to cents: what to bill. */
  charge_nanos: bigint;
}

export interface ChargebackReport {
  range: TimeRange;
  orgs: OrgChargeback[];
}

const emptyUsage = (): ChargebackUsage => ({
  requests: 0,
  input_tokens: 0,
  output_tokens: 0,
  cost_nanos: 0n,
});

function add(into: ChargebackUsage, row: ChargebackUsage): void {
  into.requests += row.requests;
  into.input_tokens += row.input_tokens;
  into.output_tokens += row.output_tokens;
  into.cost_nanos += row.cost_nanos;
}

export function parseChargebackRate(text: string = DEFAULT_CHARGEBACK_RATE): DecimalRate {
  const rate = parseDecimalRate(text);
  if (!rate) throw new RangeError('rate must be a decimal such as 1.2 (up to 6 decimals)');
  return rate;
}

/** One org's report from its rows (rows of other orgs are ignored). */
export function orgChargeback(
  orgId: string,
  rows: readonly ChargebackRow[],
  rate: DecimalRate,
): OrgChargeback {
  const kinds = Object.fromEntries(CHARGEBACK_KINDS.map((kind) => [kind, emptyUsage()])) as Record<
    ChargebackKind,
    ChargebackUsage
  >;
  const total = emptyUsage();
  for (const row of rows) {
    if (row.org_id !== orgId) continue;
    add(kinds[row.kind] ?? kinds.completion, row);
    add(total, row);
  }
  const amount = applyRate(total.cost_nanos, rate);
  return {
    org_id: orgId,
    kinds,
    total,
    rate,
    amount_nanos: amount,
    charge_nanos: roundToCents(amount),
  };
}

/** The rate asked for, else the org's own, else the default. */
export function chargebackRateOf(
  requested: string | undefined,
  organization: { chargebackRate?: string | null } | undefined,
): DecimalRate {
  return parseChargebackRate(requested ?? organization?.chargebackRate ?? DEFAULT_CHARGEBACK_RATE);
}

export interface ChargebackTarget {
  /** An org, or one project of it. */
  scope: TenantScope;
  rate: DecimalRate;
}

/** Reads the event store for each target and builds the report. */
export async function buildChargebackReport(
  events: EventStore,
  targets: readonly ChargebackTarget[],
  range: TimeRange,
): Promise<ChargebackReport> {
  const orgs: OrgChargeback[] = [];
  for (const { scope, rate } of targets) {
    const rows = await events.analytics.chargeback(scope, range);
    const report = orgChargeback(scope.orgId, rows, rate);
    orgs.push(scope.projectId === undefined ? report : { ...report, project_id: scope.projectId });
  }
  return { range, orgs };
}

const usageJson = (usage: ChargebackUsage) => ({
  requests: usage.requests,
  input_tokens: usage.input_tokens,
  output_tokens: usage.output_tokens,
  cost_nanos: usage.cost_nanos.toString(),
  cost_usd: formatUsdNanos(usage.cost_nanos, 9),
});

export function chargebackJson(report: ChargebackReport) {
  return {
    from: new Date(report.range.from).toISOString(),
    to: new Date(report.range.to).toISOString(),
    orgs: report.orgs.map((org) => ({
      org_id: org.org_id,
      project_id: org.project_id ?? null,
      by_kind: Object.fromEntries(
        CHARGEBACK_KINDS.map((kind) => [kind, usageJson(org.kinds[kind])]),
      ),
      total: usageJson(org.total),
      chargeback_rate: org.rate.text,
      amount_usd: formatUsdNanos(org.amount_nanos, 9),
      amount_to_charge_usd: formatUsdNanos(org.charge_nanos, 2),
    })),
  };
}

export const CHARGEBACK_CSV_HEADER = [
  'org_id',
  'kind',
  'requests',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'chargeback_rate',
  'amount_usd',
  'amount_to_charge_usd',
] as const;

/** Quotes a CSV field when it needs it (RFC 4180), and defuses spreadsheet formulas. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * One line per org and kind, then the org's `total` line, which alone carries
 * the amount to charge (the rate applies to the exact total, so per-kind
 * amounts are not rounded and summed).
 */
export function chargebackCsv(report: ChargebackReport): string {
  const lines = [CHARGEBACK_CSV_HEADER.join(',')];
  for (const org of report.orgs) {
    const line = (kind: string, usage: ChargebackUsage, amount: bigint, charge: string) =>
      [
        org.org_id,
        kind,
        String(usage.requests),
        String(usage.input_tokens),
        String(usage.output_tokens),
        formatUsdNanos(usage.cost_nanos, 9),
        org.rate.text,
        formatUsdNanos(amount, 9),
        charge,
      ]
        .map(csvField)
        .join(',');
    for (const kind of CHARGEBACK_KINDS) {
      const usage = org.kinds[kind];
      lines.push(line(kind, usage, applyRate(usage.cost_nanos, org.rate), ''));
    }
    lines.push(line('total', org.total, org.amount_nanos, formatUsdNanos(org.charge_nanos, 2)));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The chargeback report of one organization (`orgId`) or of every one, each at
 * `rate` when given, else its own rate: what `tollgate report chargeback`
 * prints, whether it reads the stores itself or asks the running server.
 */
export async function organizationsChargeback(
  stores: { meta: MetaStore; events: EventStore },
  options: { range: TimeRange; orgId?: string; rate?: string },
): Promise<ChargebackReport> {
  if (options.rate !== undefined) parseChargebackRate(options.rate);
  let organizations: Organization[];
  if (options.orgId) {
    const organization = await stores.meta.getOrganization(options.orgId);
    if (!organization) throw new OrganizationNotFoundError(options.orgId);
    organizations = [organization];
  } else {
    organizations = await stores.meta.listOrganizations();
  }
  const targets = organizations.map((organization) => ({
    scope: { orgId: organization.id },
    rate: chargebackRateOf(options.rate, organization),
  }));
  return buildChargebackReport(stores.events, targets, options.range);
}

export class OrganizationNotFoundError extends Error {
  override readonly name = 'OrganizationNotFoundError';
  constructor(readonly orgId: string) {
    super(`organization ${orgId} not found`);
  }
}
