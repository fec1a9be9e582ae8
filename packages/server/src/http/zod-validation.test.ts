import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { zodSerializerCompiler } from './zod-validation';

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
