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

const DAY_MS = 86_400_000;

/** One event of a hostile batch, with the field its 4xx must name (none for a valid event). */
export interface HostileEvent {
  event: Record<string, unknown>;
  /** The field the per-item error must name; undefined: the event is valid and must be stored. */
  field?: string;
  /** The defect's generator, for the summary. */
  kind: string;
}

/** The window every valid event's `ts` is drawn from: inside the org's retention, not ahead of now. */
export interface EventWindow {
  now: number;
  retentionDays: number;
}

/** Stands for JSON nested `depth` levels, put in place by `serializeHostileBatch` (JSON.stringify cannot go that deep). */
const DEEP_MARK = '__tollgate_deep__';

/** A valid event of a run, with a `ts` anywhere in the window (spreading over its partitions). */
function validEvent(runId: string, window: EventWindow): fc.Arbitrary<Record<string, unknown>> {
  const oldest = window.now - (window.retentionDays - 1) * DAY_MS;
  return fc
    .record({
      ts: fc.integer({ min: oldest, max: window.now }),
      name: fc.string({ maxLength: 40 }),
      input_tokens: fc.nat({ max: 100_000 }),
      output_tokens: fc.nat({ max: 100_000 }),
      tags: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
      // Keys that are not `__proto__`: the body parser refuses that key for the whole body.
      metadata: fc.dictionary(
        fc.string({ maxLength: 8 }).filter((key) => key !== '__proto__' && key !== 'constructor'),
        fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null)),
        { maxKeys: 3 },
      ),
    })
    .map((fields) => ({ event_type: 'prompt_call', run_id: runId, model: 'gpt-4o', ...fields }));
}

/** Times no store keeps: before the retention or 1970, past the allowed skew, 2106, 2262, 9999, absurd. */
function timeExtreme(window: EventWindow): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(
      0,
      -1,
      '1969-12-31T23:59:59.999Z',
      '1900-01-01T00:00:00Z',
      4_294_967_296_000,
      '2106-02-07T06:28:16Z',
      '2262-04-11T23:47:16.854Z',
      '9999-12-31T23:59:59.999Z',
      8_640_000_000_000_000,
      1e20,
      Number.MAX_SAFE_INTEGER,
    ),
    fc
      .integer({ min: 1, max: 1_000 * DAY_MS })
      .map((before) => window.now - window.retentionDays * DAY_MS - before),
    fc.integer({ min: 2 * 3_600_000, max: 100_000 * DAY_MS }).map((ahead) => window.now + ahead),
  );
}

/** Where a bad string goes: a top-level text field, a tag, or deep in metadata. */
const STRING_PLACES = ['name', 'user_id', 'input', 'tags.0', 'metadata.note', 'metadata.a.b'];

function place(event: Record<string, unknown>, path: string, value: unknown): void {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) {
    event[head!] = value;
    return;
  }
  if (head === 'tags') {
    event.tags = [value];
    return;
  }
  let target: Record<string, unknown> = {};
  event[head!] = target;
  for (const key of rest.slice(0, -1)) target = target[key] = {} as Record<string, unknown>;
  target[rest.at(-1)!] = value;
}

/** Text with one lone surrogate or NUL spliced in. */
function unstorableText(bad: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(fc.string({ maxLength: 30 }), bad, fc.string({ maxLength: 30 }))
    .map(([before, char, after]) => `${before}${char}${after}`);
}

const LONE_SURROGATE = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdbff }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0xdc00, max: 0xdfff }).map((code) => String.fromCharCode(code)),
);

const UNKNOWN_FIELDS = [
  'tokens_input',
  'tokens_output',
  'prompt_tokens',
  'completion_tokens',
  'timestamp',
  'lantency_ms',
  'costUsd',
  'org_id',
  'project_id',
  '__proto_',
  'extra',
];

/**
 * A batch of events for one run: valid ones (their `ts` spread over the
 * retention) mixed with events that each carry one defect: a time no store
 * keeps, a lone surrogate or a NUL in any string, metadata nested up to
 * 20,000 levels, an unknown field. Each says which field its error must name.
 */
export function hostileEventBatch(
  runId: string,
  window: EventWindow,
): fc.Arbitrary<HostileEvent[]> {
  const valid = validEvent(runId, window);
  const defect = (kind: string, arbitrary: fc.Arbitrary<[Record<string, unknown>, string]>) =>
    arbitrary.map(([event, field]): HostileEvent => ({ event, field, kind }));
  const item: fc.Arbitrary<HostileEvent> = fc.oneof(
    { arbitrary: valid.map((event): HostileEvent => ({ event, kind: 'valid' })), weight: 6 },
    {
      arbitrary: defect(
        'time extreme',
        fc.tuple(valid, timeExtreme(window)).map(([event, ts]) => [{ ...event, ts }, 'ts']),
      ),
      weight: 2,
    },
    ...[['lone surrogate', LONE_SURROGATE] as const, ['NUL', fc.constant('\u0000')] as const].map(
      ([kind, bad]) => ({
        arbitrary: defect(
          kind,
          fc
            .tuple(valid, fc.constantFrom(...STRING_PLACES), unstorableText(bad))
            .map(([event, path, text]) => {
              const copy = { ...event };
              place(copy, path, text);
              return [copy, path];
            }),
        ),
        weight: 2,
      }),
    ),
    {
      arbitrary: defect(
        'deep nesting',
        fc
          .tuple(valid, fc.integer({ min: 33, max: 20_000 }))
          .map(([event, depth]) => [{ ...event, metadata: `${DEEP_MARK}${depth}` }, 'metadata']),
      ),
      weight: 1,
    },
    {
      arbitrary: defect(
        'unknown field',
        fc
          .tuple(valid, fc.constantFrom(...UNKNOWN_FIELDS), fc.nat())
          .map(([event, name, value]) => [{ ...event, [name]: value }, name]),
      ),
      weight: 2,
    },
    // Repeated `event_id`s (valid, stored once) have their own generator, `duplicateIdRounds`,
    // exercised by hostile-input.test.ts.
  );
  return fc.array(item, { minLength: 1, maxLength: 12 });
}

/** Events of a run one a month over `months` months back from `now`: a batch spread over that many partitions. */
export function partitionSpreadBatch(runId: string, now: number, months: number) {
  return Array.from({ length: months }, (_, month) => ({
    event_type: 'custom',
    run_id: runId,
    name: `month ${month}`,
    ts: now - month * 30 * DAY_MS,
  }));
}

/** The batch as JSON text, with deep-nesting marks replaced by the nested JSON they stand for. */
export function serializeHostileBatch(batch: readonly HostileEvent[]): string {
  return JSON.stringify(batch.map((item) => item.event)).replace(
    new RegExp(`"${DEEP_MARK}(\\d+)"`, 'g'),
    (_, depth: string) => `${'{"a":'.repeat(Number(depth))}1${'}'.repeat(Number(depth))}`,
  );
}
