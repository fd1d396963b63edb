export * from './fuse.ts';
export * from './chimeric.ts';
export * from './run.ts';
