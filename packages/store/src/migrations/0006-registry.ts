import { columnTypes, strictOnSqlite } from '../dialect.ts';
import type { VigilMigration } from './migration.ts';

/**
 * The voter registry (issue 8, part A): the roll, its name index, the encrypted
 * biometric templates and the de-duplication review queue.
 *
 * - `voters`: one row per voter on the roll. `record_salt` and `record_digest` commit to
 *   the record's content (SHA-256 of salt and canonical JSON) so the ledger can name a
 *   version of a record without a hash anyone could confirm by guessing a name and date of
 *   birth.
 * - `voter_name_trigrams`: the trigrams of each voter's normalised names, for candidate
 *   retrieval of typo-tolerant search with plain indexed SQL on both dialects (no pg_trgm).
 * - `voter_templates`: one AES-256-GCM envelope per enrolled finger (or face); the data
 *   key is stored wrapped by the master key, which is never in the database.
 * - `duplicate_reviews`: suspected duplicates found by 1:N search, and the decision.
 */
export const registryMigration: VigilMigration = {
  name: '0006-registry',
  async up(db, dialect) {
    const t = columnTypes(dialect);
    const real = dialect === 'sqlite' ? 'real' : 'double precision';
    await db.schema
      .createTable('voters')
      .addColumn('voter_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('given_name', 'text', (c) => c.notNull())
      .addColumn('middle_name', 'text')
      .addColumn('family_name', 'text', (c) => c.notNull())
      .addColumn('birth_date', 'text', (c) => c.notNull())
      .addColumn('address_line1', 'text', (c) => c.notNull())
      .addColumn('address_line2', 'text')
      .addColumn('city', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('postal_code', 'text', (c) => c.notNull())
      .addColumn('precinct_id', 'text', (c) => c.notNull())
      .addColumn('split_id', 'text')
      .addColumn('ballot_style_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('document_number', 'text')
      .addColumn('blocked_as_duplicate_of', 'text')
      .addColumn('record_salt', t.bytes, (c) => c.notNull())
      .addColumn('record_digest', 'text', (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema.createIndex('voters_birth_date').on('voters').column('birth_date').execute();
    await db.schema
      .createIndex('voters_document_number')
      .on('voters')
      .column('document_number')
      .execute();

    await db.schema
      .createTable('voter_name_trigrams')
      .addColumn('trigram', 'text', (c) => c.notNull())
      .addColumn('voter_id', 'text', (c) => c.notNull().references('voters.voter_id'))
      .addPrimaryKeyConstraint('voter_name_trigrams_pk', ['trigram', 'voter_id'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createIndex('voter_name_trigrams_voter')
      .on('voter_name_trigrams')
      .column('voter_id')
      .execute();

    await db.schema
      .createTable('voter_templates')
      .addColumn('voter_id', 'text', (c) => c.notNull().references('voters.voter_id'))
      .addColumn('modality', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('format', 'integer', (c) => c.notNull())
      .addColumn('quality', 'integer', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('wrapped_key', t.bytes, (c) => c.notNull())
      .addColumn('nonce', t.bytes, (c) => c.notNull())
      .addColumn('ciphertext', t.bytes, (c) => c.notNull())
      .addColumn('enrolled_at', t.timestamp, (c) => c.notNull())
      .addColumn('enrolled_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('voter_templates_pk', ['voter_id', 'modality', 'position'])
      .$call(strictOnSqlite(dialect))
      .execute();

    await db.schema
      .createTable('duplicate_reviews')
      .addColumn('review_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('voter_id', 'text', (c) => c.notNull().references('voters.voter_id'))
      .addColumn('candidate_voter_id', 'text', (c) => c.notNull().references('voters.voter_id'))
      .addColumn('score', real, (c) => c.notNull())
      .addColumn('fused_fmr', real, (c) => c.notNull())
      .addColumn('finger_scores', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('decided_at', t.timestamp)
      .addColumn('decided_by', 'text')
      .addColumn('reason', 'text')
      .addUniqueConstraint('duplicate_reviews_pair', ['voter_id', 'candidate_voter_id'])
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createIndex('duplicate_reviews_status')
      .on('duplicate_reviews')
      .columns(['status', 'created_at'])
      .execute();
  },
};
