export * from './log-key.ts';
export * from './checkpoints.ts';
export * from './audit.ts';
