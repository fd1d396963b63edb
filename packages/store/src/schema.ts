import type { ColumnType, Selectable } from 'kysely';

/**
 * The stored shape of every table: what the database holds, in its own column names
 * and types. These are not the domain types (see `operations.ts`); the store converts
 * between the two, so that a domain type can change without a migration and a column
 * cannot leak into callers.
 *
 * Add a table here when a migration creates it. Types are the union of what SQLite
 * (better-sqlite3) and PostgreSQL (pg) return, since one schema serves both.
 */
export interface VigilDatabase {
  elections: ElectionsTable;
  ledger_entries: LedgerEntriesTable;
  ledger_nodes: LedgerNodesTable;
  ledger_state: LedgerStateTable;
  ledger_heads: LedgerHeadsTable;
  audits: AuditsTable;
  audit_events: AuditEventsTable;
  intel_orgs: IntelOrgsTable;
  intel_groups: IntelGroupsTable;
  intel_group_members: IntelGroupMembersTable;
  intel_users: IntelUsersTable;
  intel_collections: IntelCollectionsTable;
  intel_collection_rights: IntelCollectionRightsTable;
  intel_objects: IntelObjectsTable;
  intel_status: IntelStatusTable;
  intel_subscriptions: IntelSubscriptionsTable;
  intel_alerts: IntelAlertsTable;
  voters: VotersTable;
  voter_name_trigrams: VoterNameTrigramsTable;
  voter_templates: VoterTemplatesTable;
  duplicate_reviews: DuplicateReviewsTable;
  officials: OfficialsTable;
  official_assignments: OfficialAssignmentsTable;
  stations: StationsTable;
  official_sessions: OfficialSessionsTable;
  voter_participation: VoterParticipationTable;
  checkin_attempts: CheckinAttemptsTable;
  provisional_ballots: ProvisionalBallotsTable;
  credential_keys: CredentialKeysTable;
  spent_credentials: SpentCredentialsTable;
  station_journal: StationJournalTable;
  station_checkins: StationCheckinsTable;
  registry_incidents: RegistryIncidentsTable;
  biometric_indexes: BiometricIndexesTable;
  biometric_index_chunks: BiometricIndexChunksTable;
  ballot_box_elections: BallotBoxElectionsTable;
  ballot_box_guardians: BallotBoxGuardiansTable;
  ballot_box_devices: BallotBoxDevicesTable;
  ballot_box_sessions: BallotBoxSessionsTable;
  ballot_box_ballots: BallotBoxBallotsTable;
  paper_ballots: PaperBallotsTable;
}

/** A 64-bit integer: a number from better-sqlite3, a decimal string from pg. */
export type BigintColumn = ColumnType<number | string, number, number>;

/** One leaf of the ledger (migration 0002-ledger). */
export interface LedgerEntriesTable {
  /** The leaf index, from 0, with no gaps. */
  seq: BigintColumn;
  /** The catalogue id of the event, e.g. vigil-0010 (also inside `entry`). */
  event_id: string;
  /** The leaf bytes: the entry's RFC 8785 canonical JSON. */
  entry: Uint8Array;
}

/** The hash of one complete subtree; `node_key = index * 64 + level`. */
export interface LedgerNodesTable {
  node_key: BigintColumn;
  hash: Uint8Array;
}

/** The single row (id 1) holding the number of leaves. */
export interface LedgerStateTable {
  id: number;
  size: BigintColumn;
}

/** A signed checkpoint at one tree size, with the cosignatures gathered for it. */
export interface LedgerHeadsTable {
  size: BigintColumn;
  root_hash: Uint8Array;
  /** The signed note: checkpoint text, the log's signature, witness cosignatures. */
  checkpoint: string;
  signed_at: TimestampColumn;
}

/** A timestamp column: ISO 8601 text on SQLite, TIMESTAMPTZ (a Date) on PostgreSQL. */
export type TimestampColumn = ColumnType<Date | string, string, string>;

