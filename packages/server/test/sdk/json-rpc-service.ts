/** A small JSON-RPC 2.0 service over HTTP, standing in for the app's own service. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RpcMethods = Record<string, (...args: never[]) => unknown>;

export interface JsonRpcService {
  url: string;
  /** Method names called, in order, known or not. */
  calls: string[];
  close(): Promise<void>;
}

export async function startJsonRpcService(methods: RpcMethods): Promise<JsonRpcService> {
  const calls: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const call = JSON.parse(body) as { id: unknown; method: string; params?: unknown[] };
      calls.push(call.method);
      const method = methods[call.method];
      const answer = method
        ? { jsonrpc: '2.0', id: call.id, result: method(...((call.params ?? []) as never[])) }
        : { jsonrpc: '2.0', id: call.id, error: { code: -32601, message: 'Method not found' } };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
