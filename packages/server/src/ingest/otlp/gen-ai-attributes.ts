/**
 * The span attributes the OTLP mapping reads: OpenTelemetry's GenAI semantic
 * conventions, current names first and the older names instrumentations
 * still send after them, plus a few general conventions. Kept here rather
 * than imported from `@opentelemetry/semantic-conventions/incubating`, whose
 * GenAI names are experimental and change between releases.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  /** Older name of `gen_ai.provider.name`. */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  /** Older names of the two above. */
  promptTokens: 'gen_ai.usage.prompt_tokens',
  completionTokens: 'gen_ai.usage.completion_tokens',
  cacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  /** Older name of the one above (OpenLLMetry). */
  cacheReadInputTokensOld: 'gen_ai.usage.cache_read_input_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  /** Older content attributes, also the prefix of OpenLLMetry's `gen_ai.prompt.0.content`. */
  prompt: 'gen_ai.prompt',
  completion: 'gen_ai.completion',
  toolName: 'gen_ai.tool.name',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
  agentName: 'gen_ai.agent.name',
  agentId: 'gen_ai.agent.id',
  conversationId: 'gen_ai.conversation.id',
} as const;

/** Span events that carry prompt and completion content. */
export const GEN_AI_EVENTS = {
  /** Older events whose attribute `gen_ai.prompt` / `gen_ai.completion` holds the text. */
  contentPrompt: 'gen_ai.content.prompt',
  contentCompletion: 'gen_ai.content.completion',
  /** One event per message, the role in the name. */
  systemMessage: 'gen_ai.system.message',
  userMessage: 'gen_ai.user.message',
  assistantMessage: 'gen_ai.assistant.message',
  toolMessage: 'gen_ai.tool.message',
  choice: 'gen_ai.choice',
  /** Current event carrying `gen_ai.input.messages` and `gen_ai.output.messages`. */
  operationDetails: 'gen_ai.client.inference.operation.details',
} as const;

/** Conventions beyond GenAI that give an event its tenant-independent fields. */
export const GENERAL = {
  serviceName: 'service.name',
  environment: 'deployment.environment.name',
  /** Older name of the one above. */
  environmentOld: 'deployment.environment',
  userId: 'user.id',
  /** Older name of `user.id`. */
  endUserId: 'enduser.id',
  sessionId: 'session.id',
  errorType: 'error.type',
  exceptionEvent: 'exception',
  exceptionMessage: 'exception.message',
} as const;

/** OpenLLMetry (Traceloop) attributes, common in the wild beside the GenAI ones. */
export const TRACELOOP = {
  spanKind: 'traceloop.span.kind',
  requestType: 'llm.request.type',
  entityInput: 'traceloop.entity.input',
  entityOutput: 'traceloop.entity.output',
} as const;
