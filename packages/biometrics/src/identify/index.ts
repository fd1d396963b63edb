export * from './triangles.ts';
export * from './shard.ts';
export * from './packing.ts';
export * from './pool.ts';
export * from './person.ts';
export * from './person-pool.ts';
export * from './bench.ts';
