import type { RpcClient } from './rpc-client';

/** `$.service.method(...args)`, typed by the app's own description of its services. */
export type RpcProxy<Services = Record<string, Record<string, (...args: never[]) => unknown>>> = {
  [Service in keyof Services]: {
    [Method in keyof Services[Service]]: Services[Service][Method] extends (
      ...args: infer Args
    ) => infer Result
      ? (...args: Args) => Promise<Awaited<Result>>
      : never;
  };
};

/**
 * A proxy over a client: `$.users.getProfile(42)` is
 * `client.call('users', 'getProfile', [42])`. Not thenable, so it can be
 * returned from async functions.
 */
export function createRpcProxy<
  Services = Record<string, Record<string, (...args: never[]) => unknown>>,
>(client: RpcClient): RpcProxy<Services> {
  const services = new Map<string, unknown>();
  const serviceProxy = (service: string) =>
    new Proxy(
      {},
      {
        get(_target, method) {
          if (typeof method !== 'string' || method === 'then') return undefined;
          return (...args: unknown[]) => client.call(service, method, args);
        },
      },
    );
  return new Proxy(
    {},
    {
      get(_target, service) {
        if (typeof service !== 'string' || service === 'then') return undefined;
        let proxy = services.get(service);
        if (!proxy) {
          proxy = serviceProxy(service);
          services.set(service, proxy);
        }
        return proxy;
      },
    },
  ) as RpcProxy<Services>;
}
