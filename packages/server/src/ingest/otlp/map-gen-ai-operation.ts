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

/** OpenInference's `openinference.span.kind`: chains, retrievers and the like stay custom. */
export function mapOpenInferenceSpanKind(kind: string | undefined): SpanOperation | undefined {
  switch (kind?.toUpperCase()) {
    case 'LLM':
      return { eventType: 'prompt_call', operation: 'chat' };
    case 'EMBEDDING':
      return { eventType: 'prompt_call', operation: 'embedding' };
    case 'TOOL':
      return { eventType: 'tool_call' };
    case 'AGENT':
      return { eventType: 'agent_step' };
    case undefined:
      return undefined;
    default:
      return { eventType: 'custom' };
  }
}

/**
 * The Vercel AI SDK's `ai.operationId`. The provider calls
 * (`ai.generateText.doGenerate`, `ai.embed.doEmbed`…) are the model calls; the
 * functions around them (`ai.generateText`, `ai.embed`…) repeat their usage
 * and stay custom so it is counted once.
 */
export function mapVercelAiOperation(operationId: string | undefined): SpanOperation | undefined {
  switch (operationId) {
    case 'ai.generateText.doGenerate':
    case 'ai.streamText.doStream':
    case 'ai.generateObject.doGenerate':
    case 'ai.streamObject.doStream':
      return { eventType: 'prompt_call', operation: 'chat' };
    case 'ai.embed.doEmbed':
    case 'ai.embedMany.doEmbed':
      return { eventType: 'prompt_call', operation: 'embedding' };
    case 'ai.generateImage.doGenerate':
      return { eventType: 'prompt_call', operation: 'image' };
    case 'ai.toolCall':
      return { eventType: 'tool_call' };
    case undefined:
      return undefined;
    default:
      return operationId.startsWith('ai.') ? { eventType: 'custom' } : undefined;
  }
}

/** Langfuse's `langfuse.observation.type`; spans, chains, retrievers and events stay custom. */
export function mapLangfuseObservationType(type: string | undefined): SpanOperation | undefined {
  switch (type) {
    case 'generation':
      return { eventType: 'prompt_call', operation: 'chat' };
    case 'embedding':
      return { eventType: 'prompt_call', operation: 'embedding' };
    case 'tool':
      return { eventType: 'tool_call' };
    case 'agent':
      return { eventType: 'agent_step' };
    case undefined:
      return undefined;
    default:
      return { eventType: 'custom' };
  }
}
