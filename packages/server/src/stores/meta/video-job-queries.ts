import type { VideoJob, VideoJobStore } from '@tollgate/core';
import { and, asc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { MetaDatabase } from './meta-database';
import { videoJobs } from './video-job-schema';

/**
 * Video jobs. A caller's reads name its org and project; the follower's claim
 * is the one query across tenants (it works for every tenant's jobs), and each
 * of its writes then names the job's org and id and holds only while its lease does.
 */
export function videoJobQueries(database: MetaDatabase): VideoJobStore {
  return {
    async createVideoJob(job) {
      const [row] = await database.insert(videoJobs).values(job).returning();
      return row as VideoJob;
    },

    async getVideoJob(scope, id) {
      const [row] = await database
        .select()
        .from(videoJobs)
        .where(
          and(
            eq(videoJobs.orgId, scope.orgId),
            eq(videoJobs.projectId, scope.projectId),
            eq(videoJobs.id, id),
          ),
        );
      return row as VideoJob | undefined;
    },

    async claimVideoJobs(owner, now, leaseMs, limit) {
      const leaseFree = or(isNull(videoJobs.leaseUntil), lt(videoJobs.leaseUntil, now));
      // Rows another process is claiming right now are skipped, not waited for; the outer
      // condition is checked again on the row as it is when the update reaches it.
      const due = sql`(${videoJobs.orgId}, ${videoJobs.id}) IN (
        SELECT "org_id", "id" FROM "video_jobs"
        WHERE "recorded_at" IS NULL AND "next_poll_at" <= ${now}
          AND ("lease_until" IS NULL OR "lease_until" < ${now})
        ORDER BY "next_poll_at" LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)`;
      const rows = await database
        .update(videoJobs)
        .set({ leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) })
        .where(and(due, isNull(videoJobs.recordedAt), lte(videoJobs.nextPollAt, now), leaseFree))
        .returning();
      return (rows as VideoJob[]).sort((a, b) => a.nextPollAt.getTime() - b.nextPollAt.getTime());
    },

    async updateVideoJob(job, owner, update) {
      const rows = await database
        .update(videoJobs)
        .set({ ...update, leaseOwner: null, leaseUntil: null })
        .where(
          and(
            eq(videoJobs.orgId, job.orgId),
            eq(videoJobs.id, job.id),
            eq(videoJobs.leaseOwner, owner),
          ),
        )
        .returning({ id: videoJobs.id });
      return rows.length > 0;
    },

    async nextVideoPollAt() {
      const [row] = await database
        .select({ at: videoJobs.nextPollAt })
        .from(videoJobs)
        .where(isNull(videoJobs.recordedAt))
        .orderBy(asc(videoJobs.nextPollAt))
        .limit(1);
      return row?.at;
    },
  };
}
