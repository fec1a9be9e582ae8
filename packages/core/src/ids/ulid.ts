import {
  decodeTime,
  encodeTime,
  monotonicFactory,
  TIME_LEN,
  TIME_MAX,
  ulid,
  type PRNG,
} from 'ulid';

/** 26 Crockford base32 characters; the first is 0-7 because the time fits in 48 bits. */
const EVENT_ID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;

const RANDOM_POOL_BYTES = 4096;

/**
 * The ulid package's own random source asks `crypto.getRandomValues` for one
 * byte per character (16 calls an id, a measurable share of a gateway call);
 * this one draws the same secure bytes a pool at a time. A byte over 256 maps
 * evenly onto the 32 base32 characters.
 */
function pooledRandom(): PRNG {
  const pool = new Uint8Array(RANDOM_POOL_BYTES);
  let next = RANDOM_POOL_BYTES;
  return () => {
    if (next === RANDOM_POOL_BYTES) {
      crypto.getRandomValues(pool);
      next = 0;
    }
    return pool[next++]! / 256;
  };
}

const random = pooledRandom();

/** Makes event ids (ULIDs) from an epoch-millisecond time. */
export type EventIdFactory = (now?: number) => string;

/**
 * Creates an independent event id generator.
 *
 * Ids for the current or a later millisecond come from a monotonic ULID
 * factory: within one millisecond each id is greater than the one before.
 * An explicit `now` earlier than the latest time seen (an event reported late
 * by the SDK, whose id must carry its own time) gets a fresh id with exactly
 * that time; such ids are unique but not ordered among themselves.
 */
export function createEventIdFactory(): EventIdFactory {
  const nextMonotonicId = monotonicFactory(random);
  let latestTime = -1;

  return (now?: number): string => {
    const time = now ?? Math.max(Date.now(), latestTime);
    assertEventTime(time);
    // The ulid factory treats a seed of 0 as "no seed" and uses Date.now().
    if (time < latestTime || time === 0) return createUnorderedId(time);
    latestTime = time;
    return nextMonotonicId(time);
  };
}

const createDefaultEventId = createEventIdFactory();

/** A new event id (ULID) whose time is `now` (default: the current time). */
export function createEventId(now?: number): string {
  return createDefaultEventId(now);
}

/** True for a well-formed ULID; lower case is accepted. */
export function isEventId(value: string): boolean {
  return EVENT_ID_PATTERN.test(value);
}

/** The event time (ms since epoch) carried in the first 10 characters of an id. */
export function eventTimeFromId(id: string): number {
  if (!isEventId(id)) throw new RangeError(`Not an event id (ULID): "${id}"`);
  return decodeTime(id);
}

function createUnorderedId(time: number): string {
  return encodeTime(time, TIME_LEN) + ulid(undefined, random).slice(TIME_LEN);
}

function assertEventTime(time: number): void {
  if (!Number.isInteger(time) || time < 0 || time > TIME_MAX) {
    throw new RangeError(`Event time must be an integer of ms from 0 to ${TIME_MAX}, got ${time}`);
  }
}
