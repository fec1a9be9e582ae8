import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback webhook receiver: the JSON bodies it was sent, in order. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string;
  bodies: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Starts a receiver that answers 204, after failing its first `failures` deliveries with a 500. */
export async function startWebhookReceiver(failures = 0): Promise<WebhookReceiver> {
  const bodies: Record<string, unknown>[] = [];
  let failed = 0;
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      if (failed < failures) {
        failed += 1;
        response.writeHead(500).end('not now');
      } else response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
