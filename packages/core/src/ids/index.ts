export { createEventId, createEventIdFactory, eventTimeFromId, isEventId } from './ulid';
export type { EventIdFactory } from './ulid';
