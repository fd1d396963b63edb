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
