import type { Kysely } from 'kysely';
import type { StoreDialect } from '../dialect.ts';

/**
 * One step of the schema, written once for both dialects.
 *
 * Migrations only go forward (there is no `down`): the store holds an append-only
 * ledger and election records, and undoing a step would throw history away. To change a
 * shipped migration, add a new one instead; a shipped one is never edited or renamed.
 *
 * `db` is untyped on purpose: a migration sees the schema as it was when the migration
 * was written, not today's `VigilDatabase`. A data migration that needs typed queries
 * declares the table shapes it expects locally and casts `db` to `Kysely<ThoseShapes>`.
 */
export interface VigilMigration {
  /**
   * `NNNN-words`, e.g. `0002-ledger-entries`; the same as its file name. Migrations run
   * in the order of these names, which must be the order of the `migrations` list.
   */
  readonly name: string;
  /**
   * Applies the step. It runs inside the one transaction that applies every pending
   * migration (SQLite and PostgreSQL both have transactional DDL), so a failure leaves
   * the schema as it was. Take column types from `columnTypes(dialect)`.
   */
  up(db: Kysely<unknown>, dialect: StoreDialect): Promise<void>;
}
