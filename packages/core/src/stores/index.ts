export * from './analytics-store';
export * from './event-store';
export * from './meta-store';
export * from './hot-store';
