/**
 * A loopback HTTP server that speaks Sentry's envelope protocol
 * (`POST /api/<project>/envelope/`: an envelope header line, then for each
 * item a header line and its payload, gzip'ed or not), so a test can point
 * `SENTRY_DSN` at it and read what was sent: the parsed events and the raw
 * bytes of every request, to check that no secret is anywhere in them.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ReceivedEvent {
  event_id?: string;
  level?: string;
  message?: string | { formatted?: string };
  environment?: string;
  release?: string;
  tags?: Record<string, string>;
  contexts?: Record<string, Record<string, unknown>>;
  exception?: { values?: { type?: string; value?: string }[] };
  request?: unknown;
  breadcrumbs?: unknown;
}

export interface SentryReceiver {
  /** `http://public@127.0.0.1:<port>/1` */
  dsn: string;
  /** Events (items of type `event`) in the order they arrived. */
  readonly events: ReceivedEvent[];
  /** Every request body as received (decompressed), for "never sent" checks. */
  readonly rawBodies: string[];
  /** Resolves once `predicate` holds for the events, polling every 20 ms. */
  waitFor(predicate: (events: ReceivedEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  return (request.headers['content-encoding'] === 'gzip' ? gunzipSync(bytes) : bytes).toString(
    'utf8',
  );
}

/** The items of one envelope: header line, then (item header, payload) pairs. */
function itemsOf(envelope: string): { type: string; payload: string }[] {
  const lines = envelope.split('\n');
  const items: { type: string; payload: string }[] = [];
  for (let index = 1; index + 1 < lines.length; index += 2) {
    const header = JSON.parse(lines[index]!) as { type: string };
    items.push({ type: header.type, payload: lines[index + 1]! });
  }
  return items;
}

export async function startSentryReceiver(): Promise<SentryReceiver> {
  const events: ReceivedEvent[] = [];
  const rawBodies: string[] = [];
  const server: Server = createServer((request, response) => {
    void bodyOf(request).then(
      (body) => {
        rawBodies.push(body);
        if (request.method === 'POST' && /^\/api\/1\/envelope\/?/.test(request.url ?? '')) {
          for (const item of itemsOf(body)) {
            if (item.type === 'event') events.push(JSON.parse(item.payload) as ReceivedEvent);
          }
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      },
      () => response.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    dsn: `http://public@127.0.0.1:${port}/1`,
    events,
    rawBodies,
    async waitFor(predicate, timeoutMs = 10_000) {
      const giveUpAt = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > giveUpAt) {
          throw new Error(
            `Sentry events did not arrive in time; have: ${JSON.stringify(events.map((event) => event.tags))}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
