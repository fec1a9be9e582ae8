import type { EventStore } from '@tollgate/core';

/**
 * Wraps a real event store so a test can make it unavailable, as an outage
 * would: while `down`, inserts and pings fail like a refused connection.
 */
export function withOutage(store: EventStore): {
  store: EventStore;
  setDown(down: boolean): void;
  failedInserts(): number;
} {
  let down = false;
  let failed = 0;
  const unavailable = () =>
    Object.assign(new Error('connect ECONNREFUSED (simulated outage)'), { code: 'ECONNREFUSED' });
  const wrapped: EventStore = Object.create(store) as EventStore;
  Object.assign(wrapped, {
    insert: async (...args: Parameters<EventStore['insert']>) => {
      if (down) {
        failed += 1;
        throw unavailable();
      }
      return store.insert(...args);
    },
    ping: async () => {
      if (down) throw unavailable();
      return store.ping();
    },
  });
  return { store: wrapped, setDown: (value) => (down = value), failedInserts: () => failed };
}
