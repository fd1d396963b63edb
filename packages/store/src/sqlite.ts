import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
} from 'kysely';

/**
 * Connection settings, applied to every SQLite connection the store opens.
 *
 * - journal_mode=WAL: readers never block the writer nor the writer the readers, and
 *   several processes (server, CLI) can open the same file.
 * - synchronous=FULL: every commit is fsync'ed to the WAL before it returns. With
 *   NORMAL, WAL mode stays consistent but may lose the last transactions on power loss;
 *   for a record of an election (a check-in, a cast ballot, a ledger entry already
 *   acknowledged to someone) losing an acknowledged write is not acceptable, and the cost
 *   is one fsync per transaction. Revisit only with a benchmark that shows it matters
 *   and a reason the lost writes could be recovered.
 * - foreign_keys=ON: SQLite does not enforce REFERENCES without it.
 * - busy_timeout: how long a writer waits for another process's write lock before
 *   failing with SQLITE_BUSY.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function configureSqlite(db: BetterSqlite3.Database): { readonly wal: boolean } {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  return { wal: typeof mode === 'string' && mode.toLowerCase() === 'wal' };
}

/**
 * Starts write transactions with BEGIN IMMEDIATE, which takes the write lock at once
 * (waiting up to busy_timeout for it). Kysely's plain BEGIN is deferred: a transaction
 * that reads and then writes can find, in WAL mode, that another process wrote in
 * between, and then fails with SQLITE_BUSY at once, whatever the timeout.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite has transactional DDL, though Kysely's adapter says otherwise; saying so makes
 * Kysely's Migrator apply all pending migrations in one (immediate) transaction, which
 * makes them atomic and serialises migrating processes on the write lock.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Kysely's SQLite dialect with the two changes above. */
export function sqliteDialect(database: BetterSqlite3.Database): Dialect {
  return {
    createDriver: () => new ImmediateSqliteDriver({ database }),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new TransactionalDdlSqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
}

const fileQueues = new Map<string, Promise<void>>();

/**
 * Runs `fn` after every earlier call for the same database file in this process has
 * settled. better-sqlite3 is synchronous: when a second connection in the same process
 * waits for the write lock (busy_timeout), it blocks the event loop, so the transaction
 * holding the lock can never finish. Queueing writers of one file here, before SQLite
 * sees them, avoids that; other processes are kept in order by SQLite's own lock.
 */
export async function withFileQueue<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const previous = fileQueues.get(file) ?? Promise.resolve();
  let release: () => void = () => undefined;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  fileQueues.set(file, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (fileQueues.get(file) === tail) fileQueues.delete(file);
  }
}
