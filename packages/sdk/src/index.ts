/**
 * @tollgate/sdk: the client library (exporter, trackAIOperation, wrappers).
 * For now it re-exports the event model so apps can type the events they send.
 */
export { eventInputSchema, type EventInput } from '@tollgate/core';
