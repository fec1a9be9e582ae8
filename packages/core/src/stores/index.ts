export * from './alert-rule-store';
export * from './analytics-store';
export * from './budget-store';
export * from './event-store';
export * from './meta-store';
export * from './policy-store';
export * from './prompt-store';
export * from './hot-store';
