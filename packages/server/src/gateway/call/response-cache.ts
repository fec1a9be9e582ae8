import { createHash } from 'node:crypto';
import type { HotStore, OpenAIChatRequest, OpenAIChatResponse } from '@tollgate/core';
import { openedCopy, sealedCopy, type ContentKey } from '../../secrets/content-keys';

/** The request fields that change the answer; everything else (user, stream, metadata) does not. */
const OUTPUT_FIELDS = [
  'messages',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'n',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'reasoning_effort',
] as const;

export interface CachedAnswer {
  response: OpenAIChatResponse;
  provider: string;
  servedModel: string;
  costNanos: number;
  simulated: boolean;
}

/**
 * Exact-match response cache in the hot-state store, per organization: the
 * key hashes the route's model and the output-changing fields, so two
 * requests that differ only in `user` or `stream` share an answer.
 */
export class ResponseCache {
  constructor(private readonly hot: HotStore) {}

  keyOf(orgId: string, model: string, request: OpenAIChatRequest): string {
    const fields: Record<string, unknown> = { model };
    const source = request as Record<string, unknown>;
    for (const field of OUTPUT_FIELDS)
      if (source[field] !== undefined) fields[field] = source[field];
    const digest = createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
    return `cache:${orgId}:${digest}`;
  }

  /** `contentKey`: the project's, when it encrypts content (the answer is kept sealed). */
  async get(key: string, contentKey?: ContentKey): Promise<CachedAnswer | undefined> {
    const stored = await this.hot.get(key);
    const text = stored ? openedCopy(stored, contentKey) : undefined;
    if (!text) return undefined;
    try {
      return JSON.parse(text) as CachedAnswer;
    } catch {
      return undefined;
    }
  }

  async set(
    key: string,
    answer: CachedAnswer,
    ttlMs: number,
    contentKey?: ContentKey,
  ): Promise<void> {
    await this.hot.set(key, sealedCopy(JSON.stringify(answer), contentKey), ttlMs);
  }
}
