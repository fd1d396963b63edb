export { buildServer, type BuildServerOptions } from './app.ts';
export { startServer, type StartServerOptions, type RunningServer } from './start.ts';
export { loadElection, type LoadedElection, type LoadElectionFailure } from './elections.ts';
export { CONTENT_SECURITY_POLICY } from './security-headers.ts';
export type * from './api-types.ts';
export * from './ledger/index.ts';
export * from './witness/index.ts';
