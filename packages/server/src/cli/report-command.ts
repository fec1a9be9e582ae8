import type { Configuration } from '../config';
import {
  chargebackCsv,
  chargebackJson,
  organizationsChargeback,
} from '../reports/chargeback-report';
import { closeStores, openStores } from '../stores/open-stores';
import { callServer, runningServer, type RemoteOptions } from './running-server';

export interface ChargebackCommandOptions extends RemoteOptions {
  from: string;
  to: string;
  org?: string;
  csv?: boolean;
  /** Overrides every org's own rate (default: the org's, else 1.2). */
  rate?: string;
}

export function parseInstant(name: string, text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new Error(`--${name} must be an ISO-8601 time or epoch milliseconds`);
  return ms;
}

/**
 * `tollgate report chargeback --from F --to T [--org ID] [--csv] [--rate R]`:
 * the chargeback report of one org or of every org, read from the stores, or
 * through the running server's API when one holds them. JSON on stdout, or
 * CSV with `--csv`.
 */
export async function chargebackCommand(
  configuration: Configuration,
  options: ChargebackCommandOptions,
): Promise<void> {
  const range = { from: parseInstant('from', options.from), to: parseInstant('to', options.to) };
  if (range.from >= range.to) throw new Error('--from must be before --to');
  const server = runningServer(configuration.dataDir, options);
  if (server) {
    const query = new URLSearchParams({
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      format: options.csv ? 'csv' : 'json',
      ...(options.org ? { org: options.org } : {}),
      ...(options.rate ? { rate: options.rate } : {}),
    });
    const response = await callServer(server, 'GET', `/api/v1/admin/reports/chargeback?${query}`);
    const body = await response.text();
    process.stdout.write(
      options.csv ? body : `${JSON.stringify(JSON.parse(body) as unknown, null, 2)}\n`,
    );
    return;
  }
  const stores = await openStores(configuration, { migrate: false });
  try {
    const report = await organizationsChargeback(stores, {
      range,
      orgId: options.org,
      rate: options.rate,
    });
    process.stdout.write(
      options.csv ? chargebackCsv(report) : `${JSON.stringify(chargebackJson(report), null, 2)}\n`,
    );
  } finally {
    await closeStores(stores);
  }
}