/** One loaded election definition (migration 0001-elections). */
export interface ElectionsTable {
  /** The id inside the definition; primary key. */
  election_id: string;
  /** Hash of the exact definition bytes as received; unique. */
  hash: string;
  /** The definition exactly as received, byte for byte: BLOB / BYTEA. */
  definition: Uint8Array;
  title: string;
  /** When this definition was first loaded. */
  loaded_at: TimestampColumn;
}

export type ElectionRow = Selectable<ElectionsTable>;

/** One risk-limiting audit's fixed inputs (migration 0003-audits). */
export interface AuditsTable {
  audit_id: string;
  /** JSON: method, contest, risk limit, seed, manifest. */
  plan: string;
  created_at: TimestampColumn;
}

/** One step of an audit, numbered from 0 without gaps. */
export interface AuditEventsTable {
  audit_id: string;
  seq: number;
  /** JSON: round started, ballot entered, round closed. */
  event: string;
  recorded_at: TimestampColumn;
}

/** An organisation of the intelligence hub (migration 0004-intel). */
export interface IntelOrgsTable {
  org_id: string;
  name: string;
  /** federal, state, county or partner. */
  kind: string;
  parent_id: string | null;
  created_at: TimestampColumn;
}

/** A sharing group: a state with its counties, a joint unit. */
export interface IntelGroupsTable {
  group_id: string;
  name: string;
}

export interface IntelGroupMembersTable {
  group_id: string;
  org_id: string;
}

/** A person of an organisation; secrets are stored only as hashes. */
export interface IntelUsersTable {
  user_id: string;
  org_id: string;
  name: string;
  /** `scrypt$N$r$p$salt$hash` (base64url), or null for token-only users. */
  password_hash: string | null;
  /** SHA-256 (hex) of the bearer token, or null. */
  token_hash: string | null;
}

/** A TAXII collection. */
export interface IntelCollectionsTable {
  collection_id: string;
  title: string;
  description: string;
  /** The TLP of objects that carry no TLP marking. */
  default_tlp: string;
  created_at: TimestampColumn;
}

/** What one organisation may do with one collection (1 = yes). */
export interface IntelCollectionRightsTable {
  collection_id: string;
  org_id: string;
  can_read: number;
  can_write: number;
}

/** One version of one STIX object in one collection. */
export interface IntelObjectsTable {
  seq: BigintColumn;
  collection_id: string;
  object_id: string;
  object_type: string;
  version_key: string;
  version: string;
  spec_version: string;
  date_added: TimestampColumn;
  tlp: string;
  owner_org: string;
  owner_user: string;
  /** JSON list of the organisations, groups or people the poster named. */
  recipients: string;
  is_first: number;
  is_last: number;
  /** The object exactly as posted (JSON text). */
  body: string;
}

/** A TAXII status resource (JSON). */
export interface IntelStatusTable {
  status_id: string;
  collection_id: string;
  created_at: TimestampColumn;
  body: string;
}

/** A person following a jurisdiction (an organisation id: a state covers its counties). */
export interface IntelSubscriptionsTable {
  user_id: string;
  jurisdiction: string;
}

/** One alert in one person's inbox. */
export interface IntelAlertsTable {
  alert_id: string;
  user_id: string;
  collection_id: string;
  /** The object that targets the jurisdiction. */
  object_id: string;
  /** The relationship or sighting that says so. */
  via_id: string;
  jurisdiction: string;
  created_at: TimestampColumn;
}

/** An election official who signs in (migration 0005-officials). */
export interface OfficialsTable {
  official_id: string;
  display_name: string;
  /** poll_worker, supervisor, registrar, administrator or guardian. */
  role: string;
  /** active or disabled. */
  status: string;
  /** `scrypt$N$r$p$salt$hash` (base64url). */
  password_hash: string;
  /** Sign-in attempts begun since the last success. */
  failed_logins: ColumnType<number, number | undefined, number>;
  /** Sign-in is refused until then (after too many failures); null when not locked. */
  locked_until: ColumnType<Date | string | null, string | null | undefined, string | null>;
  created_at: TimestampColumn;
}

/** A polling place (precinct id) an official may act at. */
export interface OfficialAssignmentsTable {
  official_id: string;
  polling_place: string;
}

