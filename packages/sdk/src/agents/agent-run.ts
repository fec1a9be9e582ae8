import { createEventId, type EventInput, type EventStatus } from '@tollgate/core';
import { getDefaultTollgate, type Tollgate } from '../exporter/create-tollgate';
import { elapsedMs, monotonicNow } from '../runtime/background-clock';
import { messageOfError, statusOfError } from '../tracking/error-status';
import { currentLinks, runContext, type RunScope } from '../tracking/event-context';

export interface RunOptions {
  /** Recorded on every event of the run. */
  userId?: string;
  sessionId?: string;
  input?: unknown;
  metadata?: Record<string, unknown>;
  tags?: string[];
  tollgate?: Tollgate;
}

export interface StepOptions {
  /** What kind of step: `llm`, `tool`, `retrieval`, `plan`... */
  type?: string;
  input?: unknown;
  metadata?: Record<string, unknown>;
  /** Record the step's return value as its output; default true. */
  recordOutput?: boolean;
  tollgate?: Tollgate;
}

export interface ToolCallOptions {
  metadata?: Record<string, unknown>;
  recordOutput?: boolean;
  tollgate?: Tollgate;
}

/** Where the code runs within an agent run; handed to `run` and `step` callbacks. */
export interface RunInfo {
  runId: string;
  /** This step's (or the run's) event id: the parent of what happens inside. */
  eventId: string;
  /** 0 for the run itself. */
  stepNumber: number;
}

/** The current run, or undefined outside `run()`. */
export function currentRun(): RunInfo | undefined {
  const scope = runContext.get();
  return (
    scope && { runId: scope.runId, eventId: scope.parentId, stepNumber: scope.counter.next - 1 }
  );
}

type AgentStepInput = Extract<EventInput, { event_type: 'agent_step' }>;
type ToolCallInput = Extract<EventInput, { event_type: 'tool_call' }>;

/**
 * Runs `fn` as an agent run: every `step`, `toolCall`, wrapped client call
 * and `trackAIOperation` inside it (through awaits) carries its `run_id` and
 * hangs under it. The run itself is recorded as step 0 (`step_type: run`),
 * whose event id is the run id.
 */
export async function run<T>(
  name: string,
  fn: (run: RunInfo) => T | Promise<T>,
  options: RunOptions = {},
): Promise<T> {
  const tollgate = options.tollgate ?? getDefaultTollgate();
  const outer = runContext.get();
  const runId = createEventId();
  const scope: RunScope = {
    runId,
    parentId: runId,
    counter: { next: 1 },
    userId: options.userId ?? outer?.userId,
    sessionId: options.sessionId ?? outer?.sessionId,
  };
  const event: AgentStepInput = {
    event_type: 'agent_step',
    event_id: runId,
    run_id: runId,
    step_number: 0,
    step_name: name,
    step_type: 'run',
    name,
  };
  if (outer) event.parent_id = outer.parentId;
  const requestId = currentLinks().request_id;
  if (requestId !== undefined) event.request_id = requestId;
  if (options.tags) event.tags = options.tags;
  return measure(tollgate, event, scope, options, fn, { runId, eventId: runId, stepNumber: 0 });
}

/**
 * Runs `fn` as the next step of the current run (numbered from 1 in the
 * order steps start) and records an `agent_step` event under the enclosing
 * step. Outside a run it starts one named after the step.
 */
export async function step<T>(
  name: string,
  fn: (step: RunInfo) => T | Promise<T>,
  options: StepOptions = {},
): Promise<T> {
  const outer = runContext.get();
  if (!outer) return run(name, () => step(name, fn, options), { tollgate: options.tollgate });
  const tollgate = options.tollgate ?? getDefaultTollgate();
  const stepNumber = outer.counter.next++;
  const eventId = createEventId();
  const scope: RunScope = { ...outer, parentId: eventId };
  const event: AgentStepInput = {
    event_type: 'agent_step',
    event_id: eventId,
    step_number: stepNumber,
    step_name: name,
    name,
    ...currentLinks(),
  };
  if (options.type !== undefined) event.step_type = options.type;
  return measure(tollgate, event, scope, options, fn, {
    runId: outer.runId,
    eventId,
    stepNumber,
  });
}

/**
 * Calls a tool: runs `fn(input)` and records a `tool_call` event (input,
 * output or error, latency) under the current step. Returns `fn`'s result or
 * rethrows its error unchanged.
 */
export async function toolCall<Input, T>(
  name: string,
  input: Input,
  fn: (input: Input) => T | Promise<T>,
  options: ToolCallOptions = {},
): Promise<T> {
  const tollgate = options.tollgate ?? getDefaultTollgate();
  const event: ToolCallInput = {
    event_type: 'tool_call',
    event_id: createEventId(),
    tool_name: name,
    name,
    ...currentLinks(),
  };
  return measure(tollgate, event, undefined, { ...options, input }, () => fn(input), undefined);
}

async function measure<T, Info>(
  tollgate: Tollgate | undefined,
  event: AgentStepInput | ToolCallInput,
  scope: RunScope | undefined,
  options: { input?: unknown; metadata?: Record<string, unknown>; recordOutput?: boolean },
  fn: (info: Info) => T | Promise<T>,
  info: Info,
): Promise<T> {
  const startedAt = Date.now();
  const started = monotonicNow();
  event.ts = startedAt;
  if (scope?.userId !== undefined) event.user_id = scope.userId;
  if (scope?.sessionId !== undefined) event.session_id = scope.sessionId;
  const capture = tollgate?.captureContent ?? false;
  if (capture && options.input !== undefined) event.input = options.input;
  if (options.metadata) event.metadata = options.metadata;
  const finish = (status: EventStatus, fields: { output?: unknown; error_message?: string }) => {
    if (!tollgate) return;
    try {
      event.status = status;
      event.latency_ms = elapsedMs(started);
      if (fields.error_message !== undefined) event.error_message = fields.error_message;
      if (capture && options.recordOutput !== false && fields.output !== undefined) {
        event.output = fields.output;
      }
      tollgate.record(event);
    } catch {
      // Recording must never reach the app.
    }
  };
  try {
    const result = scope ? await runContext.run(scope, () => fn(info)) : await fn(info);
    finish('success', { output: result });
    return result;
  } catch (error) {
    finish(statusOfError(error), { error_message: messageOfError(error) });
    throw error;
  }
}
