import { columnTypes, strictOnSqlite } from '../dialect.ts';
import type { VigilMigration } from './migration.ts';

/**
 * Polling-station check-in and blind ballot credentials (issue 8).
 *
 * Registry side:
 * - `voter_participation`: one row per voter and election, the "has voted" lock. Its
 *   primary key is what makes the lock exactly-once across stations: every check-in is
 *   an INSERT … ON CONFLICT DO NOTHING, and only the insert that lands wins.
 *   `credential_issued` flips 0 → 1 once, by a conditional UPDATE, when the registry
 *   signs the station's blinded token (RFC 9474): never the token, never the signature.
 * - `checkin_attempts`: each 1:1 biometric match, numbered per voter across stations;
 *   the (election, voter, attempt) key bounds the attempts under concurrency too.
 * - `provisional_ballots`: the provisional-ballot path for people not on the roll.
 * - `credential_keys`: one RSA key pair per ballot style; the private key only sealed
 *   with AES-256-GCM under a key the database never holds.
 * - `station_journal` (on a station's own database), `station_checkins` (central: what
 *   stations synced) and `registry_incidents` (double check-ins found on sync).
 *
 * Ballot side:
 * - `spent_credentials`: the hash of each spent one-time token, with no time, voter,
 *   station or check-in column, so nothing in it can be joined to the registry.
 */
export const checkinMigration: VigilMigration = {
  name: '0008-checkin',
  async up(db, dialect) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('voter_participation')
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('voter_id', 'text', (c) => c.notNull())
      .addColumn('checkin_id', 'text', (c) => c.notNull().unique())
      .addColumn('station_id', 'text', (c) => c.notNull())
      .addColumn('official_id', 'text', (c) => c.notNull())
      // biometric or override.
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('supervisor_id', 'text')
      .addColumn('override_reason', 'text')
      .addColumn('ballot_style_id', 'text', (c) => c.notNull())
      // The hybrid logical clock stamp of an offline check-in (see station_journal).
      .addColumn('hlc', 'text')
      .addColumn('checked_in_at', t.timestamp, (c) => c.notNull())
      .addColumn('credential_issued', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('voter_participation_pk', ['election_id', 'voter_id'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('checkin_attempts')
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('voter_id', 'text', (c) => c.notNull())
      .addColumn('attempt_no', 'integer', (c) => c.notNull())
      .addColumn('station_id', 'text', (c) => c.notNull())
      .addColumn('official_id', 'text', (c) => c.notNull())
      // match or no-match.
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('score', 'real', (c) => c.notNull())
      .addColumn('attempted_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('checkin_attempts_pk', ['election_id', 'voter_id', 'attempt_no'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('provisional_ballots')
      .addColumn('envelope_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('station_id', 'text', (c) => c.notNull())
      .addColumn('official_id', 'text', (c) => c.notNull())
      .addColumn('precinct_id', 'text', (c) => c.notNull())
      .addColumn('ballot_style_id', 'text', (c) => c.notNull())
      .addColumn('claimed_voter_id', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('credential_keys')
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('ballot_style_id', 'text', (c) => c.notNull())
      // SHA-256 (hex) of the public key's SPKI DER: what the ledger names.
      .addColumn('key_id', 'text', (c) => c.notNull().unique())
      .addColumn('public_key', t.bytes, (c) => c.notNull())
      // nonce ‖ AES-256-GCM ciphertext ‖ tag of the PKCS #8 private key.
      .addColumn('sealed_private_key', t.bytes, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('credential_keys_pk', ['election_id', 'ballot_style_id'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('spent_credentials')
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('ballot_style_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('spent_credentials_pk', ['election_id', 'token_hash'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('station_journal')
      .addColumn('station_id', 'text', (c) => c.notNull())
      // Encoded HLC stamp: sorts as (physical ms, counter, station) does.
      .addColumn('hlc', 'text', (c) => c.notNull())
      .addColumn('checkin_id', 'text', (c) => c.notNull().unique())
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('voter_id', 'text', (c) => c.notNull())
      .addColumn('official_id', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('ballot_style_id', 'text', (c) => c.notNull())
      .addColumn('synced_at', t.timestamp)
      .addPrimaryKeyConstraint('station_journal_pk', ['station_id', 'hlc'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('station_checkins')
      .addColumn('checkin_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('station_id', 'text', (c) => c.notNull())
      .addColumn('hlc', 'text', (c) => c.notNull())
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('voter_id', 'text', (c) => c.notNull())
      // accepted (it took the lock) or duplicate (the voter had already voted).
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('received_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('registry_incidents')
      .addColumn('incident_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('voter_id', 'text', (c) => c.notNull())
      // JSON list of the check-ins involved, each {checkinId, stationId, hlc}.
      .addColumn('checkins', 'text', (c) => c.notNull())
      .addColumn('first_seen', t.timestamp, (c) => c.notNull())
      .addColumn('last_seen', t.timestamp, (c) => c.notNull())
      .addColumn('raised_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
  },
};
