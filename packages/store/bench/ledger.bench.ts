import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { seededRandom } from '@vigil/core';
import {
  MerkleTree,
  eventIdOf,
  leafHash,
  verifyConsistency,
  verifyInclusion,
  type LedgerEntry,
} from '@vigil/ledger';
import { nodeKey, openStore, SQLITE_FILE_NAME, type Store } from '../src/index.ts';
import { postgresTarget } from '../src/testing.ts';

/**
 * Ledger storage benchmarks (issue 3):
 * - appends per second in batches of 1,000 (each batch one transaction, with its nodes),
 *   on SQLite and, when a server is given, PostgreSQL;
 * - inclusion and consistency proof generation from the stored node table at 1M and 10M
 *   entries, and the verification of one proof.
 *
 * The 1M and 10M stores are seeded by writing the node table straight through
 * better-sqlite3 (computing the same RFC 9162 nodes in memory): proof generation reads
 * only `ledger_nodes` and `ledger_state`, and appending 10M entries one batch at a time
 * would take the benchmark most of its run to set up. The append figure measures the
 * real append path.
 */

export interface LedgerBenchOptions {
  readonly postgresUrl?: string;
  readonly sizes?: readonly number[];
  readonly appendBatches?: number;
  readonly samples?: number;
  readonly log?: (line: string) => void;
}

