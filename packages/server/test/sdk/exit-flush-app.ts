/** An app that records events and simply ends: the exporter must flush them at exit. */
import { createTollgate } from '@tollgate/sdk';

const tollgate = createTollgate({
  baseUrl: process.env.TOLLGATE_URL!,
  apiKey: process.env.TOLLGATE_KEY!,
  batchSize: 100,
  flushIntervalMs: 60_000,
});
for (let index = 0; index < 42; index++) {
  tollgate.record({ event_type: 'custom', name: process.env.LABEL!, metadata: { index } });
}
