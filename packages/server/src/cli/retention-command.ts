import type { Configuration } from '../config';
import { presentRetentionOutcome, RetentionJob } from '../governance/retention/retention-job';
import { closeStores, openStores } from '../stores/open-stores';
import { callServer, runningServer, type RemoteOptions } from './running-server';

type PresentedOutcome = ReturnType<typeof presentRetentionOutcome>;

async function runRetention(
  configuration: Configuration,
  options: RemoteOptions,
): Promise<PresentedOutcome | undefined> {
  const server = runningServer(configuration.dataDir, options);
  if (server) {
    const response = await fetchOrLocked(() =>
      callServer(server, 'POST', '/api/v1/admin/retention/run', {}),
    );
    return response && ((await response.json()) as PresentedOutcome);
  }
  const stores = await openStores(configuration);
  try {
    const job = new RetentionJob({
      meta: stores.meta,
      events: stores.events,
      hot: stores.hot,
      logger: {
        info: () => undefined,
        error: (details, message) => console.error(message, details),
      },
    });
    const outcome = await job.run();
    return outcome.ran ? presentRetentionOutcome(outcome) : undefined;
  } finally {
    await closeStores(stores);
  }
}

/** The server answers 409 while another process holds the retention lock. */
async function fetchOrLocked(call: () => Promise<Response>): Promise<Response | undefined> {
  try {
    return await call();
  } catch (error) {
    if (/answered 409/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/**
 * `tollgate retention run`: applies every org's retention to the stored data
 * now, as the daily job does (through the running server when one holds the
 * stores), and prints what it deleted (JSON, one org per line). Exits 3 when
 * another process holds the retention lock, 1 when an org failed.
 */
export async function retentionRunCommand(
  configuration: Configuration,
  options: RemoteOptions = {},
): Promise<void> {
  const outcome = await runRetention(configuration, options);
  if (!outcome) {
    console.error('tollgate: retention is already running in another process');
    process.exitCode = 3;
    return;
  }
  for (const run of outcome.runs) console.log(JSON.stringify(run));
  if (outcome.failed_orgs.length > 0) {
    console.error(`tollgate: retention failed for ${outcome.failed_orgs.join(', ')}`);
    process.exitCode = 1;
  }
}
