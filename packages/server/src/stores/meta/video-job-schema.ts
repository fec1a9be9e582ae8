import type { OpenAIVideoError, ProviderName, VideoStatus } from '@tollgate/core';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

const time = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * Video jobs the gateway follows until they end (see `VideoJobStore`). Keyed
 * by org and id, so every write names its tenant. No foreign key to the
 * project: a job still ends and is recorded if its project goes.
 */
export const videoJobs = pgTable(
  'video_jobs',
  {
    orgId: text('org_id').notNull(),
    id: text('id').notNull(),
    projectId: text('project_id').notNull(),
    requestId: text('request_id').notNull(),
    eventId: text('event_id').notNull(),
    modelRequested: text('model_requested').notNull(),
    routeModel: text('route_model').notNull(),
    deploymentId: text('deployment_id').notNull(),
    provider: text('provider').$type<ProviderName>().notNull(),
    servedModel: text('served_model').notNull(),
    upstreamId: text('upstream_id').notNull(),
    prompt: text('prompt'),
    seconds: real('seconds'),
    size: text('size'),
    status: text('status').$type<VideoStatus>().notNull(),
    progress: integer('progress').notNull().default(0),
    error: jsonb('error').$type<OpenAIVideoError>(),
    simulated: boolean('simulated').notNull().default(false),
    trace: jsonb('trace').$type<Record<string, unknown>>(),
    userId: text('user_id'),
    attempts: jsonb('attempts').$type<unknown[]>().notNull(),
    pollCount: integer('poll_count').notNull().default(0),
    createdAt: time('created_at').notNull(),
    nextPollAt: time('next_poll_at').notNull(),
    deadlineAt: time('deadline_at').notNull(),
    completedAt: time('completed_at'),
    recordedAt: time('recorded_at'),
    leaseOwner: text('lease_owner'),
    leaseUntil: time('lease_until'),
  },
  (table) => [
    primaryKey({ columns: [table.orgId, table.id] }),
    index('video_jobs_org_id_project_id_created_at_index').on(
      table.orgId,
      table.projectId,
      table.createdAt,
    ),
    index('video_jobs_unrecorded_next_poll_at_index')
      .on(table.nextPollAt)
      .where(sql`${table.recordedAt} IS NULL`),
  ],
);
