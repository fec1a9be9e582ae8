import { InvalidRequestError, UpstreamError } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import { anthropicErrorFrom } from '../../../src/gateway/formats/anthropic-messages-error';
import { openAIErrorFrom } from '../../../src/gateway/formats/openai-error';

const http = (
  status: number,
  extra: Partial<ConstructorParameters<typeof UpstreamError>[0]> = {},
) =>
  new UpstreamError({
    kind: 'http',
    status,
    provider: 'openai',
    message: `openai HTTP ${status}: upstream says no`,
    ...extra,
  });

describe('endpoint errors', () => {
  it.each([
    [
      'a bad request passes through',
      http(400),
      400,
      'invalid_request_error',
      'invalid_request_error',
    ],
    [
      'a rate limit passes through',
      http(429, { reason: 'rate_limited' }),
      429,
      'rate_limit_error',
      'rate_limit_error',
    ],
    ['an upstream 5xx is a bad gateway', http(500), 502, 'server_error', 'api_error'],
    ['an overloaded upstream is unavailable', http(529), 503, 'server_error', 'overloaded_error'],
    ['an upstream 404 is a bad gateway', http(404), 502, 'server_error', 'api_error'],
    [
      'a timeout is a gateway timeout',
      new UpstreamError({ kind: 'timeout' }),
      504,
      'server_error',
      'api_error',
    ],
    [
      'a refused connection is a bad gateway',
      new UpstreamError({ kind: 'connection' }),
      502,
      'server_error',
      'api_error',
    ],
  ])('%s', (_name, error, status, openAIType, anthropicType) => {
    expect(openAIErrorFrom(error)).toMatchObject({ status, body: { error: { type: openAIType } } });
    expect(anthropicErrorFrom(error)).toMatchObject({
      status,
      body: { type: 'error', error: { type: anthropicType } },
    });
  });

  it('answers an invalid request with 400 and the offending field', () => {
    const error = new InvalidRequestError("Invalid value for 'temperature'", {
      param: 'temperature',
      code: 'too_big',
    });
    expect(openAIErrorFrom(error)).toEqual({
      status: 400,
      body: {
        error: {
          message: "Invalid value for 'temperature'",
          type: 'invalid_request_error',
          param: 'temperature',
          code: 'too_big',
        },
      },
      headers: {},
    });
    expect(anthropicErrorFrom(error).body).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: "Invalid value for 'temperature'" },
    });
  });

  it('says why: context window and content policy codes, Retry-After in seconds', () => {
    expect(openAIErrorFrom(http(400, { reason: 'context_window_exceeded' })).body.error.code).toBe(
      'context_length_exceeded',
    );
    expect(openAIErrorFrom(http(400, { reason: 'content_policy' })).body.error.code).toBe(
      'content_policy_violation',
    );
    expect(openAIErrorFrom(http(429, { retryAfterMs: 6500 })).headers).toEqual({
      'retry-after': '7',
    });
  });

  it("never shows the caller the upstream's complaint about the gateway's own key", () => {
    const error = http(401, {
      message: 'openai HTTP 401: Incorrect API key provided: sk-proj-****abcd',
    });
    const reply = openAIErrorFrom(error);
    expect(reply.status).toBe(502);
    expect(reply.body.error.message).not.toContain('sk-');
  });

  it('hides the details of an unexpected error', () => {
    expect(openAIErrorFrom(new Error('secret stack'))).toMatchObject({
      status: 500,
      body: { error: { message: 'Internal error in the gateway' } },
    });
    expect(anthropicErrorFrom(new Error('secret stack')).body.error.type).toBe('api_error');
  });
});