/** A polling-station device; its bearer token is stored as SHA-256 (hex). */
export interface StationsTable {
  station_id: string;
  polling_place: string;
  token_hash: string;
  /** active or revoked. */
  status: string;
  registered_at: TimestampColumn;
  revoked_at: ColumnType<Date | string | null, string | null | undefined, string | null>;
}

/** A signed-in official; the session's bearer token is stored as SHA-256 (hex). */
export interface OfficialSessionsTable {
  session_hash: string;
  official_id: string;
  /** The station the session was opened on, or null. */
  station_id: string | null;
  created_at: TimestampColumn;
  expires_at: TimestampColumn;
  last_seen_at: TimestampColumn;
}

/** One voter on the roll (migration 0006-registry). */
export interface VotersTable {
  voter_id: string;
  given_name: string;
  middle_name: string | null;
  family_name: string;
  /** ISO 8601 calendar date, YYYY-MM-DD. */
  birth_date: string;
  address_line1: string;
  address_line2: string | null;
  city: string;
  state: string;
  postal_code: string;
  precinct_id: string;
  split_id: string | null;
  ballot_style_id: string;
  /** active, inactive or removed. */
  status: string;
  document_number: string | null;
  blocked_as_duplicate_of: string | null;
  /** Random salt of `record_digest`. */
  record_salt: Uint8Array;
  /** SHA-256 (hex) of salt and the record's canonical JSON: what the ledger names. */
  record_digest: string;
  updated_at: TimestampColumn;
}

/** One trigram of one voter's normalised names (typo-tolerant search). */
export interface VoterNameTrigramsTable {
  trigram: string;
  voter_id: string;
}

/** One enrolled template, encrypted (AES-256-GCM envelope; see @vigil/registry). */
export interface VoterTemplatesTable {
  voter_id: string;
  /** finger or face. */
  modality: string;
  /** ISO/IEC 19794-2 finger position 1..10; 0 for the face. */
  position: number;
  /** Version of the envelope format. */
  format: number;
  quality: number;
  /** Which master key wrapped the data key (a fingerprint of the key, not the key). */
  key_id: string;
  wrapped_key: Uint8Array;
  nonce: Uint8Array;
  /** The encrypted template followed by the GCM tag. */
  ciphertext: Uint8Array;
  enrolled_at: TimestampColumn;
  enrolled_by: string;
}

/** A suspected duplicate enrolment and, once decided, the decision. */
export interface DuplicateReviewsTable {
  review_id: string;
  /** The voter whose enrolment found the candidate (the later record). */
  voter_id: string;
  candidate_voter_id: string;
  score: number;
  fused_fmr: number;
  /** JSON list of { position, score }. */
  finger_scores: string;
  /** pending, same-person or different-people. */
  status: string;
  created_at: TimestampColumn;
  decided_at: ColumnType<Date | string | null, string | null | undefined, string | null>;
  decided_by: string | null;
  reason: string | null;
}

/** The "has voted" lock: one row per voter and election (migration 0008-checkin). */
export interface VoterParticipationTable {
  election_id: string;
  voter_id: string;
  checkin_id: string;
  station_id: string;
  official_id: string;
  /** biometric or override. */
  method: string;
  supervisor_id: string | null;
  override_reason: string | null;
  ballot_style_id: string;
  hlc: string | null;
  checked_in_at: TimestampColumn;
  /** 1 once the registry blind-signed this check-in's credential. */
  credential_issued: number;
}

/** One 1:1 biometric attempt, numbered per voter across stations. */
export interface CheckinAttemptsTable {
  election_id: string;
  voter_id: string;
  attempt_no: number;
  station_id: string;
  official_id: string;
  /** match or no-match. */
  outcome: string;
  score: number;
  attempted_at: TimestampColumn;
}

/** A provisional ballot issued to a person not found on the roll. */
export interface ProvisionalBallotsTable {
  envelope_id: string;
  election_id: string;
  station_id: string;
  official_id: string;
  precinct_id: string;
  ballot_style_id: string;
  claimed_voter_id: string | null;
  reason: string;
  created_at: TimestampColumn;
}

