/**
 * Test support for code that uses the store: fresh, isolated stores on each backend,
 * and the rule for when PostgreSQL tests run. Import from `@vigil/store/testing`; never
 * from production code.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreLogger } from './logger.ts';
import { openStore, type Store } from './store.ts';

/** A fresh place to open stores in, and a way to remove it. */
export interface StoreTarget {
  /**
   * True when every `open` reaches the same data (a file, a server database); false for
   * `:memory:`, where each open is a new empty database.
   */
  readonly shared: boolean;
  /** The database URL, for a target on a PostgreSQL server (to hand to another process). */
  readonly url?: string;
  /** Opens a store on the target; `cleanup` closes it if the test did not. */
  open(options?: { readonly logger?: StoreLogger }): Promise<Store>;
  /** Closes every store opened here and deletes the data. */
  cleanup(): Promise<void>;
}

function tracking(
  shared: boolean,
  openOne: (logger: StoreLogger | undefined) => Promise<Store>,
  remove: () => Promise<void>,
  url?: string,
): StoreTarget {
  const opened: Store[] = [];
  return {
    shared,
    ...(url === undefined ? {} : { url }),
    async open(options) {
      const store = await openOne(options?.logger);
      opened.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(opened.map((s) => s.close()));
      await remove();
    },
  };
}

/** A new SQLite data directory under the OS temp directory. */
export async function sqliteFileTarget(): Promise<StoreTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), 'vigil-store-'));
  return tracking(
    true,
    (logger) => openStore({ dataDir, ...(logger && { logger }) }),
    () => rm(dataDir, { recursive: true, force: true }),
  );
}

/** In-memory SQLite: each open is a new, empty database. */
export function sqliteMemoryTarget(): Promise<StoreTarget> {
  return Promise.resolve(
    tracking(
      false,
      (logger) => openStore({ url: ':memory:', ...(logger && { logger }) }),
      () => Promise.resolve(),
    ),
  );
}

/**
 * A new database, with a random name, on the PostgreSQL server of `adminUrl` (whose
 * user must have CREATEDB); dropped by `cleanup`, even with connections still open.
 */
export async function postgresTarget(adminUrl: string): Promise<StoreTarget> {
  const name = `vigil_test_${randomBytes(8).toString('hex')}`;
  const admin = async (statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const quoted = pg.escapeIdentifier(name);
  await admin(`create database ${quoted}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return tracking(
    true,
    (logger) => openStore({ url: url.toString(), ...(logger && { logger }) }),
    () => admin(`drop database if exists ${quoted} with (force)`),
    url.toString(),
  );
}

/** Whether PostgreSQL tests can run here, and if not, what to do about it. */
export type PostgresTestSetup =
  | { readonly kind: 'available'; readonly url: string }
  | { readonly kind: 'skip'; readonly message: string }
  | { readonly kind: 'fail'; readonly message: string };

/**
 * PostgreSQL tests run against `VIGIL_TEST_POSTGRES_URL`. Without it they are skipped
 * on a developer's machine, but fail on CI (`CI` set): CI must test the system of
 * record, and a skipped suite would look green.
 */
export function postgresTestSetup(env: NodeJS.ProcessEnv = process.env): PostgresTestSetup {
  const url = env.VIGIL_TEST_POSTGRES_URL;
  if (url !== undefined && url !== '') return { kind: 'available', url };
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return ci
    ? {
        kind: 'fail',
        message:
          'CI must provide PostgreSQL: VIGIL_TEST_POSTGRES_URL is not set. Run the tests ' +
          'through .ci/run, or start one with .ci/postgres.sh and export the URL it prints.',
      }
    : {
        kind: 'skip',
        message:
          'Skipping the PostgreSQL store tests: VIGIL_TEST_POSTGRES_URL is not set. To run ' +
          'them: export VIGIL_TEST_POSTGRES_URL=$(.ci/postgres.sh)',
      };
}
