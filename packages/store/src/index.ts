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
export {
  OFFICIAL_ROLES,
  type Official,
  type OfficialOperations,
  type OfficialRole,
  type OfficialSession,
  type OfficialStatus,
  type Station,
  type StationStatus,
  type StoredOfficial,
} from './officials.ts';
export {
  VOTER_STATUSES,
  type DuplicateDecision,
  type DuplicateReviewStatus,
  type EncryptedTemplateRecord,
  type StoredDuplicateReview,
  type StoredVoter,
  type TemplateModality,
  type VoterAddress,
  type VoterMatch,
  type VoterOperations,
  type VoterQuery,
  type VoterStatus,
  type VoterWrite,
} from './voters.ts';
export type {
  CheckInAttempt,
  CheckInMethod,
  CheckInOperations,
  LockOutcome,
  ProvisionalBallotRecord,
  RegistryIncident,
  StationCheckIn,
  StationJournalEntry,
  StoredCredentialKey,
  VoterParticipation,
} from './checkin.ts';
export {
  BIOMETRIC_INDEX_CHUNK_BYTES,
  type BiometricIndexOperations,
  type StoredBiometricIndex,
  type StoredBiometricIndexInfo,
} from './biometric-index.ts';
export type {
  DashboardOperations,
  EnrolmentListEntry,
  EnrolmentListQuery,
  PrecinctEnrolment,
  PrecinctTurnout,
  StationActivity,
  TurnoutHour,
} from './dashboards.ts';
export type {
  BallotBoxElection,
  BallotBoxGuardian,
  BallotBoxOperations,
  BallotBoxPhase,
  BallotBoxPhaseFields,
  BoothSession,
  BoothSessionStatus,
  PaperBallot,
  StoredBallot,
  StoredBallotState,
} from './ballot-box.ts';
