/**
 * A chat or embeddings request the gateway cannot serve as asked: it does not
 * match the schema, or it uses a feature the chosen provider lacks (e.g. `n: 3`
 * on Anthropic). Answered with 400 in the endpoint's own error shape; never
 * retried on the same deployment.
 */
const invalidRequestErrorBrand: unique symbol = Symbol.for('tollgate.invalid-request-error');

export class InvalidRequestError extends Error {
  readonly [invalidRequestErrorBrand] = true;
  override readonly name = 'InvalidRequestError';
  /** 400 unless given (e.g. 404 for an unknown model). */
  readonly status: number;
  /** The offending field, in OpenAI's notation (`messages[1].content`), when there is one. */
  readonly param: string | undefined;
  /** A machine-readable code such as 'invalid_type' or 'unsupported_parameter'. */
  readonly code: string;

  constructor(message: string, options: { param?: string; code?: string; status?: number } = {}) {
    super(message);
    this.status = options.status ?? 400;
    this.param = options.param;
    this.code = options.code ?? 'invalid_request';
  }
}

/** True for an `InvalidRequestError` from any copy of this package (checks the brand, not the class). */
export function isInvalidRequestError(error: unknown): error is InvalidRequestError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { [invalidRequestErrorBrand]?: unknown })[invalidRequestErrorBrand] === true
  );
}