function entry(i: number): LedgerEntry {
  return {
    eventId: eventIdOf('checkin.completed'),
    actorId: 'poll-worker-17',
    stationId: 'franklin-precinct-3-station-2',
    time: new Date(Date.UTC(2026, 10, 3, 13, 0, i % 60)).toISOString(),
    disposition: 'success',
    subjects: [`checkin:${i.toString(16).padStart(16, '0')}`],
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function appendRate(store: Store, batches: number): Promise<number> {
  const batch = 1000;
  // Warm up (statement caches, first pages).
  await store.appendLedgerEntries(Array.from({ length: batch }, (_, i) => entry(i)));
  let elapsed = 0;
  for (let b = 0; b < batches; b++) {
    const entries = Array.from({ length: batch }, (_, i) => entry((b + 1) * batch + i));
    const start = process.hrtime.bigint();
    await store.appendLedgerEntries(entries);
    elapsed += Number(process.hrtime.bigint() - start) / 1e9;
  }
  return (batches * batch) / elapsed;
}

/** Writes the node table of a `size`-leaf tree straight into a migrated SQLite store. */
async function seedSqlite(dataDir: string, size: number): Promise<void> {
  const store = await openStore({ dataDir });
  await store.close();
  const db = new Database(join(dataDir, SQLITE_FILE_NAME));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const tree = new MerkleTree();
  const insert = db.prepare('insert into ledger_nodes (node_key, hash) values (?, ?)');
  const chunk = 200_000;
  for (let from = 0; from < size; from += chunk) {
    const to = Math.min(from + chunk, size);
    db.transaction(() => {
      for (let i = from; i < to; i++) {
        const index = tree.appendLeafHash(leafHash(Buffer.from(`entry ${i}`)));
        // Store every node this leaf completes, as the append path does.
        let level = 0;
        let at = index;
        for (;;) {
          insert.run(nodeKey(level, at), tree.getNode(level, at));
          if (at % 2 === 0) break;
          at = (at - 1) / 2;
          level += 1;
        }
      }
    })();
  }
  db.prepare('update ledger_state set size = ? where id = 1').run(size);
  db.close();
}

async function proofTimes(
  store: Store,
  size: number,
  samples: number,
): Promise<{
  inclusion: number;
  consistency: number;
  verifyInclusion: number;
  verifyConsistency: number;
}> {
  const random = seededRandom(size);
  const root = await store.ledgerRoot(size);
  const inc: number[] = [];
  const cons: number[] = [];
  const vInc: number[] = [];
  const vCons: number[] = [];
  for (let s = 0; s < samples; s++) {
    const index = Math.floor(random() * size);
    let t = process.hrtime.bigint();
    const proof = await store.ledgerInclusionProof(index, size);
    inc.push(Number(process.hrtime.bigint() - t) / 1000);

    const old = 1 + Math.floor(random() * (size - 1));
    t = process.hrtime.bigint();
    const cproof = await store.ledgerConsistencyProof(old, size);
    cons.push(Number(process.hrtime.bigint() - t) / 1000);

    // Verification needs the leaf and the old root; fetch them outside the timing.
    const leaf = (await store.ledgerNodeHashes(nodeKey(0, index), nodeKey(0, index) + 1))[0]!.hash;
    const oldRoot = await store.ledgerRoot(old);
    t = process.hrtime.bigint();
    const okInc = verifyInclusion(leaf, index, size, proof, root);
    vInc.push(Number(process.hrtime.bigint() - t) / 1000);
    t = process.hrtime.bigint();
    const okCons = verifyConsistency(old, size, cproof, oldRoot, root);
    vCons.push(Number(process.hrtime.bigint() - t) / 1000);
    if (!okInc || !okCons) throw new Error(`a proof at size ${size} did not verify`);
  }
  return {
    inclusion: median(inc),
    consistency: median(cons),
    verifyInclusion: median(vInc),
    verifyConsistency: median(vCons),
  };
}

export async function benchLedgerStore(options: LedgerBenchOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const sizes = options.sizes ?? [1_000_000, 10_000_000];
  const batches = options.appendBatches ?? 50;
  const samples = options.samples ?? 500;
  const work = mkdtempSync(join(tmpdir(), 'vigil-ledger-bench-'));
  try {
    log(
      'ledger appends, batches of 1,000 entries, one transaction each (target >= 20,000/s on SQLite)',
    );
    const sqlite = await openStore({ dataDir: join(work, 'append') });
    const sqliteRate = await appendRate(sqlite, batches);
    await sqlite.close();
    log(
      `  SQLite      ${Math.round(sqliteRate).toLocaleString('en-US')} appends/s  (${(sqliteRate / 20_000).toFixed(2)}x the 20,000/s target)`,
    );
    if (options.postgresUrl !== undefined && options.postgresUrl !== '') {
      const target = await postgresTarget(options.postgresUrl);
      try {
        const pgStore = await target.open();
        const pgRate = await appendRate(pgStore, batches);
        log(`  PostgreSQL  ${Math.round(pgRate).toLocaleString('en-US')} appends/s`);
      } finally {
        await target.cleanup();
      }
    } else {
      log(
        '  PostgreSQL  skipped: set VIGIL_BENCH_POSTGRES_URL (or VIGIL_TEST_POSTGRES_URL) to measure it',
      );
    }

    log('');
    log(
      'proofs from the stored node table on SQLite (median; targets: generation < 1 ms at 10M, verification < 0.1 ms)',
    );
    log('  entries      seed s   inclusion µs  consistency µs  verify incl. µs  verify cons. µs');
    for (const size of sizes) {
      const dir = join(work, `proofs-${size}`);
      const seedStart = process.hrtime.bigint();
      await seedSqlite(dir, size);
      const seedSeconds = Number(process.hrtime.bigint() - seedStart) / 1e9;
      const store = await openStore({ dataDir: dir });
      const t = await proofTimes(store, size, samples);
      await store.close();
      log(
        `  ${size.toLocaleString('en-US').padStart(10)}  ${seedSeconds.toFixed(1).padStart(7)}  ` +
          `${t.inclusion.toFixed(1).padStart(12)}  ${t.consistency.toFixed(1).padStart(14)}  ` +
          `${t.verifyInclusion.toFixed(1).padStart(15)}  ${t.verifyConsistency.toFixed(1).padStart(15)}`,
      );
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchLedgerStore({
    postgresUrl: process.env.VIGIL_BENCH_POSTGRES_URL ?? process.env.VIGIL_TEST_POSTGRES_URL,
  });
}
