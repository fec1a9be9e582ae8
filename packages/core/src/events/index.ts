export * from './event-schema';
export * from './event-columns';
export * from './build-event-row';
