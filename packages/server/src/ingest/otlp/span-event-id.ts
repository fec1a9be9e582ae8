import { createHash } from 'node:crypto';

const CROCKFORD_BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The event id (a ULID) of a span: its 48-bit time is the span's start
 * (milliseconds), its 80 "random" bits the first 80 bits of
 * SHA-256(trace id, span id). Derived rather than random, so a batch the
 * exporter sends again gets the same ids, and one span id in two traces gets
 * two ids.
 */
export function spanEventId(startMs: number, traceId: string, spanId: string): string {
  const digest = createHash('sha256').update(`${traceId}:${spanId}`).digest();
  return (
    base32(BigInt(startMs), 10) + base32(BigInt(`0x${digest.subarray(0, 10).toString('hex')}`), 16)
  );
}

function base32(value: bigint, length: number): string {
  let text = '';
  let rest = value;
  for (let index = 0; index < length; index += 1) {
    text = CROCKFORD_BASE32[Number(rest & 31n)]! + text;
    rest >>= 5n;
  }
  return text;
}
