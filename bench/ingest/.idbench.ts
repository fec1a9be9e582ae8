import { encodeTime, ulid } from 'ulid';
import { createEventId } from '@tollgate/core';
const pool = new Uint8Array(4096); let offset = pool.length;
const pooled = () => { if (offset === pool.length) { crypto.getRandomValues(pool); offset = 0; } return pool[offset++]! / 256; };
const N = 200_000; const t = Date.now() - 3_600_000;
for (const [name, fn] of [['core createEventId(past)', (i: number) => createEventId(t - i)], ['ulid(time, pooled prng)', (i: number) => ulid(t - i, pooled)], ['core createEventId(now)', () => createEventId()]] as const) {
  for (let i = 0; i < 20000; i++) fn(i);
  const s = performance.now(); for (let i = 0; i < N; i++) fn(i); const us = (performance.now() - s) * 1000 / N;
  console.log(name.padEnd(28), us.toFixed(2), 'µs/id');
}
