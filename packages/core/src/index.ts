export * from './events';
export * from './ids';
export * from './pricing';
export * from './stores';
