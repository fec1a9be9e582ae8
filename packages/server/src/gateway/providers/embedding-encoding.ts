import type { OpenAIEmbeddingRequest } from '@tollgate/core';

/** An embedding as the client asked for it: floats, or base64 of little-endian float32 (OpenAI's 'base64'). */
export function encodeEmbedding(
  values: readonly number[],
  format: OpenAIEmbeddingRequest['encoding_format'],
): number[] | string {
  if (format !== 'base64') return values as number[];
  const floats = Float32Array.from(values);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}
