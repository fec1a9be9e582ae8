/**
 * Preloaded into the server by `bench/ingest/ingest.ts --no-dedupe` (never by the server
 * itself): the `EventWriter` without exactly-once claims (no hot store round trip per
 * insert; every row is stored as it comes), for a before/after of the dedupe in one run.
 */
import { EventIdClaims } from '../../packages/server/src/ingest/event-id-claims.ts';

EventIdClaims.prototype.claim = async (lines) => ({ fresh: [...lines], keys: [], duplicates: 0 });
EventIdClaims.prototype.confirm = async () => undefined;
