import { pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';

/**
 * Each org's content data key (encryption at rest), wrapped by the operator's
 * master key: the key itself is never stored in the clear. One key per org
 * for now; values name the key id they were sealed with, so a later data-key
 * rotation can add keys without rewriting events. No foreign key to the org:
 * events of a deleted org stay readable until retention removes them.
 */
export const contentKeys = pgTable(
  'content_keys',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    wrappedKey: text('wrapped_key').notNull(),
    masterKeyId: text('master_key_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [unique('content_keys_org_id_unique').on(table.orgId)],
);
