import type { OpenAIFinishReason } from '@tollgate/core';

/**
 * Normalises a finish reason from OpenAI or a server imitating it (vLLM,
 * Ollama, TGI use a few of their own) to one of OpenAI's.
 */
export function mapOpenAIFinishReason(reason: unknown): OpenAIFinishReason | null {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
    case 'function_call':
      return reason;
    case null:
    case undefined:
      return null;
    case 'max_tokens':
    case 'model_length':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    default:
      // 'eos', 'end_turn', 'stop_sequence' and anything new: the model stopped on its own.
      return 'stop';
  }
}
