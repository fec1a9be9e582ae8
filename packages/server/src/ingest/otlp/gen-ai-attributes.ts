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
  cacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  /** Older name of the one above (OpenLLMetry). */
  cacheCreationInputTokensOld: 'gen_ai.usage.cache_creation_input_tokens',
  reasoningOutputTokens: 'gen_ai.usage.reasoning.output_tokens',
  /** Older name of the one above. */
  reasoningTokensOld: 'gen_ai.usage.reasoning_tokens',
  totalTokens: 'gen_ai.usage.total_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  /** Older content attributes, also the prefix of OpenLLMetry's `gen_ai.prompt.0.content`. */
  prompt: 'gen_ai.prompt',
  completion: 'gen_ai.completion',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
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
  entityName: 'traceloop.entity.name',
  totalTokens: 'llm.usage.total_tokens',
  /** Set through `Traceloop.withAssociationProperties({ user_id, session_id })`. */
  associationUserId: 'traceloop.association.properties.user_id',
  associationSessionId: 'traceloop.association.properties.session_id',
} as const;

/** OpenInference (Arize Phoenix) attributes. */
export const OPENINFERENCE = {
  spanKind: 'openinference.span.kind',
  modelName: 'llm.model_name',
  provider: 'llm.provider',
  system: 'llm.system',
  promptTokens: 'llm.token_count.prompt',
  completionTokens: 'llm.token_count.completion',
  cacheReadTokens: 'llm.token_count.prompt_details.cache_read',
  cacheWriteTokens: 'llm.token_count.prompt_details.cache_write',
  reasoningTokens: 'llm.token_count.completion_details.reasoning',
  inputMessages: 'llm.input_messages',
  outputMessages: 'llm.output_messages',
  inputValue: 'input.value',
  outputValue: 'output.value',
  embeddingModelName: 'embedding.model_name',
  embeddings: 'embedding.embeddings',
  toolName: 'tool.name',
  toolParameters: 'tool.parameters',
  toolCallArguments: 'tool_call.function.arguments',
  agentName: 'agent.name',
} as const;

/** Vercel AI SDK telemetry (`experimental_telemetry`): its own `ai.*` names, current and legacy. */
export const VERCEL_AI = {
  operationId: 'ai.operationId',
  modelId: 'ai.model.id',
  modelProvider: 'ai.model.provider',
  responseModel: 'ai.response.model',
  inputTokens: 'ai.usage.inputTokens',
  outputTokens: 'ai.usage.outputTokens',
  /** Legacy (AI SDK 4) names of the two above. */
  promptTokens: 'ai.usage.promptTokens',
  completionTokens: 'ai.usage.completionTokens',
  /** Embedding calls count one number. */
  tokens: 'ai.usage.tokens',
  cachedInputTokens: 'ai.usage.cachedInputTokens',
  cacheReadTokens: 'ai.usage.inputTokenDetails.cacheReadTokens',
  cacheWriteTokens: 'ai.usage.inputTokenDetails.cacheWriteTokens',
  reasoningTokens: 'ai.usage.reasoningTokens',
  outputReasoningTokens: 'ai.usage.outputTokenDetails.reasoningTokens',
  prompt: 'ai.prompt',
  promptMessages: 'ai.prompt.messages',
  responseText: 'ai.response.text',
  responseObject: 'ai.response.object',
  responseToolCalls: 'ai.response.toolCalls',
  embedValue: 'ai.value',
  embedValues: 'ai.values',
  toolCallName: 'ai.toolCall.name',
  toolCallId: 'ai.toolCall.id',
  toolCallArgs: 'ai.toolCall.args',
  toolCallInput: 'ai.toolCall.input',
  toolCallResult: 'ai.toolCall.result',
  toolCallOutput: 'ai.toolCall.output',
  functionId: 'ai.telemetry.functionId',
  /** `experimental_telemetry.metadata` entries, e.g. `ai.telemetry.metadata.userId`. */
  metadata: 'ai.telemetry.metadata',
} as const;

/** Langfuse's own observation and trace attributes (its SDKs v3 and later). */
export const LANGFUSE = {
  observationType: 'langfuse.observation.type',
  input: 'langfuse.observation.input',
  output: 'langfuse.observation.output',
  modelName: 'langfuse.observation.model.name',
  usageDetails: 'langfuse.observation.usage_details',
  costDetails: 'langfuse.observation.cost_details',
  level: 'langfuse.observation.level',
  completionStartTime: 'langfuse.observation.completion_start_time',
  statusMessage: 'langfuse.observation.status_message',
  promptName: 'langfuse.observation.prompt.name',
  promptVersion: 'langfuse.observation.prompt.version',
  userId: 'langfuse.user.id',
  sessionId: 'langfuse.session.id',
  traceName: 'langfuse.trace.name',
  traceInput: 'langfuse.trace.input',
  traceOutput: 'langfuse.trace.output',
  traceTags: 'langfuse.trace.tags',
  environment: 'langfuse.environment',
} as const;
