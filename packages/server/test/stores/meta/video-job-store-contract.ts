import type { MetaStore, NewVideoJob } from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetaStoreContractOptions } from './meta-store-contract';

const T0 = Date.parse('2026-12-07T12:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
let sequence = 0;

function newJob(scope: { orgId: string; projectId: string }, dueInMs: number): NewVideoJob {
  sequence += 1;
  return {
    id: `video_${sequence.toString(16).padStart(32, '0')}`,
    orgId: scope.orgId,
    projectId: scope.projectId,
    requestId: `request-${sequence}`,
    eventId: '01KBZ0000000000000000000' + String(sequence).padStart(2, '0'),
    modelRequested: 'sora-2',
    routeModel: 'sora-2',
    deploymentId: 'sora',
    provider: 'openai',
    servedModel: 'sora-2',
    upstreamId: `video_upstream_${sequence}`,
    prompt: 'a boat',
    seconds: 4,
    size: '720x1280',
    status: 'queued',
    progress: 0,
    error: null,
    simulated: false,
    trace: { runId: 'run-1', userId: 'user-1' },
    userId: null,
    attempts: [],
    createdAt: at(0),
    nextPollAt: at(dueInMs),
    deadlineAt: at(3_600_000),
  };
}

/**
 * Video jobs in the meta store, the same on every implementation: reads
 * scoped to the tenant, claims leased to one owner at a time (across stores on
 * one database, as replicas are), writes fenced by the lease.
 */
export function runVideoJobStoreContract({ kind, create }: MetaStoreContractOptions): void {
  describe(`video job store contract (${kind})`, () => {
    let remove: () => Promise<void>;
    let open: () => Promise<MetaStore>;
    let store: MetaStore;
    let scope: { orgId: string; projectId: string };
    let otherOrg: { orgId: string; projectId: string };

    beforeAll(async () => {
      const storage = await create();
      remove = () => storage.remove();
      open = () => storage.open();
      store = await open();
      await store.migrate();
      const org = await store.createOrganization({ name: 'acme' });
      const second = await store.createOrganization({ name: 'globex' });
      scope = {
        orgId: org.id,
        projectId: (await store.createProject({ orgId: org.id, name: 'app' })).id,
      };
      otherOrg = {
        orgId: second.id,
        projectId: (await store.createProject({ orgId: second.id, name: 'app' })).id,
      };
    });

    afterAll(async () => {
      await store?.close();
      await remove?.();
    });

    it('reads a job only in its own org and project', async () => {
      const job = await store.createVideoJob(newJob(scope, 100 * 86_400_000));
      expect(await store.getVideoJob(scope, job.id)).toMatchObject({
        id: job.id,
        status: 'queued',
        seconds: 4,
        trace: { runId: 'run-1' },
        pollCount: 0,
        recordedAt: null,
      });
      expect(await store.getVideoJob(otherOrg, job.id)).toBeUndefined();
      expect(
        await store.getVideoJob({ orgId: scope.orgId, projectId: otherOrg.projectId }, job.id),
      ).toBeUndefined();
    });

    it('leases due jobs to one owner until the lease runs out, and fences writes by it', async () => {
      // Due far in the future of the other tests' jobs: only these two are due at `now`.
      const base = 20 * 86_400_000;
      const due = await store.createVideoJob(newJob(scope, base));
      const foreign = await store.createVideoJob(newJob(otherOrg, base + 1));
      const later = await store.createVideoJob(newJob(scope, base + 60_000));
      const now = at(base + 1_000);

      const claimed = await store.claimVideoJobs('replica-a', now, 30_000, 10);
      expect(claimed.map((job) => job.id).sort()).toEqual([due.id, foreign.id].sort());
      expect(claimed[0]).toMatchObject({ leaseOwner: 'replica-a' });
      expect(await store.claimVideoJobs('replica-b', now, 30_000, 10)).toEqual([]);

      // A's lease ran out (it died): B takes the job over, and A can no longer write it.
      const takenOver = await store.claimVideoJobs('replica-b', at(base + 32_000), 30_000, 10);
      expect(takenOver.map((job) => job.id).sort()).toEqual([due.id, foreign.id].sort());
      expect(await store.updateVideoJob(due, 'replica-a', { pollCount: 1 })).toBe(false);
      expect(
        await store.updateVideoJob(due, 'replica-b', {
          pollCount: 1,
          status: 'in_progress',
          progress: 40,
          nextPollAt: at(base + 35_000),
        }),
      ).toBe(true);
      expect(await store.getVideoJob(scope, due.id)).toMatchObject({
        pollCount: 1,
        status: 'in_progress',
        progress: 40,
        leaseOwner: null,
        leaseUntil: null,
      });

      // A recorded job is never claimed again.
      expect(
        await store.updateVideoJob(foreign, 'replica-b', {
          status: 'completed',
          recordedAt: at(base + 32_000),
          completedAt: at(base + 32_000),
        }),
      ).toBe(true);
      const next = await store.claimVideoJobs('replica-a', at(base + 35_000), 30_000, 10);
      expect(next.map((job) => job.id)).toEqual([due.id]);
      expect(later.id).not.toBe(due.id);
    });

    it('tells the earliest next poll of a job not yet recorded', async () => {
      const earliest = await store.nextVideoPollAt();
      expect(earliest).toBeInstanceOf(Date);
      const job = await store.createVideoJob(newJob(scope, -60_000));
      expect((await store.nextVideoPollAt())?.getTime()).toBe(job.nextPollAt.getTime());
    });

    it.runIf(kind === 'postgres')(
      'gives each due job to exactly one of two replicas claiming at once',
      async () => {
        const base = 30 * 86_400_000;
        const jobs = await Promise.all(
          Array.from({ length: 12 }, (_, index) =>
            store.createVideoJob(newJob(scope, base + index)),
          ),
        );
        const replica = await open();
        try {
          const now = at(base + 1_000);
          const [a, b] = await Promise.all([
            store.claimVideoJobs('replica-a', now, 30_000, 8),
            replica.claimVideoJobs('replica-b', now, 30_000, 8),
          ]);
          const ids = [...a, ...b].map((job) => job.id);
          expect(new Set(ids).size).toBe(ids.length);
          // Whatever one missed, a second claim picks up: every due job is claimed once.
          const rest = await replica.claimVideoJobs('replica-b', now, 30_000, 50);
          const all = [...ids, ...rest.map((job) => job.id)];
          expect(new Set(all).size).toBe(all.length);
          expect(all).toEqual(expect.arrayContaining(jobs.map((job) => job.id)));
        } finally {
          await replica.close();
        }
      },
    );
  });
}
