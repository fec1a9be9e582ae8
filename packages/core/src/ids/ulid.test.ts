import { describe, it, expect } from 'vitest';
import { createEventId, createEventIdFactory, eventTimeFromId, isEventId } from './ulid';

const SAME_MILLISECOND = Date.UTC(2030, 0, 1, 12, 0, 0, 123);

describe('createEventId', () => {
  it('gives 10,000 ids in the same millisecond that strictly increase as strings', () => {
    const createId = createEventIdFactory();
    const ids = Array.from({ length: 10_000 }, () => createId(SAME_MILLISECOND));

    for (let index = 1; index < ids.length; index += 1) {
      expect(ids[index]! > ids[index - 1]!).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => eventTimeFromId(id) === SAME_MILLISECOND)).toBe(true);
  });

  it('keeps the shared generator monotonic within a millisecond', () => {
    const now = Date.UTC(2100, 0, 1);
    const ids = Array.from({ length: 1_000 }, () => createEventId(now));
    expect([...ids].sort()).toEqual(ids);
  });

  it('encodes the given time, which decodes back exactly', () => {
    for (const now of [1, 1_700_000_000_000, Date.UTC(2026, 10, 23, 18, 13, 21, 999)]) {
      const id = createEventId(now);
      expect(isEventId(id)).toBe(true);
      expect(eventTimeFromId(id)).toBe(now);
    }
  });

  it('honours an explicit time earlier than ids already made (late events keep their time)', () => {
    const createId = createEventIdFactory();
    createId(2_000_000_000_000);
    const late = createId(1_000_000_000_000);
    expect(eventTimeFromId(late)).toBe(1_000_000_000_000);
  });

  it('encodes the epoch itself rather than the current time', () => {
    expect(eventTimeFromId(createEventId(0))).toBe(0);
  });

  it('defaults to the current time', () => {
    const before = Date.now();
    const time = eventTimeFromId(createEventIdFactory()());
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });

  it('rejects times a ULID cannot hold', () => {
    expect(() => createEventId(-1)).toThrow(RangeError);
    expect(() => createEventId(1.5)).toThrow(RangeError);
    expect(() => createEventId(Number.NaN)).toThrow(RangeError);
    expect(() => createEventId(2 ** 48)).toThrow(RangeError);
  });
});

describe('isEventId', () => {
  it('accepts well-formed ids in either case', () => {
    expect(isEventId('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(true);
    expect(isEventId('01arz3ndektsv4rrffq69g5fav')).toBe(true);
    expect(isEventId('7ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too short', '01ARZ3NDEKTSV4RRFFQ69G5FA'],
    ['too long', '01ARZ3NDEKTSV4RRFFQ69G5FAVX'],
    ['letter I (not Crockford)', '01ARZ3NDEKTSV4RRFFQ69G5FAI'],
    ['letter L', '01ARZ3NDEKTSV4RRFFQ69G5FAL'],
    ['letter O', '01ARZ3NDEKTSV4RRFFQ69G5FAO'],
    ['letter U', '01ARZ3NDEKTSV4RRFFQ69G5FAU'],
    ['time above 48 bits', '80000000000000000000000000'],
    ['a UUID', '0188a5eb-8a8e-7c4d-b3e1-5b7f4a1c2d3e'],
    ['surrounding space', ' 01ARZ3NDEKTSV4RRFFQ69G5FAV'],
  ])('rejects %s', (_label, value) => {
    expect(isEventId(value)).toBe(false);
  });
});

describe('eventTimeFromId', () => {
  it('decodes the time of a known id', () => {
    expect(eventTimeFromId('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(1_469_922_850_259);
  });

  it('throws a RangeError for an invalid id', () => {
    expect(() => eventTimeFromId('not-an-id')).toThrow(RangeError);
    expect(() => eventTimeFromId('80000000000000000000000000')).toThrow(RangeError);
  });
});
