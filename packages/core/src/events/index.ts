export * from './event-schema';
export * from './event-columns';
export * from './build-event-row';
export * from './storable-text';
export * from './check-event-input';
export * from './event-field-names';
export * from './event-usage';
