import type { DeadLetter, DeadLetterStore } from '@tollgate/core';
import { and, desc, eq, lt, or } from 'drizzle-orm';
import { deadLetters } from './dead-letter-schema';
import { createId } from './ids';
import type { MetaDatabase } from './meta-database';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Postgres text holds neither NUL nor (through the drivers) a lone surrogate. */
function storableText(text: string, maxLength: number): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD').slice(0, maxLength);
}

/** Dead letters, every read scoped to one organization. */
export function deadLetterQueries(database: MetaDatabase): DeadLetterStore {
  return {
    async addDeadLetters(letters) {
      if (letters.length === 0) return;
      await database.insert(deadLetters).values(
        letters.map((letter) => ({
          id: createId('dlq'),
          orgId: storableText(letter.orgId, 256),
          eventId: storableText(letter.eventId, 256),
          eventTime: storableText(letter.eventTime, 64),
          error: storableText(letter.error, 4_000),
          errorCode: letter.errorCode,
          rowBase64: letter.rowBase64,
          rowBytes: Buffer.byteLength(letter.rowBase64, 'base64'),
        })),
      );
    },

    async listDeadLetters(orgId, page) {
      const ofOrg = eq(deadLetters.orgId, orgId);
      const rows = await database
        .select()
        .from(deadLetters)
        .where(
          page.after
            ? and(
                ofOrg,
                or(
                  lt(deadLetters.createdAt, page.after.createdAt),
                  and(
                    eq(deadLetters.createdAt, page.after.createdAt),
                    lt(deadLetters.id, page.after.id),
                  ),
                ),
              )
            : ofOrg,
        )
        .orderBy(desc(deadLetters.createdAt), desc(deadLetters.id))
        .limit(page.limit);
      return rows.map((row): DeadLetter => ({
        id: row.id,
        orgId: row.orgId,
        eventId: row.eventId,
        eventTime: row.eventTime,
        error: row.error,
        errorCode: row.errorCode,
        rowBase64: row.rowBase64,
        createdAt: row.createdAt,
      }));
    },
  };
}
