export * from './decode.ts';
export * from './quality.ts';
export * from './engine.ts';
export * from './capture.ts';
export * from './compare.ts';
export * from './evaluate.ts';
export * from './folder.ts';
