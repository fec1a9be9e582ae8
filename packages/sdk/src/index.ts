/**
 * @tollgate/sdk: record an app's LLM calls in Tollgate (exporter,
 * trackAIOperation, logger, client wrappers, agent runs), call providers
 * resiliently, and answer missing RPC methods with a model.
 */
export { createTollgate, getDefaultTollgate, setDefaultTollgate } from './exporter/create-tollgate';
export type { Tollgate, TollgateOptions } from './exporter/create-tollgate';
export type { ExporterStats, FlushResult } from './exporter/event-exporter';

export { isFeatureEnabled } from './flags/is-feature-enabled';
export type { FeatureFlagOptions } from './flags/is-feature-enabled';

export { trackAIOperation } from './tracking/track-ai-operation';
export type { TrackAIOperationOptions } from './tracking/track-ai-operation';
export type { TokenCounts } from './tracking/usage';

export { createLogger } from './logger/create-logger';
export type { AIOperationReport, LogFields, Logger, LoggerOptions } from './logger/create-logger';
export type { LoggerSentryOptions } from './logger/sentry-sink';
export { LOG_LEVELS, type LogLevel } from './logger/log-format';

export { createCostTracker } from './costs/cost-tracker';
export type {
  BudgetRequest,
  BudgetStatus,
  CostTracker,
  CostTrackerOptions,
  SummaryRequest,
} from './costs/cost-tracker';
export { CostsUnavailableError, isCostsUnavailableError } from './costs/cost-summary';
export type { CostBreakdown, CostSubject, CostSummary } from './costs/cost-summary';
export { BUDGET_PERIODS, type BudgetPeriod } from './costs/budget-period';

export { wrapOpenAI } from './wrappers/wrap-openai';
export { wrapAnthropic } from './wrappers/wrap-anthropic';
export type { WrapOptions } from './wrappers/instrument-call';

export { currentRun, run, step, toolCall } from './agents/agent-run';
export type { RunInfo, RunOptions, StepOptions, ToolCallOptions } from './agents/agent-run';

export { createRpcClient } from './rpc/rpc-client';
export type { RpcClient, RpcClientOptions } from './rpc/rpc-client';
export { createRpcProxy } from './rpc/rpc-proxy';
export type { RpcProxy } from './rpc/rpc-proxy';
export type { AiFallbackOptions, FallbackAnswer, FallbackInfo } from './rpc/ai-fallback';
export {
  AiFallbackError,
  METHOD_NOT_FOUND,
  RpcError,
  isAiFallbackError,
  isRpcError,
} from './rpc/rpc-errors';
export type { AiFallbackFailure } from './rpc/rpc-errors';

export * from './resilience';

/** The event model's types, so apps can type the events they record (the server validates them). */
export type { EventInput, EventStatus, EventType, OperationKind } from '@tollgate/core';
