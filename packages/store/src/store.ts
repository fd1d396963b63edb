import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { InvalidInputError, VigilError } from '@vigil/core';
import type { StoreDialect } from './dialect.ts';
import { describeError, type StoreLogger } from './logger.ts';
import { migrateToLatest } from './migrations/index.ts';
import { createOperations, type StoreOperations } from './operations.ts';
import { routeCheckInWrites } from './checkin.ts';
import { routeOfficialWrites } from './officials.ts';
import { routeVoterWrites } from './voters.ts';
import { routeBiometricIndexWrites } from './biometric-index.ts';
import { routeBallotBoxWrites } from './ballot-box.ts';
import type { VigilDatabase } from './schema.ts';
import { configureSqlite, SQLITE_BUSY_TIMEOUT_MS, sqliteDialect, withFileQueue } from './sqlite.ts';

/** The SQLite file's name inside the data directory. */
export const SQLITE_FILE_NAME = 'vigil.sqlite';

export interface OpenStoreOptions {
  /**
   * Where the data lives. `postgres://…` or `postgresql://…`: that PostgreSQL database.
   * `:memory:`: a private in-memory SQLite database, gone on close (for tests). Unset
   * or empty: the SQLite file `<dataDir>/vigil.sqlite`.
   */
  readonly url?: string;
  /**
   * The SQLite data directory, when no URL is given. Defaults to `$VIGIL_DATA_DIR`, else
   * `./vigil-data`. Created with mode 0700 when missing.
   */
  readonly dataDir?: string;
  readonly logger?: StoreLogger;
}

/** The handle a transaction's callback gets: every operation, inside the transaction. */
export interface StoreTransaction extends StoreOperations {
  readonly dialect: StoreDialect;
  readonly db: Transaction<VigilDatabase>;
}

