import { columnTypes, strictOnSqlite } from '../dialect.ts';
import type { VigilMigration } from './migration.ts';

/**
 * Election officials, polling-station devices and the sessions officials open on them.
 * Secrets are stored only as hashes: scrypt for passwords, SHA-256 for the station and
 * session bearer tokens (both 32 random bytes, so a fast hash is enough: there is
 * nothing to guess). A polling place is a precinct id of the election definition.
 */
export const officialsMigration: VigilMigration = {
  name: '0005-officials',
  async up(db, dialect) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('officials')
      .addColumn('official_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      // Sign-in attempts begun since the last success (see beginOfficialSignIn).
      .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('official_assignments')
      .addColumn('official_id', 'text', (c) => c.notNull().references('officials.official_id'))
      .addColumn('polling_place', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('official_assignments_pk', ['official_id', 'polling_place'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('stations')
      .addColumn('station_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('polling_place', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('registered_at', t.timestamp, (c) => c.notNull())
      .addColumn('revoked_at', t.timestamp)
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('official_sessions')
      .addColumn('session_hash', 'text', (c) => c.notNull().primaryKey())
      .addColumn('official_id', 'text', (c) => c.notNull().references('officials.official_id'))
      .addColumn('station_id', 'text', (c) => c.references('stations.station_id'))
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createIndex('official_sessions_by_official')
      .on('official_sessions')
      .column('official_id')
      .execute();
    await db.schema
      .createIndex('official_sessions_by_station')
      .on('official_sessions')
      .column('station_id')
      .execute();
  },
};
