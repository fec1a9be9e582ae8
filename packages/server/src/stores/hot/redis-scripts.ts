import type { Redis } from 'ioredis';

/**
 * KEYS[1] counter, ARGV[1] increment, ARGV[2] TTL in ms (0: none).
 * The TTL is set only when this call creates the counter, so a window's
 * expiry does not move as it fills up.
 */
const INCREMENT_SCRIPT = `
local created = redis.call('EXISTS', KEYS[1]) == 0
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value
`;

/**
 * KEYS[1] key, ARGV[1] '1' if a value is expected or '0' if the key must be
 * absent, ARGV[2] expected value, ARGV[3] next value, ARGV[4] TTL in ms (0: none).
 * Returns 1 when it set the key, 0 when the current value did not match.
 */
const COMPARE_AND_SET_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1
`;

/**
 * KEYS the keys to claim, ARGV[1] TTL in ms. Sets each absent key (SET NX PX)
 * and returns, per key, 1 when this call claimed it and 0 when it was held.
 */
const CLAIM_SCRIPT = `
local claimed = {}
for index, key in ipairs(KEYS) do
  if redis.call('SET', key, '1', 'NX', 'PX', ARGV[1]) then
    claimed[index] = 1
  else
    claimed[index] = 0
  end
end
return claimed
`;

export interface HotStoreScripts {
  tollgateClaim(...keysAndTtl: (string | number)[]): Promise<number[]>;
  tollgateIncrement(key: string, by: number, ttlMs: number): Promise<number>;
  tollgateCompareAndSet(
    key: string,
    expectsValue: '0' | '1',
    expected: string,
    next: string,
    ttlMs: number,
  ): Promise<number>;
}

/**
 * Registers the hot store's Lua scripts on a connection and returns it typed
 * with them. ioredis runs each by EVALSHA and loads it again if the server
 * has forgotten it (NOSCRIPT); each script runs atomically on the server.
 */
export function defineHotStoreScripts(redis: Redis): HotStoreScripts {
  redis.defineCommand('tollgateIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
  redis.defineCommand('tollgateCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET_SCRIPT });
  // The number of keys varies: each call passes it first.
  redis.defineCommand('tollgateClaim', { lua: CLAIM_SCRIPT });
  // defineCommand adds the methods at runtime; this is their type.
  return redis as unknown as HotStoreScripts;
}
