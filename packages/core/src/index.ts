export * from './result.ts';
export * from './errors.ts';
export * from './hash.ts';
export * from './canonical-json.ts';
export * from './ids.ts';
export * from './clock.ts';
export * from './election/index.ts';
export * from './random.ts';
