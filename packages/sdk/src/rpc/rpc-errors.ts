/** JSON-RPC 2.0's "method not found". */
export const METHOD_NOT_FOUND = -32601;

const rpcErrorBrand: unique symbol = Symbol.for('tollgate.sdk.rpc-error');
const aiFallbackErrorBrand: unique symbol = Symbol.for('tollgate.sdk.ai-fallback-error');

/** An error answer of the app's JSON-RPC service, or a failure to reach it. */
export class RpcError extends Error {
  readonly [rpcErrorBrand] = true;
  override readonly name = 'RpcError';

  constructor(
    message: string,
    /** The JSON-RPC error code; absent when the service could not be reached or answered no JSON-RPC. */
    readonly code: number | undefined,
    readonly data?: unknown,
    /** The HTTP status, when the service answered one. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isRpcError(error: unknown): error is RpcError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [rpcErrorBrand]?: unknown })[rpcErrorBrand] === true
  );
}

/** Why an AI fallback did not produce a result. */
export type AiFallbackFailure =
  /** The estimated cost is over `maxCostPerCall`: nothing was generated. */
  | 'cost_limit'
  /** No answer within `timeoutMs`. */
  | 'timeout'
  /** The server or the model failed. */
  | 'failed';

/** A missing method whose AI fallback failed; `cause` holds what went wrong. */
export class AiFallbackError extends Error {
  readonly [aiFallbackErrorBrand] = true;
  override readonly name = 'AiFallbackError';

  constructor(
    message: string,
    readonly reason: AiFallbackFailure,
    readonly service: string,
    readonly method: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAiFallbackError(error: unknown): error is AiFallbackError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [aiFallbackErrorBrand]?: unknown })[aiFallbackErrorBrand] === true
  );
}
