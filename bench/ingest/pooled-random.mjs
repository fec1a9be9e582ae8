/**
 * Preloaded into the server by `bench/ingest/ingest.ts --pooled-random` (never by the
 * server itself): serves the one-byte `crypto.getRandomValues` calls of the `ulid`
 * package's default PRNG from a pooled 4 KiB CSPRNG buffer, which is what the change
 * proposed for `packages/core/src/ids/ulid.ts` in bench/RESULTS.md does. It lets the
 * bench show the ingestion rate with that change before it is made.
 */
const crypto = globalThis.crypto;
const original = crypto.getRandomValues.bind(crypto);
const pool = new Uint8Array(4096);
let offset = pool.length;
crypto.getRandomValues = (array) => {
  if (array instanceof Uint8Array && array.length === 1) {
    if (offset === pool.length) {
      original(pool);
      offset = 0;
    }
    array[0] = pool[offset++];
    return array;
  }
  return original(array);
};
