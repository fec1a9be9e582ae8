export * from './events';
export * from './ids';
export * from './pricing';
export * from './stores';
export * from './gateway';
export * from './resilience';
