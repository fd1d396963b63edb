import { columnTypes, strictOnSqlite } from '../dialect.ts';
import type { VigilMigration } from './migration.ts';

/**
 * Loaded election definitions, kept as the exact bytes received (the vxsuite habit: the
 * hash of those bytes travels on every ballot and export, so they must never be
 * re-serialised). One row per election id; a hash names one definition only.
 */
export const electionsMigration: VigilMigration = {
  name: '0001-elections',
  async up(db, dialect) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('elections')
      .addColumn('election_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('definition', t.bytes, (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('loaded_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
  },
};
