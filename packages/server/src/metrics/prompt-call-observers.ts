import type { EventTenant } from '@tollgate/core';
import type { EventWriter } from '../ingest/event-writer';
import type { PromptCallRecord } from '../gateway/call/prompt-call-record';

export type PromptCallObserver = (tenant: EventTenant, record: PromptCallRecord) => void;

const observers = new WeakMap<EventWriter, PromptCallObserver[]>();

/**
 * Subscribes to every gateway call recorded through this event writer (one
 * per app, so apps built side by side in one process keep their own metrics).
 */
export function observePromptCalls(writer: EventWriter, observer: PromptCallObserver): void {
  observers.set(writer, [...(observers.get(writer) ?? []), observer]);
}

/** Tells the writer's observer about a recorded call; an observer's failure never fails the call. */
export function notifyPromptCall(
  writer: EventWriter,
  tenant: EventTenant,
  record: PromptCallRecord,
): void {
  for (const observer of observers.get(writer) ?? []) {
    try {
      observer(tenant, record);
    } catch {
      // Observers (metrics, rate-limit settling) are best effort; the call and its event matter more.
    }
  }
}
