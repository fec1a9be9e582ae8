export type Listener<Event> = (event: Event) => void;

/**
 * A minimal typed event channel: metrics and logs subscribe, the primitive
 * emits. A listener that throws is cut off from the caller (a broken metrics
 * hook must not fail a user's request); pass `onListenerError` to see it.
 */
export class TypedEmitter<Event> {
  private readonly listeners = new Set<Listener<Event>>();

  constructor(private readonly onListenerError?: (error: unknown, event: Event) => void) {}

  /** Subscribes; returns the function that unsubscribes. */
  on(listener: Listener<Event>): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: Event): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError?.(error, event);
      }
    }
  }
}
