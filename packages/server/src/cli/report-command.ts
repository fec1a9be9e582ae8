import type { Organization } from '@tollgate/core';
import type { Configuration } from '../config';
import {
  buildChargebackReport,
  chargebackCsv,
  chargebackJson,
  chargebackRateOf,
  parseChargebackRate,
} from '../reports/chargeback-report';
import { closeStores, openStores } from '../stores/open-stores';

export interface ChargebackCommandOptions {
  from: string;
  to: string;
  org?: string;
  csv?: boolean;
  /** Overrides every org's own rate (default: the org's, else 1.2). */
  rate?: string;
}

function parseInstant(name: string, text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new Error(`--${name} must be an ISO-8601 time or epoch milliseconds`);
  return ms;
}

/**
 * `tollgate report chargeback --from F --to T [--org ID] [--csv] [--rate R]`:
 * the chargeback report of one org or of every org, read from the configured
 * stores directly (no server needed). JSON on stdout, or CSV with `--csv`.
 */
export async function chargebackCommand(
  configuration: Configuration,
  options: ChargebackCommandOptions,
): Promise<void> {
  const range = { from: parseInstant('from', options.from), to: parseInstant('to', options.to) };
  if (range.from >= range.to) throw new Error('--from must be before --to');
  if (options.rate !== undefined) parseChargebackRate(options.rate);
  const stores = await openStores(configuration, { migrate: false });
  try {
    let organizations: Organization[];
    if (options.org) {
      const organization = await stores.meta.getOrganization(options.org);
      if (!organization) throw new Error(`organization ${options.org} not found`);
      organizations = [organization];
    } else {
      organizations = await stores.meta.listOrganizations();
    }
    const targets = organizations.map((organization) => ({
      scope: { orgId: organization.id },
      rate: chargebackRateOf(options.rate, organization),
    }));
    const report = await buildChargebackReport(stores.events, targets, range);
    process.stdout.write(
      options.csv ? chargebackCsv(report) : `${JSON.stringify(chargebackJson(report), null, 2)}\n`,
    );
  } finally {
    await closeStores(stores);
  }
}
