import type { OpenAIFinishReason } from '@tollgate/core';

/** Gemini finish reason → OpenAI's; a candidate that called functions finished for `tool_calls`. */
export function mapGeminiFinishReason(
  reason: string | undefined,
  hasToolCalls: boolean,
): OpenAIFinishReason {
  switch (reason) {
    case 'STOP':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    default:
      // FINISH_REASON_UNSPECIFIED, OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL and anything new.
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}
