import { sql, type CreateTableBuilder } from 'kysely';
import { columnTypes, strictOnSqlite, type StoreDialect } from '../dialect.ts';
import type { VigilMigration } from './migration.ts';

/**
 * The ballot box (issue 11): the ElectionGuard 2.0 key ceremony, the polls, voting-booth
 * sessions, encrypted ballots, paper ballot records and the decrypted outcome.
 *
 * - `ballot_box_elections`: one row per election served, its phase and the public values
 *   of the ceremony (joint key K, extended base hash H_E); after decryption the results
 *   and the verifier's report, computed once.
 * - `ballot_box_guardians`: each guardian's x-coordinate and published commitments; the
 *   polynomial and then the key share only sealed (AES-256-GCM under the registry master
 *   key, which the database never holds).
 * - `ballot_box_devices`: each encrypting device's place in its confirmation-code chain
 *   (spec 2.0 §3.4.3), advanced by a compare-and-set so two encryptions cannot share a link.
 * - `ballot_box_sessions`: a voting-booth session, tied to the station that opened it.
 * - `ballot_box_ballots`: every encrypted ballot by confirmation code; while pending, the
 *   primary nonce and the marks sealed and the booth session it belongs to, all dropped
 *   when it is cast or challenged. Its ledger entry then waits in `ledger_entry` until a
 *   shuffled batch publishes it (docs/architecture.md, "Batched publication"), when
 *   `ledger_index` is set. No time of day is kept: a cast time, like the ledger order,
 *   could be matched to the voter's check-in.
 *
 * On SQLite the ballot, session and paper tables are keyed by their random ids alone,
 * WITHOUT ROWID (https://sqlite.org/withoutrowid.html): a rowid would count the rows in
 * the order they were written, i.e. the order in which voters voted.
 * - `paper_ballots`: the voter-verified paper record of each cast ballot, under a random
 *   id, with no time and no link to its confirmation code (for a ballot-polling audit).
 */
/** STRICT and WITHOUT ROWID on SQLite (see above); PostgreSQL tables have no rowid. */
function withoutRowid(
  dialect: StoreDialect,
): <TB extends string, C extends string>(
  builder: CreateTableBuilder<TB, C>,
) => CreateTableBuilder<TB, C> {
  return (builder) =>
    dialect === 'sqlite' ? builder.modifyEnd(sql`strict, without rowid`) : builder;
}

export const ballotBoxMigration: VigilMigration = {
  name: '0009-ballot-box',
  async up(db, dialect) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('ballot_box_elections')
      .addColumn('election_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('phase', 'text', (c) => c.notNull())
      .addColumn('number_of_guardians', 'integer', (c) => c.notNull())
      .addColumn('quorum', 'integer', (c) => c.notNull())
      // Hex of K (512 bytes) and H_E (32 bytes), once the ceremony completed.
      .addColumn('joint_key', 'text')
      .addColumn('extended_base_hash', 'text')
      .addColumn('ceremony_started_at', t.timestamp, (c) => c.notNull())
      .addColumn('polls_opened_at', t.timestamp)
      .addColumn('polls_closed_at', t.timestamp)
      .addColumn('tallied_at', t.timestamp)
      .addColumn('decrypted_at', t.timestamp)
      // JSON, written once at decryption.
      .addColumn('results', 'text')
      .addColumn('verification', 'text')
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('ballot_box_guardians')
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('guardian_id', 'text', (c) => c.notNull())
      .addColumn('x_coordinate', 'integer', (c) => c.notNull())
      // JSON list of {publicKey, challenge, response} (hex): K_ij and its Schnorr proof.
      .addColumn('commitments', 'text')
      .addColumn('sealed_coefficients', t.bytes)
      .addColumn('sealed_share', t.bytes)
      .addColumn('keys_published_at', t.timestamp)
      .addColumn('share_released_at', t.timestamp)
      .addPrimaryKeyConstraint('ballot_box_guardians_pk', ['election_id', 'guardian_id'])
      .addUniqueConstraint('ballot_box_guardians_x', ['election_id', 'x_coordinate'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('ballot_box_devices')
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('ballot_count', 'integer', (c) => c.notNull())
      .addColumn('last_code', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('ballot_box_devices_pk', ['election_id', 'device_id'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('ballot_box_sessions')
      .addColumn('session_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('station_id', 'text', (c) => c.notNull())
      .addColumn('ballot_style_id', 'text', (c) => c.notNull())
      // open, cast (ended by a cast ballot) or closed (the polls closed).
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .$call(withoutRowid(dialect))
      .execute();
    await db.schema
      .createTable('ballot_box_ballots')
      .addColumn('election_id', 'text', (c) => c.notNull())
      // Lowercase hex of the confirmation code H(B).
      .addColumn('confirmation_code', 'text', (c) => c.notNull())
      .addColumn('ballot_id', 'text', (c) => c.notNull())
      // The booth session, while pending; NULL once cast or challenged, so that no row
      // ties the ballot to the session's opening (which follows the check-in).
      .addColumn('session_id', 'text')
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('chain_position', 'integer', (c) => c.notNull())
      .addColumn('ballot_style_id', 'text', (c) => c.notNull())
      // pending, cast or challenged.
      .addColumn('state', 'text', (c) => c.notNull())
      // The encrypted ballot in the record's JSON form.
      .addColumn('encrypted', 'text', (c) => c.notNull())
      .addColumn('sealed_secret', t.bytes)
      // The ballot.cast / ballot.challenged entry (JSON) waiting for its batch; NULL once
      // published, when ledger_index is set.
      .addColumn('ledger_entry', 'text')
      .addColumn('ledger_index', t.bigint)
      .addPrimaryKeyConstraint('ballot_box_ballots_pk', ['election_id', 'confirmation_code'])
      .addUniqueConstraint('ballot_box_ballots_id', ['election_id', 'ballot_id'])
      .addUniqueConstraint('ballot_box_ballots_chain', [
        'election_id',
        'device_id',
        'chain_position',
      ])
      .$call(withoutRowid(dialect))
      .execute();
    await db.schema
      .createIndex('ballot_box_ballots_by_session')
      .on('ballot_box_ballots')
      .column('session_id')
      .execute();
    // The queue of ballots waiting for publication, counted at every cast.
    await db.schema
      .createIndex('ballot_box_ballots_unpublished')
      .on('ballot_box_ballots')
      .column('election_id')
      .where(sql.ref('ledger_entry'), 'is not', null)
      .execute();
    await db.schema
      .createTable('paper_ballots')
      .addColumn('election_id', 'text', (c) => c.notNull())
      .addColumn('paper_id', 'text', (c) => c.notNull())
      .addColumn('ballot_style_id', 'text', (c) => c.notNull())
      // JSON {contestId: [optionId, …]}, ranks in order.
      .addColumn('marks', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('paper_ballots_pk', ['election_id', 'paper_id'])
      .$call(withoutRowid(dialect))
      .execute();
  },
};
