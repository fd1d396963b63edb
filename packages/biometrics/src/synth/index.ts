export * from './orientation.ts';
export * from './templates.ts';
export { mixSeed } from './random.ts';
