import type { EventLinks } from '../tracking/event-context';

/**
 * One call, one record, when a wrapped client is pointed at a Tollgate
 * gateway: the gateway records the call itself (its event is the one
 * analytics, budgets and chargeback count), so the wrapper sends its run
 * links as the gateway's `x-tollgate-*` headers (the gateway's event then sits
 * in the wrapper's run, under its step) and records nothing when the answer
 * carries `x-tollgate-recorded`. Pointed anywhere else, the headers are
 * ignored and the wrapper records the call as before.
 */
export const GATEWAY_RECORDED_HEADER = 'x-tollgate-recorded';

const LINK_HEADERS = [
  ['run_id', 'x-tollgate-run-id'],
  ['parent_id', 'x-tollgate-parent-id'],
  ['session_id', 'x-tollgate-session-id'],
  ['user_id', 'x-tollgate-user-id'],
] as const;

/** The gateway takes ids of 1 to 128 printable ASCII characters without spaces. */
const GATEWAY_ID = /^[\x21-\x7e]{1,128}$/;

/** The call's arguments with the run links added to its request options' headers (the app's own win). */
export function withGatewayLinks(args: unknown[], links: EventLinks): unknown[] {
  const headers: Record<string, string> = {};
  for (const [field, header] of LINK_HEADERS) {
    const value = links[field];
    if (typeof value === 'string' && GATEWAY_ID.test(value)) headers[header] = value;
  }
  if (Object.keys(headers).length === 0) return args;
  const options = (typeof args[1] === 'object' && args[1] !== null ? args[1] : {}) as {
    headers?: unknown;
  };
  const own =
    typeof options.headers === 'object' && options.headers !== null ? options.headers : {};
  return [args[0], { ...options, headers: { ...headers, ...own } }, ...args.slice(2)];
}

/** Whether response headers (a `Headers` or a plain record) say a Tollgate gateway recorded the call. */
export function gatewayRecorded(headers: unknown): boolean {
  if (typeof headers !== 'object' || headers === null) return false;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') return Boolean(get.call(headers, GATEWAY_RECORDED_HEADER));
  return Boolean((headers as Record<string, unknown>)[GATEWAY_RECORDED_HEADER]);
}
