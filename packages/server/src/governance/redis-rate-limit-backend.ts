import type { Redis } from 'ioredis';
import {
  counterKey,
  previousWeight,
  slidingCount,
  windowOf,
  WINDOW_MS,
  type RateLimitBackend,
  type RateLimitOutcome,
  type RateLimitRule,
} from './sliding-window';

/**
 * KEYS: for each rule its previous and current window counters.
 * ARGV[1] weight of the previous window, ARGV[2] counter TTL in ms, then per rule cost and limit.
 * Checks every rule, then adds every cost only if all fit: one atomic step on the server.
 * Returns 1 or 0 (allowed), then each rule's previous and current counters before the call.
 */
const SLIDING_WINDOW_SCRIPT = `
local weight = tonumber(ARGV[1])
local allowed = 1
local counts = {}
for index = 1, #KEYS / 2 do
  local previous = tonumber(redis.call('GET', KEYS[index * 2 - 1]) or '0')
  local current = tonumber(redis.call('GET', KEYS[index * 2]) or '0')
  counts[#counts + 1] = previous
  counts[#counts + 1] = current
  local cost = tonumber(ARGV[1 + index * 2])
  local limit = tonumber(ARGV[2 + index * 2])
  if math.max(previous, 0) * weight + math.max(current, 0) + cost > limit then
    allowed = 0
  end
end
if allowed == 1 then
  for index = 1, #KEYS / 2 do
    redis.call('INCRBY', KEYS[index * 2], ARGV[1 + index * 2])
    redis.call('PEXPIRE', KEYS[index * 2], ARGV[2])
  end
end
table.insert(counts, 1, allowed)
return counts
`;

const COUNTER_TTL_MS = WINDOW_MS * 2 + 5_000;

type SlidingWindowCommand = (...keysAndArguments: (string | number)[]) => Promise<number[]>;

/** A check slower than this fails, so the limiter falls back to memory within the request. */
const HIT_TIMEOUT_MS = 1_000;

/**
 * Counters in Redis, shared by every server process; each check-and-add is one Lua script. It
 * runs on the hot store's connection (`RedisHotStore.connection`), which owns and closes it.
 */
export class RedisRateLimitBackend implements RateLimitBackend {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {
    if (!(redis as unknown as Partial<Record<string, unknown>>).tollgateSlidingWindow) {
      redis.defineCommand('tollgateSlidingWindow', { lua: SLIDING_WINDOW_SCRIPT });
    }
  }

  async hit(rules: RateLimitRule[], now: number): Promise<RateLimitOutcome> {
    const window = windowOf(now);
    const keys = rules.flatMap((rule) => [
      this.namespace + counterKey(rule.key, window - 1),
      this.namespace + counterKey(rule.key, window),
    ]);
    const costs = rules.flatMap((rule) => [rule.cost, rule.limit]);
    const command = (this.redis as unknown as { tollgateSlidingWindow: SlidingWindowCommand })
      .tollgateSlidingWindow;
    const [allowed, ...counts] = await withTimeout(
      command.call(this.redis, keys.length, ...keys, previousWeight(now), COUNTER_TTL_MS, ...costs),
      HIT_TIMEOUT_MS,
    );
    return {
      allowed: allowed === 1,
      window,
      states: rules.map((rule, index) => {
        const previous = Number(counts[index * 2] ?? 0);
        const current = Number(counts[index * 2 + 1] ?? 0);
        return { rule, previous, current, used: slidingCount(previous, current, now) };
      }),
    };
  }

  async adjust(key: string, window: number, delta: number): Promise<void> {
    if (delta === 0) return;
    await withTimeout(
      this.redis.incrby(this.namespace + counterKey(key, window), Math.round(delta)),
      HIT_TIMEOUT_MS,
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
