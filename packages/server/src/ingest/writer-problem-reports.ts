import type { ErrorReporter } from '../observability/error-reporter';
import type { RefusedRow } from './isolating-insert';

/** Shares of the spool's size whose passing is reported (see `spoolGrew`). */
const SPOOL_SHARES_REPORTED = [0.5, 0.9] as const;

/**
 * What the event writer reports to the operator's error reporting (`SENTRY_DSN`): the event store
 * failing (events spool), the spool growing and filling, rows dead-lettered. Counts, codes and
 * org ids only: never a row, whose text could be a prompt.
 */
export class WriterProblemReports {
  /** The largest share of the spool's size reported since it was last empty. */
  private spoolShareReported = 0;

  constructor(private readonly reporter: ErrorReporter | undefined) {}

  storeFailed(error: unknown, rows: number): void {
    this.reporter?.captureError('store_outage', error, { details: { rows, store: 'events' } });
  }

  spoolFull(spoolBytes: number): void {
    this.reporter?.captureProblem(
      'spool_growth',
      'the spool is full: ingestion answers 503 until the event store is back',
      { level: 'fatal', details: { spool_bytes: spoolBytes } },
    );
  }

  /** Reports the spool passing half, then nine tenths, of its size (once each until it empties). */
  spoolGrew(spool: { bytes: number; maxBytes: number }): void {
    const share = spool.bytes / spool.maxBytes;
    const passed = SPOOL_SHARES_REPORTED.filter((each) => share >= each).at(-1);
    if (!this.reporter || passed === undefined || passed <= this.spoolShareReported) return;
    this.spoolShareReported = passed;
    this.reporter.captureProblem(
      'spool_growth',
      `the spool passed ${passed * 100}% of its size while the event store is unavailable`,
      {
        level: passed >= 0.9 ? 'error' : 'warning',
        details: { spool_bytes: spool.bytes, spool_max_bytes: spool.maxBytes },
      },
    );
  }

  spoolEmptied(): void {
    this.spoolShareReported = 0;
  }

  /** One report per org of the refused rows: how many, the batch and the store's error code. */
  deadLettered(batchId: string, refused: readonly RefusedRow[]): void {
    if (!this.reporter) return;
    const byOrg = new Map<string, RefusedRow[]>();
    for (const row of refused) {
      byOrg.set(row.line.orgId, [...(byOrg.get(row.line.orgId) ?? []), row]);
    }
    for (const [orgId, rows] of byOrg) {
      this.reporter.captureProblem(
        'dead_letter',
        'the event store refused rows for good; they were kept as dead letters',
        {
          orgId,
          level: 'warning',
          details: {
            rows: rows.length,
            batch_id: batchId,
            clickhouse_code: rows[0]!.error.clickhouseCode ?? undefined,
          },
        },
      );
    }
  }
}
