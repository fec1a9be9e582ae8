import type { EventInput, Tollgate } from '../src';

/** A Tollgate that keeps what is recorded, for tests that look at the events themselves. */
export function fakeTollgate(options: { captureContent?: boolean } = {}): Tollgate & {
  events: EventInput[];
} {
  const events: EventInput[] = [];
  return {
    events,
    baseUrl: 'http://tollgate.invalid',
    service: undefined,
    env: undefined,
    captureContent: options.captureContent ?? true,
    record: (event) => void events.push(event),
    flush: async () => ({ complete: true, pending: 0, dropped: 0 }),
    shutdown: async () => ({ complete: true, pending: 0, dropped: 0 }),
    stats: () => ({
      recorded: events.length,
      sent: 0,
      queued: events.length,
      inFlight: 0,
      dropped: 0,
      rejected: 0,
      failedRequests: 0,
      serverReachable: true,
    }),
  };
}
