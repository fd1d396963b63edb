import { columnTypes, strictOnSqlite } from '../dialect.ts';
import type { VigilMigration } from './migration.ts';

/**
 * Risk-limiting audits, kept as event logs: `audits` holds what was fixed when the audit
 * started (contest, risk limit, public seed, ballot manifest), `audit_events` what audit
 * boards did since, in order (round drawn, ballot entered, round closed). The state of an
 * audit is the pure replay of its events (@vigil/tally), so nothing is ever updated in
 * place and every step is also a ledger entry.
 */
export const auditsMigration: VigilMigration = {
  name: '0003-audits',
  async up(db, dialect) {
    const t = columnTypes(dialect);
    await db.schema
      .createTable('audits')
      .addColumn('audit_id', 'text', (c) => c.notNull().primaryKey())
      .addColumn('plan', 'text', (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .$call(strictOnSqlite(dialect))
      .execute();
    await db.schema
      .createTable('audit_events')
      .addColumn('audit_id', 'text', (c) => c.notNull().references('audits.audit_id'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('recorded_at', t.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_events_pk', ['audit_id', 'seq'])
      .$call(strictOnSqlite(dialect))
      .execute();
  },
};