/** A ballot style's RSA blind-signature key; the private key only sealed (AES-256-GCM). */
export interface CredentialKeysTable {
  election_id: string;
  ballot_style_id: string;
  key_id: string;
  public_key: Uint8Array;
  sealed_private_key: Uint8Array;
  created_at: TimestampColumn;
}

/** Ballot side: the hash of each spent one-time token; no time, voter or station. */
export interface SpentCredentialsTable {
  election_id: string;
  token_hash: string;
  ballot_style_id: string;
}

/** A station's own journal of its check-ins, stamped by its hybrid logical clock. */
export interface StationJournalTable {
  station_id: string;
  hlc: string;
  checkin_id: string;
  election_id: string;
  voter_id: string;
  official_id: string;
  method: string;
  ballot_style_id: string;
  synced_at: ColumnType<Date | string | null, string | null | undefined, string | null>;
}

/** Central side: each check-in a station synced, and whether it took the lock. */
export interface StationCheckinsTable {
  checkin_id: string;
  station_id: string;
  hlc: string;
  election_id: string;
  voter_id: string;
  /** accepted or duplicate. */
  outcome: string;
  received_at: TimestampColumn;
}

/** A double check-in found when stations synced. */
export interface RegistryIncidentsTable {
  incident_id: string;
  kind: string;
  election_id: string;
  voter_id: string;
  /** JSON list of {checkInId, stationId, hlc}. */
  checkins: string;
  first_seen: TimestampColumn;
  last_seen: TimestampColumn;
  raised_at: TimestampColumn;
}

/** A saved 1:N fingerprint index (migration 0007-biometric-index). */
export interface BiometricIndexesTable {
  index_name: string;
  byte_length: BigintColumn;
  chunk_count: number;
  /** SHA-256 of the whole index, hex. */
  sha256: string;
  template_count: BigintColumn;
  saved_at: TimestampColumn;
}

/** One chunk of a saved index's bytes, numbered from 0. */
export interface BiometricIndexChunksTable {
  index_name: string;
  seq: number;
  bytes: Uint8Array;
}

/** The ballot box of one election (migration 0009-ballot-box). */
export interface BallotBoxElectionsTable {
  election_id: string;
  phase: string;
  number_of_guardians: number;
  quorum: number;
  joint_key: string | null;
  extended_base_hash: string | null;
  ceremony_started_at: TimestampColumn;
  polls_opened_at: TimestampColumn | null;
  polls_closed_at: TimestampColumn | null;
  tallied_at: TimestampColumn | null;
  decrypted_at: TimestampColumn | null;
  results: string | null;
  verification: string | null;
}

/** A guardian of the key ceremony; secrets only sealed. */
export interface BallotBoxGuardiansTable {
  election_id: string;
  guardian_id: string;
  x_coordinate: number;
  commitments: string | null;
  sealed_coefficients: Uint8Array | null;
  sealed_share: Uint8Array | null;
  keys_published_at: TimestampColumn | null;
  share_released_at: TimestampColumn | null;
}

/** An encrypting device's place in its confirmation-code chain. */
export interface BallotBoxDevicesTable {
  election_id: string;
  device_id: string;
  ballot_count: number;
  last_code: string;
}

/** A voting-booth session. */
export interface BallotBoxSessionsTable {
  session_id: string;
  election_id: string;
  station_id: string;
  ballot_style_id: string;
  status: string;
  expires_at: TimestampColumn;
}

/** An encrypted ballot, by confirmation code. */
export interface BallotBoxBallotsTable {
  election_id: string;
  confirmation_code: string;
  ballot_id: string;
  /** The booth session while pending; NULL once cast or challenged. */
  session_id: string | null;
  device_id: string;
  chain_position: number;
  ballot_style_id: string;
  state: string;
  encrypted: string;
  sealed_secret: Uint8Array | null;
  /** The ledger entry (JSON) waiting for its shuffled batch; NULL once published. */
  ledger_entry: string | null;
  ledger_index: BigintColumn | null;
}

/** A paper ballot record: random id, marks, no time, no confirmation code. */
export interface PaperBallotsTable {
  election_id: string;
  paper_id: string;
  ballot_style_id: string;
  marks: string;
}
