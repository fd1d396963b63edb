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
