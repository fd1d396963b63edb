import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex, type ElectionId } from '@vigil/core';
import {
  MerkleTree,
  decodeEntry,
  encodeEntry,
  eventIdOf,
  verifyConsistency,
  verifyInclusion,
  leafHash,
  type LedgerEntry,
} from '@vigil/ledger';
import {
  postgresTarget,
  postgresTestSetup,
  sqliteFileTarget,
  type StoreTarget,
} from './testing.ts';

const postgres = postgresTestSetup();

function entry(i: number): LedgerEntry {
  return {
    eventId: eventIdOf('data.imported'),
    actorId: 'clerk-1',
    stationId: 'county-office',
    time: new Date(Date.UTC(2026, 10, 3, 7, 0, i % 60)).toISOString(),
    disposition: 'success',
    subjects: [`sha256:${sha256Hex(String(i))}`],
  };
}

const backends = [
  { name: 'SQLite', makeTarget: sqliteFileTarget, skip: false },
  {
    name: 'PostgreSQL',
    makeTarget: () => {
      if (postgres.kind !== 'available') throw new Error(postgres.message);
      return postgresTarget(postgres.url);
    },
    skip: postgres.kind === 'skip',
  },
];

describe.each(backends)('ledger storage on $name', ({ makeTarget, skip }) => {
  let target: StoreTarget;
  beforeEach(async () => {
    if (skip) return;
    target = await makeTarget();
  });
  afterEach(async () => {
    if (skip) return;
    await target.cleanup();
  });

  it.skipIf(skip)(
    'stores leaves and nodes that give the same roots and proofs as the in-memory tree',
    async () => {
      const store = await target.open();
      const reference = new MerkleTree();
      // Batches of uneven sizes exercise appends that start mid-subtree.
      let next = 0;
      for (const batch of [1, 2, 5, 13, 1, 40, 7]) {
        const entries = Array.from({ length: batch }, () => entry(next++));
        const appended = await store.appendLedgerEntries(entries);
        expect(appended.firstIndex).toBe(reference.size);
        for (const e of entries) reference.append(encodeEntry(e));
        expect(appended.size).toBe(reference.size);
      }
      const size = reference.size;
      expect(await store.ledgerSize()).toBe(size);
      for (let n = 0; n <= size; n += 7) {
        expect(await store.ledgerRoot(n)).toEqual(reference.root(n));
      }
      for (const [index, at] of [
        [0, 1],
        [5, 6],
        [17, 30],
        [size - 1, size],
        [33, size],
      ] as const) {
        const proof = await store.ledgerInclusionProof(index, at);
        expect(proof).toEqual(reference.inclusionProof(index, at));
        expect(
          verifyInclusion(reference.leafHash(index), index, at, proof, reference.root(at)),
        ).toBe(true);
      }
      for (const [m, n] of [
        [1, size],
        [8, 16],
        [13, 40],
        [size - 1, size],
      ] as const) {
        const proof = await store.ledgerConsistencyProof(m, n);
        expect(proof).toEqual(reference.consistencyProof(m, n));
        expect(verifyConsistency(m, n, proof, reference.root(m), reference.root(n))).toBe(true);
      }
      const stored = await store.ledgerEntries(10, 12);
      expect(stored.map((s) => s.index)).toEqual([10, 11]);
      const decoded = decodeEntry(stored[0]!.bytes);
      expect(decoded.ok && decoded.value).toEqual(entry(10));
      expect(leafHash(stored[1]!.bytes)).toEqual(reference.leafHash(11));
    },
  );

  it.skipIf(skip)('refuses proofs beyond the log with a message naming the size', async () => {
    const store = await target.open();
    await store.appendLedgerEntries([entry(0), entry(1)]);
    await expect(store.ledgerInclusionProof(0, 3)).rejects.toThrow(
      /larger than the ledger \(2 entries\)/,
    );
    await expect(store.ledgerConsistencyProof(1, 5)).rejects.toThrow(/larger than the ledger/);
  });

  it.skipIf(skip)(
    'appends the ledger entry in the same transaction as the election it records',
    async () => {
      const store = await target.open();
      const definition = new TextEncoder().encode('{"id":"e1"}');
      const input = {
        electionId: 'e1' as ElectionId,
        hash: sha256Hex(definition),
        definition,
        title: 'E1',
        loadedAt: new Date('2026-11-03T06:00:00.000Z'),
      };
      // A transaction that fails after the save leaves neither the election nor its entry.
      await expect(
        store.transaction(async (tx) => {
          await tx.saveElection(input);
          throw new Error('power cut');
        }),
      ).rejects.toThrow('power cut');
      expect(await store.countElections()).toBe(0);
      expect(await store.ledgerSize()).toBe(0);

      expect((await store.saveElection(input)).ok).toBe(true);
      expect(await store.ledgerSize()).toBe(1);
      const [leaf] = await store.ledgerEntries(0, 1);
      const decoded = decodeEntry(leaf!.bytes);
      expect(decoded.ok && decoded.value.eventId).toBe(eventIdOf('election.definition.loaded'));
      expect(decoded.ok && decoded.value.subjects).toContain(`sha256:${input.hash}`);
      // Loading the same definition again changes nothing, so it records nothing.
      expect((await store.saveElection(input)).ok).toBe(true);
      expect(await store.ledgerSize()).toBe(1);
    },
  );

  it.skipIf(skip || backends.length === 0)(
    'keeps one gap-free log when several stores append at once',
    async () => {
      const stores = await Promise.all([target.open(), target.open(), target.open()]);
      await Promise.all(
        stores.map(async (s, k) => {
          for (let b = 0; b < 5; b++) {
            await s.appendLedgerEntries(
              Array.from({ length: 10 }, (_, i) => entry(k * 1000 + b * 10 + i)),
            );
          }
        }),
      );
      const reference = new MerkleTree();
      const all = await stores[0].ledgerEntries(0, 1000);
      expect(all.map((e) => e.index)).toEqual(Array.from({ length: 150 }, (_, i) => i));
      for (const e of all) reference.append(e.bytes);
      expect(await stores[0].ledgerRoot()).toEqual(reference.root());
    },
  );

  it.skipIf(skip)('stores one signed head per size and lets cosignatures be added', async () => {
    const store = await target.open();
    await store.appendLedgerEntries([entry(0)]);
    const root = await store.ledgerRoot();
    const head = {
      size: 1,
      rootHash: root,
      checkpoint: 'note-1\n',
      signedAt: new Date('2026-11-03T07:00:00.000Z'),
    };
    expect((await store.saveLedgerHead(head)).checkpoint).toBe('note-1\n');
    // A second head at the same size keeps the first.
    expect((await store.saveLedgerHead({ ...head, checkpoint: 'other\n' })).checkpoint).toBe(
      'note-1\n',
    );
    await store.updateLedgerHeadCheckpoint(1, 'note-1\ncosigned\n');
    expect((await store.latestLedgerHead())?.checkpoint).toBe('note-1\ncosigned\n');
    expect(await store.listLedgerHeads()).toHaveLength(1);
    await expect(store.saveLedgerHead({ ...head, size: 2 })).rejects.toThrow(
      /larger than the ledger/,
    );
  });
});
