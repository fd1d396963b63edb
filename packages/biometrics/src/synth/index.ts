export * from './orientation.ts';
export * from './templates.ts';
export { mixSeed } from './random.ts';
export * from './master.ts';
export * from './impression.ts';
export * from './set.ts';
export * from './pool.ts';
