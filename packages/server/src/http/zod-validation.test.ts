import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  droppedFields,
  strictZodSerializerCompiler,
  zodSerializerCompiler,
} from './zod-validation';

const answer = z.object({ requests: z.number(), cost_usd: z.string() });
const write = zodSerializerCompiler({
  schema: answer,
  method: 'GET',
  url: '/api/v1/example',
  httpStatus: '200',
});

describe('zodSerializerCompiler', () => {
  it('writes an answer that matches its schema as JSON', () => {
    expect(write({ requests: 2, cost_usd: '0.000000001' })).toBe(
      '{"requests":2,"cost_usd":"0.000000001"}',
    );
  });

  it('refuses an answer that does not match (money as a float), so the route answers 500', () => {
    expect(() => write({ requests: 2, cost_usd: 1e-9 })).toThrow();
  });
});

describe('strictZodSerializerCompiler', () => {
  const strict = strictZodSerializerCompiler({
    schema: z.object({ rows: z.array(z.object({ id: z.string() })), total: z.number() }),
    method: 'GET',
    url: '/api/v1/example',
    httpStatus: '200',
  });

  it('writes an answer whose every field the schema names', () => {
    expect(strict({ rows: [{ id: 'a' }], total: 1, note: undefined })).toBe(
      '{"rows":[{"id":"a"}],"total":1}',
    );
  });

  it('refuses an answer with a field the schema would drop, naming its path', () => {
    expect(() => strict({ rows: [{ id: 'a' }, { id: 'b', cost_usd: '1' }], total: 2 })).toThrow(
      /GET \/api\/v1\/example .*rows\[1\]\.cost_usd/,
    );
    expect(droppedFields({ a: { b: 1, c: [{ d: 1 }] } }, { a: { b: 1, c: [{}] } })).toEqual([
      'a.c[0].d',
    ]);
  });
});
