/**
 * A real HTTP server on 127.0.0.1 and a random port, standing in for a model
 * provider in tests. Each incoming request is recorded and answered with the
 * next scripted reply (or the fallback): JSON, an SSE stream (optionally cut
 * mid-way), a hang, or a connection reset.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export type UpstreamReply =
  | { type: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  | {
      type: 'sse';
      /** Each already framed (`data: …\n\n`); written one write per event. */
      events: string[];
      headers?: Record<string, string>;
      /** After this many events, write half of the next one and destroy the socket. */
      cutAfter?: number;
      /** After this many events, send nothing more and keep the connection open. */
      stallAfter?: number;
    }
  /** Raw bytes (a video file), with their content type. */
  | { type: 'bytes'; status?: number; body: Buffer; contentType: string }
  /** Accept the request and never answer. */
  | { type: 'hang' }
  /** Destroy the socket without answering. */
  | { type: 'reset' };

export interface LoopbackUpstream {
  url: string;
  requests: RecordedRequest[];
  /** Queues replies for the next requests, in order. */
  reply(...replies: UpstreamReply[]): void;
  /** The reply when the queue is empty (default: 404 JSON). */
  fallback: UpstreamReply;
  lastRequest(): RecordedRequest;
  close(): Promise<void>;
}

export async function startLoopbackUpstream(): Promise<LoopbackUpstream> {
  const requests: RecordedRequest[] = [];
  const queue: UpstreamReply[] = [];
  const upstream: LoopbackUpstream = {
    url: '',
    requests,
    reply: (...replies) => void queue.push(...replies),
    fallback: { type: 'json', status: 404, body: { error: { message: 'no reply scripted' } } },
    lastRequest() {
      const last = requests.at(-1);
      if (!last) throw new Error('the upstream received no request');
      return last;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
        json: parseJson(body),
      });
      answer(queue.shift() ?? upstream.fallback, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}

function answer(reply: UpstreamReply, response: ServerResponse): void {
  switch (reply.type) {
    case 'json':
      response.writeHead(reply.status ?? 200, {
        'content-type': 'application/json',
        ...reply.headers,
      });
      response.end(JSON.stringify(reply.body));
      return;
    case 'sse': {
      response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        ...reply.headers,
      });
      const { events, cutAfter, stallAfter } = reply;
      const sent = events.slice(0, cutAfter ?? stallAfter);
      for (const event of sent) response.write(event);
      if (stallAfter !== undefined) return;
      if (cutAfter === undefined) {
        response.end();
        return;
      }
      const next = events[cutAfter] ?? 'data: {"partial":';
      response.write(next.slice(0, Math.max(1, Math.floor(next.length / 2))), () => {
        response.socket?.destroy();
      });
      return;
    }
    case 'bytes':
      response.writeHead(reply.status ?? 200, {
        'content-type': reply.contentType,
        'content-length': String(reply.body.length),
      });
      response.end(reply.body);
      return;
    case 'hang':
      return;
    case 'reset':
      response.socket?.destroy();
      return;
    default: {
      const unexpected: never = reply;
      throw new Error(`unknown reply ${JSON.stringify(unexpected)}`);
    }
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
