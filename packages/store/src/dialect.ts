import { sql, type CreateTableBuilder, type ColumnDataType } from 'kysely';

/** The two databases Vigil runs on: embedded SQLite, or PostgreSQL as the system of record. */
export type StoreDialect = 'sqlite' | 'postgres';

/**
 * Column types that differ between the dialects, so that one migration serves both.
 *
 * - `bytes`: exact octets (election definitions, hashes, signatures). BLOB on SQLite,
 *   BYTEA on PostgreSQL; both come back as a Buffer.
 * - `timestamp`: an instant. SQLite has no date type, so it is ISO 8601 UTC text
 *   (`Date.toISOString()`, which sorts in time order); PostgreSQL has TIMESTAMPTZ and
 *   returns a `Date`. Read it with `instantFromRow`.
 * - `bigint`: a 64-bit integer (ledger indices, tree sizes). SQLite's INTEGER is already
 *   64-bit; PostgreSQL's BIGINT comes back from `pg` as a decimal string, so convert it.
 *
 * @example
 *   const t = columnTypes(dialect);
 *   db.schema.createTable('t').addColumn('payload', t.bytes, (c) => c.notNull());
 */
export function columnTypes(dialect: StoreDialect): {
  readonly bytes: ColumnDataType;
  readonly timestamp: ColumnDataType;
  readonly bigint: ColumnDataType;
} {
  return dialect === 'sqlite'
    ? { bytes: 'blob', timestamp: 'text', bigint: 'integer' }
    : { bytes: 'bytea', timestamp: 'timestamptz', bigint: 'bigint' };
}

/**
 * Makes a new table STRICT on SQLite (https://sqlite.org/stricttables.html), so that a
 * column declared BLOB refuses text and INTEGER refuses 'abc', as PostgreSQL would.
 * Use with `createTable(...).$call(strictOnSqlite(dialect))`. STRICT tables accept only
 * the types INT, INTEGER, REAL, TEXT, BLOB and ANY: take types from `columnTypes`.
 */
export function strictOnSqlite(
  dialect: StoreDialect,
): <TB extends string, C extends string>(
  builder: CreateTableBuilder<TB, C>,
) => CreateTableBuilder<TB, C> {
  return (builder) => (dialect === 'sqlite' ? builder.modifyEnd(sql`strict`) : builder);
}

/** A timestamp column's value (ISO text on SQLite, a Date on PostgreSQL) as a Date. */
export function instantFromRow(value: Date | string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(
      `the database holds a timestamp that is not a valid date: ${String(value)}`,
    );
  }
  return date;
}

/** Bytes as a Buffer that shares their memory, which both drivers bind as BLOB/BYTEA. */
export function bytesToParam(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A bytes column's value as a fresh Uint8Array of exactly those bytes. The copy detaches
 * it from the driver's Buffer (pg may hand out a slice of a larger pooled buffer).
 */
export function bytesFromRow(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}
