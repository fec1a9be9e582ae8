import { Readable } from 'node:stream';
import type { DeadLetter, DeadLetterStore } from '@tollgate/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalidField, orgAdminOnly, orgIdOf } from './admin-access';

const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  /** `next_cursor` of the previous page. */
  cursor: z.string().max(200).optional(),
  /** The operator's admins read another org with it (see auth-plugin). */
  org_id: z.string().optional(),
});

const exportQuerySchema = listQuerySchema.omit({ limit: true, cursor: true });

type Position = { createdAt: Date; id: string };

/** A page's end as an opaque cursor: its time and id, base64url. */
function encodeCursor(letter: Position): string {
  return Buffer.from(`${letter.createdAt.toISOString()} ${letter.id}`).toString('base64url');
}

function decodeCursor(cursor: string): Position {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(' ');
  const createdAt = new Date(time ?? '');
  if (!id || Number.isNaN(createdAt.getTime())) {
    throw invalidField('cursor', 'not a cursor this API gave (use next_cursor as it is)');
  }
  return { createdAt, id };
}

/** Rows one export reads from the meta store at a time. */
const EXPORT_PAGE = 1_000;

/** A dead letter as the API shows it: the row as text (JSON escapes kept) and as the exact bytes (base64). */
export function presentDeadLetter(letter: DeadLetter) {
  return {
    id: letter.id,
    org_id: letter.orgId,
    event_id: letter.eventId,
    event_time: letter.eventTime,
    error: letter.error,
    error_code: letter.errorCode,
    row: Buffer.from(letter.rowBase64, 'base64').toString('utf8'),
    row_base64: letter.rowBase64,
    created_at: letter.createdAt.toISOString(),
  };
}

/** Every dead letter of an org, newest first, one NDJSON line each. */
async function* exportLines(store: DeadLetterStore, orgId: string): AsyncGenerator<string> {
  let after: Position | undefined;
  for (;;) {
    const page = await store.listDeadLetters(orgId, { limit: EXPORT_PAGE, after });
    for (const letter of page) yield `${JSON.stringify(presentDeadLetter(letter))}\n`;
    if (page.length < EXPORT_PAGE) return;
    after = page[page.length - 1]!;
  }
}

/**
 * `GET /api/v1/admin/dead-letters`: event rows the event store refused for
 * good, with its message, newest first; `…/export`: all of them as NDJSON.
 * An org admin sees its own org's; the operator's admins any org's with `?org_id=`.
 */
export async function adminDeadLettersRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/admin/dead-letters',
    { preValidation: orgAdminOnly(app), schema: { querystring: listQuerySchema } },
    async (request) => {
      const query = request.query;
      const letters = await app.stores.meta.listDeadLetters(orgIdOf(request), {
        limit: query.limit,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
      });
      const last = letters[letters.length - 1];
      return {
        dead_letters: letters.map(presentDeadLetter),
        next_cursor: letters.length === query.limit && last ? encodeCursor(last) : null,
      };
    },
  );

  app.get(
    '/api/v1/admin/dead-letters/export',
    { preValidation: orgAdminOnly(app), schema: { querystring: exportQuerySchema } },
    async (request, reply) => {
      const lines = exportLines(app.stores.meta, orgIdOf(request));
      return reply
        .type('application/x-ndjson')
        .header('content-disposition', 'attachment; filename="dead-letters.ndjson"')
        .send(Readable.from(lines));
    },
  );
}
