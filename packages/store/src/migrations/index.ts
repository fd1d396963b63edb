import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { VigilError } from '@vigil/core';
import type { StoreDialect } from '../dialect.ts';
import { describeError, type StoreLogger } from '../logger.ts';
import type { VigilMigration } from './migration.ts';
import { electionsMigration } from './0001-elections.ts';
import { ledgerMigration } from './0002-ledger.ts';
import { auditsMigration } from './0003-audits.ts';
import { intelMigration } from './0004-intel.ts';
import { officialsMigration } from './0005-officials.ts';
import { registryMigration } from './0006-registry.ts';
import { biometricIndexMigration } from './0007-biometric-index.ts';
import { checkinMigration } from './0008-checkin.ts';
import { ballotBoxMigration } from './0009-ballot-box.ts';

export type { VigilMigration } from './migration.ts';

/**
 * Every migration, in order. To add one: create `NNNN-what.ts` in this folder exporting
 * a `VigilMigration` named `NNNN-what`, and append it here. `openStore` applies the ones
 * a database has not seen yet.
 */
export const migrations: readonly VigilMigration[] = [
  electionsMigration,
  ledgerMigration,
  auditsMigration,
  intelMigration,
  officialsMigration,
  registryMigration,
  biometricIndexMigration,
  checkinMigration,
  ballotBoxMigration,
];

const NAME_PATTERN = /^\d{4}-[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Throws unless the names are well formed, unique and ascending. Kysely runs migrations
 * in name order, so a list out of order would run them in an order no one reviewed.
 */
export function checkMigrationList(list: readonly VigilMigration[]): void {
  let previous: string | undefined;
  for (const m of list) {
    if (!NAME_PATTERN.test(m.name)) {
      throw new Error(
        `migration name "${m.name}" is not of the form NNNN-words (e.g. 0002-ledger)`,
      );
    }
    if (previous !== undefined && m.name <= previous) {
      throw new Error(
        `migration "${m.name}" is listed after "${previous}": the list must be in ascending name order with no duplicates`,
      );
    }
    previous = m.name;
  }
}

/** Kysely's view of the in-code list, with the dialect bound into each step. */
export function migrationProvider(
  dialect: StoreDialect,
  list: readonly VigilMigration[] = migrations,
): MigrationProvider {
  checkMigrationList(list);
  const byName: Record<string, Migration> = {};
  for (const m of list) {
    byName[m.name] = { up: (db) => m.up(db, dialect) };
  }
  return { getMigrations: () => Promise.resolve(byName) };
}

/**
 * Applies every pending migration in one transaction and returns the names applied
 * (none when the database is current, so running it again is harmless). Throws a
 * VigilError naming the failed migration; the schema is then left as it was.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  dialect: StoreDialect,
  options: { readonly logger?: StoreLogger; readonly list?: readonly VigilMigration[] } = {},
): Promise<readonly string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect, options.list) });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const reason = describeError(error);
    throw new VigilError(
      'store-migration-failed',
      failed === undefined
        ? `Could not bring the database schema up to date: ${reason}.`
        : `Database migration ${failed} failed: ${reason}. No migration of this run was applied.`,
      {
        hint: 'Fix the cause (disk space, permissions, a database from a newer Vigil) and start again.',
        cause: error,
      },
    );
  }
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  for (const name of applied) {
    options.logger?.info(
      { event: 'store-migration-applied', dialect, migration: name },
      `applied database migration ${name}`,
    );
  }
  return applied;
}
