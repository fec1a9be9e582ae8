/**
 * Event rows the event store refused for good (not an outage): kept, with the
 * store's message, where an admin of their organization can list and export
 * them. The row is kept byte for byte as it was sent to the store (base64), so
 * a row holding a lone surrogate or a NUL, the usual reason for a refusal, is
 * kept too.
 */
export interface DeadLetter {
  id: string;
  orgId: string;
  /** The row's `event_id`, or '' when the row did not say. */
  eventId: string;
  /** The row's `ts` as sent (`YYYY-MM-DD hh:mm:ss.SSS`), or '' when the row did not say. */
  eventTime: string;
  /** The store's error message. */
  error: string;
  /** ClickHouse's exception code, when the store gave one. */
  errorCode: number | null;
  /** The JSONEachRow line sent to the store, base64-encoded. */
  rowBase64: string;
  createdAt: Date;
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'createdAt'>;

export interface DeadLetterPage {
  limit: number;
  /**
   * Only those after this one in the newest-first order (the next page): stored
   * before `createdAt`, or at the same time with a smaller id (rows refused by
   * one insert share their time).
   */
  after?: { createdAt: Date; id: string };
}

export interface DeadLetterStore {
  addDeadLetters(letters: readonly NewDeadLetter[]): Promise<void>;
  /** One organization's dead letters, newest first. */
  listDeadLetters(orgId: string, page: DeadLetterPage): Promise<DeadLetter[]>;
}