/** An open database, migrated to the current schema. */
export interface Store extends StoreOperations {
  readonly dialect: StoreDialect;
  /**
   * The Kysely handle, for queries no operation covers yet. Writes through it bypass
   * the SQLite writer queue: prefer adding an operation, or write inside `transaction`.
   */
  readonly db: Kysely<VigilDatabase>;
  /**
   * Runs `fn` in one transaction: committed when its promise resolves, rolled back when
   * it rejects (an err Result returned by `fn` still commits; throw to roll back). Use
   * only the handle `fn` receives inside it: calling the store itself from `fn` waits
   * for the transaction to end, which never comes. On SQLite the transaction holds the
   * write lock from its start (BEGIN IMMEDIATE); on PostgreSQL it is READ COMMITTED.
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /** Closes the database (the pool on PostgreSQL). Calling it again does nothing. */
  close(): Promise<void>;
}

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/**
 * Opens the store and brings its schema up to date (see `migrations/index.ts`).
 *
 * @example
 *   const store = await openStore(); // ./vigil-data/vigil.sqlite
 *   const pgStore = await openStore({ url: 'postgres://vigil@db.example/vigil' });
 *   const scratch = await openStore({ url: ':memory:' });
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const { logger } = options;
  const url = options.url ?? '';
  if (POSTGRES_URL.test(url)) return openPostgres(url, logger);
  if (url === ':memory:') return openSqlite(':memory:', logger);
  if (url !== '') {
    throw new InvalidInputError(
      `The database URL "${describeUrl(url)}" is not one Vigil can use: it must start ` +
        'with postgres:// or postgresql://, or be :memory:.',
      {
        path: 'url',
        hint: 'Leave the URL unset to use the SQLite file in the data directory.',
      },
    );
  }
  // An empty VIGIL_DATA_DIR counts as unset, like an empty url.
  const dataDir = resolve(options.dataDir || process.env.VIGIL_DATA_DIR || './vigil-data');
  prepareDataDir(dataDir, logger);
  return openSqlite(join(realpathSync(dataDir), SQLITE_FILE_NAME), logger);
}

function prepareDataDir(dataDir: string, logger: StoreLogger | undefined): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new VigilError('store-data-dir', `Could not create the data directory ${dataDir}.`, {
      hint: 'Choose a directory Vigil may write to with --data-dir or VIGIL_DATA_DIR.',
      cause,
    });
  }
  const stat = statSync(dataDir);
  if (!stat.isDirectory()) {
    throw new VigilError('store-data-dir', `The data directory ${dataDir} is not a directory.`);
  }
  if ((stat.mode & 0o077) !== 0) {
    logger?.warn(
      { event: 'store-data-dir-open', dataDir, mode: (stat.mode & 0o777).toString(8) },
      `the data directory ${dataDir} can be read by other users; chmod 700 it`,
    );
  }
}

async function openSqlite(file: string, logger: StoreLogger | undefined): Promise<Store> {
  const inMemory = file === ':memory:';
  // Connections of this process to the same file queue their writes (see withFileQueue).
  const queue = inMemory
    ? <T>(fn: () => Promise<T>) => fn()
    : <T>(fn: () => Promise<T>) => withFileQueue(file, fn);

  const db = await queue(async () => {
    const database = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    const kysely = new Kysely<VigilDatabase>({ dialect: sqliteDialect(database) });
    try {
      const { wal } = configureSqlite(database);
      if (!wal && !inMemory) {
        logger?.warn(
          { event: 'store-sqlite-no-wal', file },
          `SQLite could not use WAL mode for ${file} (a network file system?); concurrent access will be slower`,
        );
      }
      await migrateToLatest(kysely, 'sqlite', { logger });
    } catch (e) {
      await kysely.destroy();
      throw e;
    }
    return kysely;
  });
  logger?.info({ event: 'store-opened', dialect: 'sqlite', file }, `opened SQLite store ${file}`);
  return makeStore('sqlite', db, queue);
}

async function openPostgres(url: string, logger: StoreLogger | undefined): Promise<Store> {
  const where = describeUrl(url);
  const pool = new pg.Pool({ connectionString: url, application_name: 'vigil' });
  // An idle pooled connection that breaks (server restart) emits 'error'; unhandled, it
  // would end the process. The pool replaces it; queries in flight fail on their own.
  pool.on('error', (e) => {
    logger?.warn(
      { event: 'store-postgres-connection-lost', url: where, error: e.message },
      `a pooled PostgreSQL connection failed: ${e.message}`,
    );
  });
  const db = new Kysely<VigilDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (cause) {
    await db.destroy();
    const reason = describeError(cause);
    throw new VigilError(
      'store-unreachable',
      `Could not connect to PostgreSQL at ${where}: ${reason}.`,
      { hint: 'Check that the server is running and the URL, user and password.', cause },
    );
  }
  try {
    await migrateToLatest(db, 'postgres', { logger });
  } catch (e) {
    await db.destroy();
    throw e;
  }
  logger?.info(
    { event: 'store-opened', dialect: 'postgres', url: where },
    `opened PostgreSQL store ${where}`,
  );
  return makeStore('postgres', db, (fn) => fn());
}

function makeStore(
  dialect: StoreDialect,
  db: Kysely<VigilDatabase>,
  queue: <T>(fn: () => Promise<T>) => Promise<T>,
): Store {
  const reads = createOperations(db, dialect);
  let closed = false;

  const transaction = <T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> =>
    queue(() =>
      db
        .transaction()
        .execute((trx) => fn({ dialect, db: trx, ...createOperations(trx, dialect) })),
    );

  return {
    dialect,
    db,
    transaction,
    // Writes go through `transaction`, so that on SQLite they take their turn in the
    // writer queue; reads need no turn (WAL readers see the last commit, unblocked).
    ...reads,
    saveElection: (input) => transaction((tx) => tx.saveElection(input)),
    appendLedgerEntries: (entries) => transaction((tx) => tx.appendLedgerEntries(entries)),
    createAudit: (input) => transaction((tx) => tx.createAudit(input)),
    appendAuditEvent: (input) => transaction((tx) => tx.appendAuditEvent(input)),
    addIntelOrganisation: (org, entry) => transaction((tx) => tx.addIntelOrganisation(org, entry)),
    addIntelGroup: (group, entry) => transaction((tx) => tx.addIntelGroup(group, entry)),
    addIntelUser: (user, entry) => transaction((tx) => tx.addIntelUser(user, entry)),
    addIntelCollection: (c, entry) => transaction((tx) => tx.addIntelCollection(c, entry)),
    addIntelObjects: (input) => transaction((tx) => tx.addIntelObjects(input)),
    deleteIntelObjectVersions: (input) => transaction((tx) => tx.deleteIntelObjectVersions(input)),
    saveIntelStatus: (status) => transaction((tx) => tx.saveIntelStatus(status)),
    subscribeIntel: (userId, jurisdiction) =>
      transaction((tx) => tx.subscribeIntel(userId, jurisdiction)),
    addIntelAlerts: (alerts, entries) => transaction((tx) => tx.addIntelAlerts(alerts, entries)),
    ...routeCheckInWrites(transaction),
    ...routeOfficialWrites(transaction),
    ...routeVoterWrites(transaction),
    ...routeBiometricIndexWrites(transaction),
    ...routeBallotBoxWrites(transaction),
    saveLedgerHead: (head) => transaction((tx) => tx.saveLedgerHead(head)),
    updateLedgerHeadCheckpoint: (size, checkpoint) =>
      transaction((tx) => tx.updateLedgerHeadCheckpoint(size, checkpoint)),
    getElection: reads.getElection,
    getElectionByHash: reads.getElectionByHash,
    listElections: reads.listElections,
    countElections: reads.countElections,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/** A URL fit for logs and messages: the password, if any, is masked. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}
