import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidInputError,
  VigilError,
  sha256Hex,
  type ElectionId,
} from '@vigil/core';
import {
  checkMigrationList,
  migrateToLatest,
  migrations,
  openStore,
  SQLITE_FILE_NAME,
  type SaveElectionInput,
  type StoreLogger,
} from './index.ts';
import {
  postgresTarget,
  postgresTestSetup,
  sqliteFileTarget,
  sqliteMemoryTarget,
  type PostgresTestSetup,
  type StoreTarget,
} from './testing.ts';

const postgres = postgresTestSetup();
if (postgres.kind === 'skip') console.warn(postgres.message);

function election(id: string, body: string | Uint8Array, title = `Election ${id}`) {
  const definition =
    typeof body === 'string' ? new TextEncoder().encode(JSON.stringify({ id, body })) : body;
  return {
    electionId: id as ElectionId,
    hash: sha256Hex(definition),
    definition,
    title,
    loadedAt: new Date('2026-11-03T06:00:00.000Z'),
  } satisfies SaveElectionInput;
}

function recordingLogger(): StoreLogger & { readonly events: string[] } {
  const events: string[] = [];
  const record = (fields: Record<string, unknown>) => {
    events.push(String(fields.event));
  };
  return { events, info: record, warn: record };
}

interface Backend {
  readonly name: string;
  readonly makeTarget: () => Promise<StoreTarget>;
  /** Set when the backend cannot be tested here. */
  readonly setup?: PostgresTestSetup;
}

const backends: readonly Backend[] = [
  { name: 'SQLite file', makeTarget: sqliteFileTarget },
  { name: 'SQLite :memory:', makeTarget: sqliteMemoryTarget },
  {
    name: 'PostgreSQL',
    makeTarget: () => {
      if (postgres.kind !== 'available') throw new Error(postgres.message);
      return postgresTarget(postgres.url);
    },
    setup: postgres,
  },
];

