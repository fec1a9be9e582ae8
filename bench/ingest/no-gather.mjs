/**
 * Preloaded into the server by `bench/ingest/ingest.ts --no-gather` (never by the server
 * itself): turns off the `EventWriter`'s gather wait, so the next insert starts with the
 * first write that arrives (the behaviour before the wait), for a before/after in one run.
 */
import { EventWriter } from '../../packages/server/src/ingest/event-writer.ts';

EventWriter.prototype.gatherWaitMs = () => 0;
