import type { Tollgate } from '../exporter/create-tollgate';
import { describeError } from '../runtime/warn';
import { AiFallback, type AiFallbackOptions } from './ai-fallback';
import { METHOD_NOT_FOUND, RpcError, isRpcError } from './rpc-errors';

export interface RpcClientOptions {
  /** The app's JSON-RPC 2.0 endpoint, e.g. `http://localhost:3000/rpc`. */
  baseUrl: string;
  /** Sent with every call (auth for the app's service). */
  headers?: Record<string, string>;
  /** One call's time limit; default 30 000. */
  timeoutMs?: number;
  /** The JSON-RPC method name of `service.method`; default `${service}.${method}`. */
  methodName?: (service: string, method: string) => string;
  /** Answer missing methods (-32601) with a model through the Tollgate gateway. */
  aiFallback?: AiFallbackOptions;
  /** Where fallbacks are recorded (and, by default, the server they go to); default the default instance. */
  tollgate?: Tollgate;
  fetch?: typeof fetch;
}

export interface RpcClient {
  /** Calls `service.method(...args)` on the app's service; a missing method may fall back to a model. */
  call<T = unknown>(service: string, method: string, args?: unknown[]): Promise<T>;
  clearFallbackCache(): void;
}

interface JsonRpcAnswer {
  jsonrpc?: string;
  id?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string; data?: unknown };
}

/**
 * A JSON-RPC 2.0 over HTTP client for the app's own service. With
 * `aiFallback.enabled`, a call the service answers with method-not-found is
 * answered by a model through Tollgate (a decision text-or-object, then the
 * generation) within `maxCostPerCall` and `timeoutMs`, reported to
 * `onFallback` and recorded as an `ai_fallback` event.
 */
export function createRpcClient(options: RpcClientOptions): RpcClient {
  if (typeof options.baseUrl !== 'string' || options.baseUrl === '') {
    throw new TypeError('createRpcClient: baseUrl is required');
  }
  const fallback = options.aiFallback?.enabled
    ? new AiFallback(options.aiFallback, options.tollgate, options.fetch)
    : undefined;
  const methodName = options.methodName ?? ((service, method) => `${service}.${method}`);
  let nextId = 1;

  async function invoke(service: string, method: string, args: unknown[]): Promise<unknown> {
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    const id = nextId++;
    let response: Response;
    try {
      response = await fetchImpl(options.baseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: methodName(service, method),
          params: args,
        }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new RpcError(
        `cannot reach ${options.baseUrl}: ${describeError(error)}`,
        undefined,
        undefined,
        undefined,
        { cause: error },
      );
    }
    const answer = (await response.json().catch(() => undefined)) as JsonRpcAnswer | undefined;
    if (answer?.error) {
      throw new RpcError(
        answer.error.message ?? `JSON-RPC error ${answer.error.code}`,
        answer.error.code,
        answer.error.data,
        response.status,
      );
    }
    if (!response.ok || !answer || !('result' in answer)) {
      throw new RpcError(
        `${methodName(service, method)}: HTTP ${response.status} without a JSON-RPC result`,
        undefined,
        undefined,
        response.status,
      );
    }
    return answer.result;
  }

  return {
    async call<T>(service: string, method: string, args: unknown[] = []): Promise<T> {
      try {
        return (await invoke(service, method, args)) as T;
      } catch (error) {
        if (!fallback || !isRpcError(error) || error.code !== METHOD_NOT_FOUND) throw error;
        return (await fallback.answer(service, method, args)) as T;
      }
    },
    clearFallbackCache: () => fallback?.clearCache(),
  };
}
