import { bigint, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Event rows the event store refused for good (see `DeadLetterStore`). No
 * foreign key to the organization: like the audit log, the record of what was
 * refused outlives the org, and the writer must be able to keep a row whatever
 * it names. The row is base64 text, so any bytes fit (Postgres text holds no NUL).
 */
export const deadLetters = pgTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    eventId: text('event_id').notNull(),
    eventTime: text('event_time').notNull(),
    error: text('error').notNull(),
    errorCode: integer('error_code'),
    rowBase64: text('row_base64').notNull(),
    rowBytes: bigint('row_bytes', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [index('dead_letters_org_id_created_at_index').on(table.orgId, table.createdAt)],
);
