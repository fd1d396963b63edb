/**
 * @vigil/store: Vigil's schema and migrations, on embedded SQLite or on PostgreSQL,
 * behind one typed interface of operations.
 */
export {
  openStore,
  SQLITE_FILE_NAME,
  type OpenStoreOptions,
  type Store,
  type StoreTransaction,
} from './store.ts';
export type {
  ElectionSummary,
  SaveElectionInput,
  SaveElectionOutcome,
  StoreOperations,
  StoredElection,
} from './operations.ts';
export type {
  BigintColumn,
  ElectionRow,
  ElectionsTable,
  LedgerEntriesTable,
  LedgerHeadsTable,
  LedgerNodesTable,
  LedgerStateTable,
  TimestampColumn,
  VigilDatabase,
} from './schema.ts';
export {
  bytesFromRow,
  bytesToParam,
  columnTypes,
  instantFromRow,
  strictOnSqlite,
  type StoreDialect,
} from './dialect.ts';
export {
  checkMigrationList,
  migrateToLatest,
  migrationProvider,
  migrations,
  type VigilMigration,
} from './migrations/index.ts';
export type { StoreLogger } from './logger.ts';
export {
  nodeKey,
  type AppendedEntries,
  type LedgerOperations,
  type StoredLedgerEntry,
  type StoredLedgerHead,
} from './ledger.ts';
export type { AuditOperations, StoredAudit } from './audits.ts';
export type {
  IntelAlert,
  IntelCollection,
  IntelGroup,
  IntelObjectInput,
  IntelObjectQuery,
  IntelOperations,
  IntelOrganisation,
  IntelOrgKind,
  IntelRights,
  IntelUser,
  StoredIntelObject,
  VersionSelector,
} from './intel.ts';
