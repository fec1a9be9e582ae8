import type { EventTenant } from '@tollgate/core';
import type { PromptCallRecord } from './prompt-call-record';

export type PromptCallObserver = (tenant: EventTenant, record: PromptCallRecord) => void;

/**
 * Who hears of every gateway call as it is recorded (metrics, budgets, rate-limit settling):
 * one per app, made in `app.ts` and passed to the gateway's recorder, so apps built side by
 * side in one process keep their own.
 */
export class PromptCallObservers {
  private observers: PromptCallObserver[] = [];

  observe(observer: PromptCallObserver): void {
    this.observers = [...this.observers, observer];
  }

  /** Tells every observer; an observer's failure never fails the call. */
  notify(tenant: EventTenant, record: PromptCallRecord): void {
    for (const observer of this.observers) {
      try {
        observer(tenant, record);
      } catch {
        // Observers are best effort; the call and its event matter more.
      }
    }
  }
}
