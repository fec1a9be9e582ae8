/**
 * fast-check arbitraries for hostile requests: bodies that are malformed,
 * oversized, deeply nested or wrongly typed, objects whose known fields carry
 * SQL-looking strings and wrong types, hostile query strings and headers.
 */
import fc from 'fast-check';

const SQL_LOOKING = [
  "' OR '1'='1",
  "'; DROP TABLE events; --",
  "1' UNION SELECT * FROM system.tables --",
  '1; SELECT sleep(3)',
  "\\'; TRUNCATE TABLE events --",
  "x') OR 1=1 FORMAT JSON --",
  '{"$ne": null}',
  '../../../../etc/passwd',
  '%00%0d%0aX-Evil: 1',
  '<script>alert(1)</script>',
];

/** A value of any JSON type, biased towards hostile strings and extreme numbers. */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...SQL_LOOKING),
    fc.string({ maxLength: 64 }),
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.constantFrom(0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.5, true, false, null),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.array(fc.constantFrom(...SQL_LOOKING, 1, null), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.constantFrom(...SQL_LOOKING, 1, null), {
      maxKeys: 4,
    }),
  );
}

/** A hostile value as text, for paths, query strings and headers. */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** `[[[...]]]` or `{"a":{"a":...}}` nested `depth` levels. */
function nested(depth: number, asObject: boolean): string {
  return asObject
    ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
    : '['.repeat(depth) + ']'.repeat(depth);
}

/**
 * A request body: malformed text, any JSON, objects (or arrays of them) with
 * the endpoint's own fields set to hostile values, deep nesting, or a body
 * just over the size limit.
 */
export function hostileBody(maxBytes: number, fields: readonly string[]): fc.Arbitrary<string> {
  const withFields = fc
    .dictionary(fc.constantFrom(...fields), hostileValue(), { minKeys: 1, maxKeys: fields.length })
    .map((object) => JSON.stringify(object));
  return fc.oneof(
    { arbitrary: withFields, weight: 6 },
    {
      arbitrary: fc.array(withFields, { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
      weight: 3,
    },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)), weight: 2 },
    { arbitrary: fc.string({ maxLength: 200 }), weight: 2 },
    // Truncated or corrupted JSON.
    {
      arbitrary: fc
        .tuple(withFields, fc.nat())
        .map(([text, cut]) => text.slice(0, cut % Math.max(1, text.length))),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(fc.integer({ min: 64, max: 20_000 }), fc.boolean())
        .map(([depth, asObject]) => nested(depth, asObject)),
      weight: 1,
    },
    {
      arbitrary: fc
        .constantFrom(...fields)
        .map((field) => JSON.stringify({ [field]: 'x'.repeat(maxBytes + 1) })),
      weight: 1,
    },
  );
}

/** A query string over the given parameter names with hostile values (some repeated). */
export function hostileQuery(names: readonly string[]): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(fc.constantFrom(...names), hostileValue()), { maxLength: 6 })
    .map((pairs) =>
      pairs.map(([name, value]) => `${name}=${encodeURIComponent(asText(value))}`).join('&'),
    );
}

/**
 * Headers a hostile client might send: request and run ids with SQL-looking or
 * encoded CR/LF strings, odd cache directives, wrong content types. (Raw CR/LF
 * cannot be sent: HTTP clients and parsers refuse them before any handler.)
 */
export function hostileHeaders(): fc.Arbitrary<Record<string, string>> {
  const headerValue = fc.oneof(
    fc.constantFrom(...SQL_LOOKING),
    fc.string({ maxLength: 300 }).map((text) => text.replace(/[^\x20-\x7e]/g, '')),
  );
  return fc.record(
    {
      'x-request-id': headerValue,
      'x-tollgate-run-id': headerValue,
      'x-tollgate-parent-id': headerValue,
      'x-tollgate-session-id': headerValue,
      'x-tollgate-user-id': headerValue,
      'cache-control': headerValue,
      'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-evil'),
      accept: fc.constantFrom('text/csv', 'application/json', '*/*', "'; DROP TABLE x"),
    },
    { requiredKeys: [] },
  );
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A valid ULID whose time is `ts` and whose random part fast-check draws (so a seed replays it). */
function ulidAt(ts: number): fc.Arbitrary<string> {
  let time = '';
  for (let rest = ts, index = 0; index < 10; index++, rest = Math.floor(rest / 32)) {
    time = CROCKFORD[rest % 32]! + time;
  }
  return fc
    .array(fc.constantFrom(...CROCKFORD), { minLength: 16, maxLength: 16 })
    .map((random) => time + random.join(''));
}

/**
 * Rounds of ingestion batches whose events take their `event_id` from a small
 * pool: copies inside one batch, across batches, and in batches sent at the
 * same time; a copy may differ in every other field (a client that rebuilt
 * the event). Each round is sent at once (concurrently), rounds one after the other.
 */
export function duplicateIdRounds(
  now: number,
): fc.Arbitrary<{ pool: string[]; rounds: Record<string, unknown>[][][] }> {
  return fc
    .integer({ min: 60_000, max: 3_600_000 })
    .chain((age) => fc.uniqueArray(ulidAt(now - age), { minLength: 1, maxLength: 6 }))
    .chain((pool) => {
      const event = fc.record({
        event_id: fc.constantFrom(...pool),
        event_type: fc.constant('custom'),
        name: fc.string({ maxLength: 16 }).map((name) => name.replace(/[^\x20-\x7e]/g, '')),
        latency_ms: fc.integer({ min: 0, max: 10_000 }),
      });
      const batch = fc.array(event, { minLength: 1, maxLength: 8 });
      const round = fc.array(batch, { minLength: 1, maxLength: 3 });
      return fc.record({
        pool: fc.constant(pool),
        rounds: fc.array(round, { minLength: 1, maxLength: 3 }),
      });
    });
}
