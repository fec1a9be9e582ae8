/**
 * A rough token count (about four characters a token) for a stream that
 * reported no usage; events carrying it say `usage_estimated: true`. The SDK
 * ships no tokenizer to stay light.
 */
export function estimateTokens(value: unknown): number {
  if (value === undefined || value === null) return 0;
  const text = typeof value === 'string' ? value : safeJson(value);
  return Math.ceil(text.length / 4);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
