export { buildServer, type BuildServerOptions } from './app.ts';
export { startServer, type StartServerOptions, type RunningServer } from './start.ts';
export { loadElection, type LoadedElection, type LoadElectionFailure } from './elections.ts';
export { CONTENT_SECURITY_POLICY } from './security-headers.ts';
export type * from './api-types.ts';
export * from './ledger/index.ts';
export * from './witness/index.ts';
export { taxiiRoutes, TAXII_MEDIA_TYPE, type TaxiiRoutesOptions } from './routes/taxii.ts';
export * from './auth/index.ts';
export { ingestStixObjects, type TaxiiStatus } from './routes/taxii-ingest.ts';
export { intelAlertBus } from './routes/taxii-ingest.ts';
export { OPERATIONS_USER, recordOperationalSighting } from './routes/taxii-sightings.ts';
export type * from './routes/console-types.ts';
export type * from './routes/ballot-box.ts';
export { ballotBoxRoutes } from './routes/ballot-box.ts';
export {
  BallotBox,
  BallotBoxError,
  DEFAULT_BOOTH_SESSION_MS,
  type BallotBoxOptions,
} from './ballot-box/service.ts';
export type * from './routes/station-types.ts';
