import type { OperationKind } from '@tollgate/core';

export type SpanEventType = 'prompt_call' | 'tool_call' | 'agent_step' | 'custom';

export interface SpanOperation {
  eventType: SpanEventType;
  /** The kind of model call, for `prompt_call`. */
  operation?: OperationKind;
}

/**
 * What a `gen_ai.operation.name` (or OpenLLMetry's `llm.request.type`) says a
 * span is. Undefined for a name it does not know, so the caller decides from
 * the other attributes.
 */
export function mapGenAiOperation(name: string | undefined): SpanOperation | undefined {
  switch (name) {
    case 'chat':
    case 'generate_content':
      return { eventType: 'prompt_call', operation: 'chat' };
    case 'text_completion':
    case 'completion':
      return { eventType: 'prompt_call', operation: 'completion' };
    case 'embeddings':
    case 'embedding':
      return { eventType: 'prompt_call', operation: 'embedding' };
    case 'image_generation':
    case 'generate_image':
    case 'create_image':
    case 'image':
      return { eventType: 'prompt_call', operation: 'image' };
    case 'video_generation':
    case 'generate_video':
    case 'video':
      return { eventType: 'prompt_call', operation: 'video' };
    case 'moderation':
    case 'moderations':
      return { eventType: 'prompt_call', operation: 'moderation' };
    case 'execute_tool':
      return { eventType: 'tool_call' };
    case 'invoke_agent':
    case 'create_agent':
      return { eventType: 'agent_step' };
    default:
      return undefined;
  }
}

/** OpenLLMetry's `traceloop.span.kind`: its tools and agents; workflows and tasks stay custom. */
export function mapTraceloopSpanKind(kind: string | undefined): SpanOperation | undefined {
  switch (kind) {
    case 'tool':
      return { eventType: 'tool_call' };
    case 'agent':
      return { eventType: 'agent_step' };
    default:
      return undefined;
  }
}
