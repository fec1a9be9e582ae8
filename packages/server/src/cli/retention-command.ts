import type { Configuration } from '../config';
import { RetentionJob } from '../governance/retention/retention-job';
import { closeStores, openStores } from '../stores/open-stores';

/**
 * `tollgate retention run`: applies every org's retention to the stored data
 * now, as the daily job does, and prints what it deleted (JSON, one org per
 * line). Exits 3 when another process holds the retention lock, 1 when an org failed.
 */
export async function retentionRunCommand(configuration: Configuration): Promise<void> {
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
    if (!outcome.ran) {
      console.error('tollgate: retention is already running in another process');
      process.exitCode = 3;
      return;
    }
    for (const run of outcome.runs) {
      console.log(
        JSON.stringify({
          org_id: run.orgId,
          retention_days: run.retentionDays,
          cutoff: run.cutoff.toISOString(),
          deleted: run.deleted,
        }),
      );
    }
    if (outcome.failedOrgs.length > 0) {
      console.error(`tollgate: retention failed for ${outcome.failedOrgs.join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    await closeStores(stores);
  }
}
