import { columnTypes, strictOnSqlite } from '../dialect.ts';
import type { VigilMigration } from './migration.ts';

/**
 * The saved 1:N fingerprint index (@vigil/biometrics `IdentificationPool.toBytes`), so a
 * server does not rebuild it from every enrolled template at each start. One index can
 * be a gigabyte or more (a million templates), more than a single BLOB/BYTEA value should
 * hold (SQLite's default limit is 1 GB, PostgreSQL's 1 GB per value) or than a driver
 * should carry in one message, so the bytes are kept in chunks, numbered from 0.
 *
 * - `biometric_indexes`: one row per named index: its length, chunk count, SHA-256 (hex,
 *   checked on load), how many templates it holds and when it was saved.
 * - `biometric_index_chunks`: the bytes, in order.
 */
export const biometricIndexMigration: VigilMigration = {
  name: '0007-biometric-index',
  async up(db, dialect) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('biometric_indexes')
      .addColumn('index_name', 'text', (c) => c.notNull().primaryKey())
      .addColumn('byte_length', t.bigint, (c) => c.notNull())
      .addColumn('chunk_count', 'integer', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('template_count', t.bigint, (c) => c.notNull())
      .addColumn('saved_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('biometric_index_chunks')
      .addColumn('index_name', 'text', (c) =>
        c.notNull().references('biometric_indexes.index_name').onDelete('cascade'),
      )
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('bytes', t.bytes, (c) => c.notNull())
      .addPrimaryKeyConstraint('biometric_index_chunks_pk', ['index_name', 'seq'])
      .$call(strictOnSqlite(dialect))
      .execute();
  },
};
