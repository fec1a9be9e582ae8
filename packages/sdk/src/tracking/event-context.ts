import { createAsyncContext } from '../runtime/async-context';

/** The agent run (and step) the current code runs in; see `run()` and `step()`. */
export interface RunScope {
  runId: string;
  /** The event the next event hangs under: the current step, or the run's own event. */
  parentId: string;
  /** Shared by every step of the run: the next step number. */
  counter: { next: number };
  userId?: string;
  sessionId?: string;
}

/** The request the current code serves; see `logger.withRequestId()`. */
export interface RequestScope {
  requestId: string;
  fields: Record<string, unknown>;
}

export const runContext = createAsyncContext<RunScope>();
export const requestContext = createAsyncContext<RequestScope>();

/** The ids that link an event to the run, step and request it happened in. */
export interface EventLinks {
  run_id?: string;
  parent_id?: string;
  request_id?: string;
  user_id?: string;
  session_id?: string;
}

export function currentLinks(): EventLinks {
  const links: EventLinks = {};
  const run = runContext.get();
  if (run) {
    links.run_id = run.runId;
    links.parent_id = run.parentId;
    if (run.userId !== undefined) links.user_id = run.userId;
    if (run.sessionId !== undefined) links.session_id = run.sessionId;
  }
  const request = requestContext.get();
  if (request) links.request_id = request.requestId;
  return links;
}
