import { sql } from 'kysely';
import { columnTypes, strictOnSqlite } from '../dialect.ts';
import type { VigilMigration } from './migration.ts';

/**
 * The ledger: an RFC 9162 Merkle log of every state change.
 *
 * - `ledger_entries`: one row per leaf, `seq` being its leaf index (0, 1, 2, ...), with
 *   the exact leaf bytes (the entry's RFC 8785 canonical JSON).
 * - `ledger_nodes`: the hash of every *complete* subtree, level 0 being the leaf hashes
 *   (see @vigil/ledger merkle.ts). A complete node never changes once written, so the
 *   table is append-only, and every root or proof needs only O(log n) of its rows.
 *   `node_key = index * 64 + level` keeps one integer key per node so that the rows a
 *   proof needs are fetched with one `IN (...)` on the primary key.
 * - `ledger_state`: the one row holding the tree size, locked by every append so that
 *   concurrent appenders (several server processes on PostgreSQL) take turns.
 * - `ledger_heads`: signed checkpoints (C2SP tlog-checkpoint) as signed notes, with every
 *   witness cosignature line gathered so far.
 */
export const ledgerMigration: VigilMigration = {
  name: '0002-ledger',
  async up(db, dialect) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('ledger_entries')
      .addColumn('seq', t.bigint, (c) => c.notNull().primaryKey())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('entry', t.bytes, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('ledger_nodes')
      .addColumn('node_key', t.bigint, (c) => c.notNull().primaryKey())
      .addColumn('hash', t.bytes, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('ledger_state')
      .addColumn('id', 'integer', (c) =>
        c
          .notNull()
          .primaryKey()
          .check(sql`id = 1`),
      )
      .addColumn('size', t.bigint, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await sql`insert into ledger_state (id, size) values (1, 0)`.execute(db);
    await db.schema
      .createTable('ledger_heads')
      .addColumn('size', t.bigint, (c) => c.notNull().primaryKey())
      .addColumn('root_hash', t.bytes, (c) => c.notNull())
      .addColumn('checkpoint', 'text', (c) => c.notNull())
      .addColumn('signed_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
  },
};