/** The store's contract, written once and run against every backend. */
function storeContract(makeTarget: () => Promise<StoreTarget>): void {
  let target: StoreTarget;
  beforeEach(async () => {
    target = await makeTarget();
  });
  afterEach(async () => {
    await target.cleanup();
  });

  it('applies every migration on open, and none again', async () => {
    const logger = recordingLogger();
    const store = await target.open({ logger });
    expect(logger.events.filter((e) => e === 'store-migration-applied')).toHaveLength(
      migrations.length,
    );
    expect(await migrateToLatest(store.db, store.dialect)).toEqual([]);
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`
      .execute(store.db)
      .then((r) => r.rows.map((row) => row.name));
    expect(rows).toEqual(migrations.map((m) => m.name));

    if (target.shared) {
      expect((await store.saveElection(election('kept', 'x'))).ok).toBe(true);
      await store.close();
      const again = recordingLogger();
      const reopened = await target.open({ logger: again });
      expect(again.events).not.toContain('store-migration-applied');
      expect(await reopened.countElections()).toBe(1);
    }
  });

  it('saves, gets, lists and counts elections', async () => {
    const store = await target.open();
    expect(await store.countElections()).toBe(0);
    expect(await store.listElections()).toEqual([]);
    expect(await store.getElection('nope' as ElectionId)).toBeUndefined();
    expect(await store.getElectionByHash('00'.repeat(32))).toBeUndefined();

    const b = { ...election('general-b', 'b'), loadedAt: new Date('2026-11-03T07:00:00.000Z') };
    const a = { ...election('general-a', 'a'), loadedAt: new Date('2026-11-03T08:00:00.000Z') };
    const c = { ...election('general-c', 'c'), loadedAt: new Date('2026-11-03T07:00:00.000Z') };
    for (const e of [a, b, c]) {
      const saved = await store.saveElection(e);
      expect(saved).toEqual({ ok: true, value: { outcome: 'created', election: e } });
    }

    expect(await store.getElection(a.electionId)).toEqual(a);
    expect(await store.getElectionByHash(b.hash)).toEqual(b);
    expect(await store.countElections()).toBe(3);
    // Oldest load first, then by id.
    expect(await store.listElections()).toEqual(
      [b, c, a].map(({ definition: _definition, ...summary }) => summary),
    );
  });

  it('treats saving the same definition again as done', async () => {
    const store = await target.open();
    const first = election('primary', 'ballot');
    expect((await store.saveElection(first)).ok).toBe(true);

    const again = await store.saveElection({
      ...first,
      definition: new Uint8Array(first.definition),
      title: 'A later title',
      loadedAt: new Date('2026-12-01T00:00:00.000Z'),
    });
    expect(again).toEqual({ ok: true, value: { outcome: 'already-loaded', election: first } });
    expect(await store.countElections()).toBe(1);
  });

  it('refuses a different definition under a loaded id, and loaded bytes under a new id', async () => {
    const store = await target.open();
    const original = election('general', 'v1');
    expect((await store.saveElection(original)).ok).toBe(true);

    const changed = await store.saveElection(election('general', 'v2'));
    expect(changed.ok).toBe(false);
    if (changed.ok) return;
    expect(changed.error).toBeInstanceOf(ConflictError);
    expect(changed.error.message).toContain('"general" is already loaded');

    const renamed = await store.saveElection({ ...original, electionId: 'other' as ElectionId });
    expect(renamed.ok).toBe(false);
    if (renamed.ok) return;
    expect(renamed.error).toBeInstanceOf(ConflictError);
    expect(renamed.error.message).toContain('already loaded as election "general"');

    expect(await store.getElection(original.electionId)).toEqual(original);
    expect(await store.countElections()).toBe(1);
  });

  it('keeps definition bytes exactly, including 0x00 and high bytes', async () => {
    const store = await target.open();
    const every = new Uint8Array(512);
    for (let i = 0; i < every.length; i++) every[i] = (i * 7 + 3) % 256;
    const bytes = Uint8Array.of(0x00, 0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x00, ...every, 0x00);
    // A view into a larger buffer: only the viewed bytes must be stored.
    const padded = new Uint8Array(bytes.length + 8).fill(0xaa);
    padded.set(bytes, 4);
    const view = padded.subarray(4, 4 + bytes.length);
    const input = election('bytes', view);
    expect((await store.saveElection(input)).ok).toBe(true);

    for (const got of [
      await store.getElection(input.electionId),
      await store.getElectionByHash(input.hash),
    ]) {
      expect(got?.definition).toBeInstanceOf(Uint8Array);
      expect(got?.definition).toEqual(bytes);
      expect(sha256Hex(got?.definition ?? new Uint8Array())).toBe(input.hash);
    }
  });

  it('rejects empty or invalid input', async () => {
    const store = await target.open();
    const good = election('good', 'x');
    await expect(store.saveElection({ ...good, electionId: '' as ElectionId })).rejects.toThrow(
      InvalidInputError,
    );
    await expect(store.saveElection({ ...good, definition: new Uint8Array() })).rejects.toThrow(
      InvalidInputError,
    );
    await expect(store.saveElection({ ...good, loadedAt: new Date(NaN) })).rejects.toThrow(
      InvalidInputError,
    );
    expect(await store.countElections()).toBe(0);
  });

  it('rolls a transaction back when it throws, and commits when it resolves', async () => {
    const store = await target.open();
    await expect(
      store.transaction(async (tx) => {
        expect((await tx.saveElection(election('doomed', 'x'))).ok).toBe(true);
        expect(await tx.countElections()).toBe(1);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(await store.countElections()).toBe(0);

    const result = await store.transaction(async (tx) => {
      await tx.saveElection(election('kept-1', 'x'));
      await tx.saveElection(election('kept-2', 'y'));
      return tx.countElections();
    });
    expect(result).toBe(2);
    expect(await store.countElections()).toBe(2);
  });

  it('lets several stores open the same data at once', async ({ skip }) => {
    if (!target.shared) skip('each :memory: open is a separate database');
    const stores = await Promise.all([target.open(), target.open(), target.open()]);
    const results = await Promise.all(
      stores.flatMap((store, s) =>
        [0, 1, 2].map((i) => store.saveElection(election(`e-${s}-${i}`, `${s}/${i}`))),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    // The same definition from every store at once: one row, no error.
    const same = election('same', 'same');
    const sameResults = await Promise.all(stores.map((store) => store.saveElection(same)));
    expect(sameResults.filter((r) => r.ok && r.value.outcome === 'created')).toHaveLength(1);
    expect(sameResults.every((r) => r.ok)).toBe(true);
    // Transactions from every store at once, each awaiting between its read and write.
    await Promise.all(
      stores.map((store, s) =>
        store.transaction(async (tx) => {
          const seen = await tx.countElections();
          await new Promise((resolve) => setTimeout(resolve, 5));
          const r = await tx.saveElection(election(`tx-${s}`, `after ${seen}`));
          expect(r.ok).toBe(true);
        }),
      ),
    );
    for (const store of stores) expect(await store.countElections()).toBe(13);
  });
}

describe.each(backends)('store on $name', ({ makeTarget, setup }) => {
  if (setup?.kind === 'fail') {
    it('has a PostgreSQL server to test against', () => {
      throw new Error(setup.message);
    });
    return;
  }
  describe.skipIf(setup?.kind === 'skip')('contract', () => {
    storeContract(makeTarget);
  });
});

describe('SQLite file store', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'vigil-store-')), 'data');
  });
  afterEach(async () => {
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('creates its data directory private, and the database file in it', async () => {
    const store = await openStore({ dataDir });
    try {
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(dataDir, SQLITE_FILE_NAME))).isFile()).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('uses WAL, full fsync on commit, foreign keys and a busy timeout', async () => {
    const store = await openStore({ dataDir });
    try {
      const pragma = async (name: string) => {
        const { rows } = await sql<Record<string, unknown>>`${sql.raw(`pragma ${name}`)}`.execute(
          store.db,
        );
        return Object.values(rows[0] ?? {})[0];
      };
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(2); // FULL
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('busy_timeout')).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('is shared by processes opening and writing it at the same time', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const entry = new URL('./index.ts', import.meta.url).href;
    const script = `
      const { openStore } = await import(${JSON.stringify(entry)});
      const { sha256Hex } = await import('@vigil/core');
      const store = await openStore({ dataDir: process.env.DATA_DIR });
      for (let i = 0; i < 20; i++) {
        // Read, then write, in one transaction: the pattern that needs the write lock
        // taken at BEGIN, since another process may commit between the two.
        await store.transaction(async (tx) => {
          const seen = await tx.countElections();
          const definition = new TextEncoder().encode(process.env.WHO + '/' + i);
          const r = await tx.saveElection({
            electionId: process.env.WHO + '-' + i, hash: sha256Hex(definition), definition,
            title: 'after ' + seen, loadedAt: new Date(),
          });
          if (!r.ok) throw r.error;
        });
      }
      await store.close();
    `;
    const run = (who: string) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '--eval', script],
        { cwd: root, env: { ...process.env, DATA_DIR: dataDir, WHO: who }, timeout: 60_000 },
      );
    await Promise.all([run('a'), run('b'), run('c')]);
    const store = await openStore({ dataDir });
    try {
      expect(await store.countElections()).toBe(60);
    } finally {
      await store.close();
    }
  });
});

describe('openStore', () => {
  it('refuses a URL it does not know', async () => {
    const failure = openStore({ url: 'mysql://root:secret@db/vigil' });
    await expect(failure).rejects.toThrow(InvalidInputError);
    await expect(failure).rejects.toThrow('"mysql://root:***@db/vigil" is not one Vigil can use');
  });

  it('says which PostgreSQL it could not reach, without the password', async () => {
    const failure = openStore({ url: 'postgres://vigil:secret@127.0.0.1:1/vigil' });
    await expect(failure).rejects.toThrow(VigilError);
    await expect(failure).rejects.toThrow('postgres://vigil:***@127.0.0.1:1/vigil');
    await expect(failure).rejects.not.toThrow('secret');
  });
});

describe('migrations', () => {
  it('are listed in name order, each name once', () => {
    expect(() => {
      checkMigrationList(migrations);
    }).not.toThrow();
    const first = migrations[0]!;
    expect(() => {
      checkMigrationList([first, first]);
    }).toThrow(/ascending/);
    expect(() => {
      checkMigrationList([{ ...first, name: 'elections' }]);
    }).toThrow(/NNNN-words/);
  });
});

describe('PostgreSQL test setup', () => {
  it('runs with a URL, skips without one, and fails without one on CI', () => {
    expect(postgresTestSetup({ VIGIL_TEST_POSTGRES_URL: 'postgres://x/y' }).kind).toBe('available');
    expect(postgresTestSetup({}).kind).toBe('skip');
    const ci = postgresTestSetup({ CI: 'true' });
    expect(ci.kind).toBe('fail');
    expect(ci.kind === 'fail' && ci.message).toMatch(/CI must provide PostgreSQL/);
  });
});
