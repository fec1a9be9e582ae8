import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EVENT_COLUMNS } from './event-columns';
import { eventInputSchema } from './event-schema';
import { checkEventInput, eventTimeProblem, findUnstorableValue } from './check-event-input';
import { suggestEventField, eventFieldsOf } from './event-field-names';
import {
  repairStorableText,
  storableTextProblem,
  toStorableJson,
  toStorableText,
} from './storable-text';

describe('storable text', () => {
  it('finds NUL and unpaired surrogates, and passes pairs', () => {
    expect(storableTextProblem('a\u0000b')).toMatch(/NUL character \(at position 1\)/);
    expect(storableTextProblem('x\ud800')).toMatch(/U\+D800 \(at position 1\)/);
    expect(storableTextProblem('\udc00x')).toMatch(/U\+DC00 \(at position 0\)/);
    expect(storableTextProblem('\ud83d\ude00 and é')).toBeUndefined();
  });

  it('repairs: U+FFFD for each unpaired surrogate, NUL removed, pairs kept', () => {
    expect(toStorableText('a\u0000b\ud800c\udfff\ud83d\ude00')).toBe('ab\ufffdc\ufffd\ud83d\ude00');
    const value = { 'k\u0000': ['\ud800'], nested: { deep: 'x\u0000' } };
    repairStorableText(value);
    expect(value).toEqual({ k: ['\ufffd'], nested: { deep: 'x' } });
  });
});

describe('checkEventInput', () => {
  it('names an unknown field and the field it likely meant', () => {
    expect(checkEventInput({ event_type: 'prompt_call', tokens_input: 1 })).toEqual([
      {
        field: 'tokens_input',
        message: 'is not a field of a prompt_call; did you mean "input_tokens"?',
      },
    ]);
    expect(suggestEventField('Input_Tokens', eventFieldsOf('prompt_call'))).toBe('input_tokens');
    expect(suggestEventField('outptu_tokens', eventFieldsOf('prompt_call'))).toBe('output_tokens');
    // A field of another event type is unknown here, and nothing close is suggested.
    expect(checkEventInput({ event_type: 'custom', tool_name: 'x' })[0]?.message).toBe(
      'is not a field of a custom',
    );
  });

  it('walks 100,000 levels without recursion and reports the depth at the field', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 100_000; level += 1) deep = [deep];
    expect(checkEventInput({ event_type: 'custom', metadata: { a: deep } })).toEqual([
      { field: 'metadata', message: 'is nested deeper than 32 levels' },
    ]);
    expect(findUnstorableValue({ a: [{ b: 'ok' }, { c: '\u0000' }] }, '', 64)?.field).toBe('a.1.c');
  });

  it('bounds metadata to 256 KiB of JSON and content JSON to 1,000,000 characters', () => {
    const wide = { event_type: 'custom', metadata: { text: 'x'.repeat(262_144) } };
    expect(checkEventInput(wide)[0]?.field).toBe('metadata');
    const big = { event_type: 'custom', output: { text: 'x'.repeat(1_000_000) } };
    expect(checkEventInput(big)[0]?.message).toMatch(/the limit is 1000000/);
    expect(
      checkEventInput({ event_type: 'custom', output: { text: 'x'.repeat(900_000) } }),
    ).toEqual([]);
  });
});

describe('eventTimeProblem', () => {
  const now = Date.UTC(2026, 11, 7);
  const window = { now, retentionDays: 365, maxFutureSkewMs: 3_600_000 };
  it('accepts the whole retention and the allowed skew, and nothing beyond', () => {
    expect(eventTimeProblem(now - 365 * 86_400_000, window)).toBeUndefined();
    expect(eventTimeProblem(now + 3_600_000, window)).toBeUndefined();
    expect(eventTimeProblem(now - 365 * 86_400_000 - 1, window)).toMatch(/365 days of retention/);
    expect(eventTimeProblem(now + 3_600_001, window)).toMatch(/in the future/);
    expect(eventTimeProblem(-1, { ...window, retentionDays: 36_500 })).toMatch(/before 1970/);
    expect(eventTimeProblem(Number.NaN, window)).toBe('is not a valid time');
  });
});

describe('numeric fields fit their columns', () => {
  const LIMITS: Record<string, [number, number]> = {
    UInt8: [0, 255],
    UInt16: [0, 65_535],
    UInt32: [0, 4_294_967_295],
    Int64: [-(2 ** 63), 2 ** 63 - 1],
  };
  it('every integer column gets only non-negative, bounded integers that fit its type', () => {
    const checked: string[] = [];
    for (const variant of eventInputSchema.options) {
      const schema = z.toJSONSchema(variant, { unrepresentable: 'any' }) as {
        properties: Record<string, { type?: string; minimum?: number; maximum?: number }>;
      };
      for (const [field, property] of Object.entries(schema.properties)) {
        const column = (EVENT_COLUMNS as Record<string, string>)[field];
        const limits = column ? LIMITS[column] : undefined;
        if (!limits || property.type === 'boolean') continue;
        expect(property.type, field).toBe('integer');
        expect(property.minimum, field).toBeGreaterThanOrEqual(limits[0]);
        expect(property.maximum, field).toBeLessThanOrEqual(limits[1]);
        checked.push(field);
      }
    }
    // At least these (fields added later are checked by the loop above too).
    expect(checked).toEqual(
      expect.arrayContaining([
        'input_tokens',
        'output_tokens',
        'cached_tokens',
        'prompt_version',
        'attempts',
        'image_count',
        'step_number',
      ]),
    );
  });
});

describe('toStorableJson', () => {
  it('serializes as JSON.stringify does, repairing escaped NULs and unpaired surrogates only', () => {
    const clean = { a: ['x', 1, { b: '\ud83d\ude00' }], literal: '\\u0000 as text' };
    expect(toStorableJson(clean)).toBe(JSON.stringify(clean));
    expect(JSON.parse(toStorableJson([{ content: 'cut \ud83d here\u0000' }]))).toEqual([
      { content: 'cut \ufffd here' },
    ]);
  });
});
