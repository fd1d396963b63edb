import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  ConflictError,
  InvalidInputError,
  loadSampleElection,
  parseElectionDefinition,
  systemClock,
  unwrap,
} from '@vigil/core';
import { openStore } from '@vigil/store';
import {
  readIsoTemplate,
  synthesizeFingerTemplate,
  writeIsoTemplate,
  type FingerprintTemplate,
} from '@vigil/biometrics';
import {
  DEDUP_MAX_FUSED_FMR,
  captureFinger,
  createInMemoryDuplicateSearch,
  createIndexedDuplicateSearch,
  enrolVoter,
  importRoll,
  keyringFromKey,
  openRegistry,
  readCsvRoll,
  sharedDataDir,
  type DuplicateSearch,
  type EnrolledFinger,
} from './index.ts';

const SEED = 808;
const GALLERY = 300;

/** As the store gives templates back (ISO/IEC 19794-2 precision), so both searches see the same. */
const iso = (t: FingerprintTemplate): FingerprintTemplate =>
  unwrap(readIsoTemplate(writeIsoTemplate(t)));

/** Person p's right and left index: synthetic fingers 2p and 2p + 1, impression `impression`. */
const person = (p: number, impression: number): EnrolledFinger[] => [
  { position: 2, template: iso(synthesizeFingerTemplate(SEED, 2 * p, impression)) },
  { position: 7, template: iso(synthesizeFingerTemplate(SEED, 2 * p + 1, impression)) },
];

const voterId = (p: number) => `V-${String(p).padStart(4, '0')}`;

async function fill(search: DuplicateSearch, from: number, to: number): Promise<void> {
  for (let p = from; p < to; p++) await search.add(voterId(p), person(p, 0));
}

// People enrolled a second time with fresh impressions: some in the sealed shards, some in
// the tail (the last ones added).
const DUPLICATES = Array.from({ length: 24 }, (_, i) => Math.floor((i * GALLERY) / 24) + 5);
// People never enrolled: fingers beyond the gallery's.
const STRANGERS = Array.from({ length: 30 }, (_, i) => GALLERY + 1000 + i);

describe('indexed de-duplication (synthetic templates)', async () => {
  const indexed = createIndexedDuplicateSearch();
  const brute = createInMemoryDuplicateSearch();
  await fill(indexed, 0, GALLERY - 40);
  await indexed.seal();
  await fill(indexed, GALLERY - 40, GALLERY);
  await fill(brute, 0, GALLERY);

  it('keeps the newest enrolments in the tail until it is full', () => {
    const stats = indexed.stats();
    expect(stats.voters).toBe(GALLERY);
    expect(stats.positions.map((p) => p.position)).toEqual([2, 7]);
    for (const p of stats.positions) {
      expect(p.shards).toEqual([GALLERY - 40]);
      expect(p.tail).toBe(40);
    }
  });

  it('finds people enrolled a second time, first and above the review threshold', async () => {
    let flaggedFirst = 0;
    for (const p of DUPLICATES) {
      const [best] = await indexed.search(person(p, 1));
      if (best?.voterId === voterId(p) && best.fusedFmr <= DEDUP_MAX_FUSED_FMR) flaggedFirst++;
    }
    // A miss here is a mate the matcher itself scores too low on both fingers: the next
    // test holds the index to the brute-force search, which misses the same ones.
    expect(flaggedFirst).toBeGreaterThanOrEqual(DUPLICATES.length - 4);
  });

  it('flags every duplicate the brute-force search flags, with the same evidence', async () => {
    let compared = 0;
    for (const impression of [1, 2]) {
      for (const p of DUPLICATES) {
        const probe = person(p, impression);
        const [b] = await brute.search(probe);
        if (b?.voterId !== voterId(p) || b.fusedFmr > DEDUP_MAX_FUSED_FMR) continue;
        compared++;
        const [a] = await indexed.search(probe);
        expect(a?.voterId).toBe(b.voterId);
        expect(a!.score).toBeCloseTo(b.score, 6);
        expect(a!.fusedFmr).toBeCloseTo(b.fusedFmr, 12);
        expect(a!.fingers.map((f) => f.position)).toEqual([2, 7]);
        a!.fingers.forEach((f, i) => {
          expect(f.score).toBeCloseTo(b.fingers[i]!.score, 6);
        });
      }
    }
    expect(compared).toBeGreaterThanOrEqual(2 * (DUPLICATES.length - 4));
  });

  it('flags no stranger', async () => {
    for (const p of STRANGERS) {
      const candidates = await indexed.search(person(p, 0));
      expect(candidates.filter((c) => c.fusedFmr <= DEDUP_MAX_FUSED_FMR)).toEqual([]);
      for (let i = 1; i < candidates.length; i++) {
        expect(candidates[i]!.score).toBeLessThanOrEqual(candidates[i - 1]!.score);
      }
    }
  });

  it('compares only the positions both sides have', async () => {
    const [best] = await indexed.search([person(DUPLICATES[0]!, 1)[0]!]);
    expect(best?.voterId).toBe(voterId(DUPLICATES[0]!));
    expect(best?.fingers.map((f) => f.position)).toEqual([2]);
    expect(await indexed.search([{ position: 1, template: person(1, 1)[0]!.template }])).toEqual(
      [],
    );
  });
});

describe('indexed de-duplication: sealing and merging', () => {
  it('seals a full tail at the next search and merges shards of one tier', async () => {
    const search = createIndexedDuplicateSearch({ tailSize: 8, mergeFanIn: 4 });
    const shardsOf = () => search.stats().positions.map((p) => [p.shards, p.tail]);
    await fill(search, 0, 7);
    await search.search(person(0, 1));
    expect(shardsOf()).toEqual([
      [[], 7],
      [[], 7],
    ]);
    await fill(search, 7, 8);
    // Sealing waits for a search, so a bulk load makes one shard, not many.
    expect(shardsOf()[0]).toEqual([[], 8]);
    const [found] = await search.search(person(3, 1));
    expect(found?.voterId).toBe(voterId(3));
    expect(shardsOf()[0]).toEqual([[8], 0]);
    for (let n = 8; n < 32; n += 8) {
      await fill(search, n, n + 8);
      await search.search(person(0, 1));
    }
    // Four shards of 8 (one tier) became one of 32.
    expect(shardsOf()).toEqual([
      [[32], 0],
      [[32], 0],
    ]);
    await fill(search, 32, 35);
    // Found wherever they now are: a merged shard or the tail.
    for (const p of [0, 9, 17, 31, 33, 34]) {
      const [best] = await search.search(person(p, 1));
      expect(best?.voterId).toBe(voterId(p));
    }
    await search.seal();
    expect(shardsOf()).toEqual([
      [[32, 3], 0],
      [[32, 3], 0],
    ]);
  });

  it('does not merge past the largest shard allowed', async () => {
    const search = createIndexedDuplicateSearch({ tailSize: 4, mergeFanIn: 2, maxMergedShard: 8 });
    for (let n = 0; n < 24; n += 4) {
      await fill(search, n, n + 4);
      await search.seal();
    }
    expect(search.stats().positions[0]!.shards).toEqual([8, 8, 8]);
  });

  it('refuses a voter twice, a position twice, and impossible options', async () => {
    const search = createIndexedDuplicateSearch();
    await fill(search, 0, 1);
    await expect(search.add(voterId(0), person(0, 1))).rejects.toBeInstanceOf(ConflictError);
    const twice = [person(1, 0)[0]!, person(1, 0)[0]!];
    await expect(search.add(voterId(1), twice)).rejects.toBeInstanceOf(InvalidInputError);
    expect(search.size).toBe(1);
    expect(() => createIndexedDuplicateSearch({ tailSize: 0 })).toThrow(/tailSize/);
    expect(() => createIndexedDuplicateSearch({ mergeFanIn: 1.5 })).toThrow(InvalidInputError);
  });
});

describe('indexed de-duplication: large shards built on worker threads', () => {
  it('seals a large tail in the background, answering searches meanwhile', async () => {
    const search = createIndexedDuplicateSearch();
    await fill(search, 0, 2100);
    const sealing = search.seal();
    // Still found while the shard is built (from the tail), and added meanwhile.
    const [during] = await search.search(person(7, 1));
    expect(during?.voterId).toBe(voterId(7));
    await fill(search, 2100, 2103);
    await sealing;
    expect(search.stats().positions.map((p) => [p.shards, p.tail])).toEqual([
      [[2100], 3],
      [[2100], 3],
    ]);
    for (const p of [7, 1500, 2101]) {
      const [best] = await search.search(person(p, 1));
      expect(best?.voterId).toBe(voterId(p));
    }
  }, 60_000);

  it('merges large shards in the background and swaps them in', async () => {
    const search = createIndexedDuplicateSearch({ tailSize: 512 });
    for (let n = 0; n < 2048; n += 512) {
      await fill(search, n, n + 512);
      await search.search(person(n, 1));
    }
    // The fourth shard of 512 started a merge of 2,048 on a worker thread: the four old
    // shards answer until it is done.
    expect(search.stats().positions[0]!.shards).toEqual([512, 512, 512, 512]);
    const [during] = await search.search(person(600, 1));
    expect(during?.voterId).toBe(voterId(600));
    await search.idle();
    expect(search.stats().positions[0]!.shards).toEqual([2048]);
    for (const p of [3, 600, 2047]) {
      const [best] = await search.search(person(p, 1));
      expect(best?.voterId).toBe(voterId(p));
    }
  }, 60_000);
});

describe('openRegistry', () => {
  it('loads the enrolled roll into an indexed search by default', async () => {
    const store = await openStore({ url: ':memory:' });
    try {
      const bytes = loadSampleElection();
      const { election, hash } = unwrap(parseElectionDefinition(bytes));
      unwrap(
        await store.saveElection({
          electionId: election.id,
          hash,
          definition: bytes,
          title: election.title,
          loadedAt: new Date(),
        }),
      );
      const csv = [
        'voter_id,given_name,family_name,birth_date,address_line1,city,state,postal_code,precinct_id',
        ...[0, 1, 2].map(
          (p) => `${voterId(p)},Test,Voter${p},1980-01-01,1 Main St,Ashford,FR,10001,p-101`,
        ),
      ].join('\n');
      const fileBytes = new TextEncoder().encode(csv);
      const rows = unwrap(readCsvRoll(fileBytes));
      unwrap(
        await importRoll(store, {
          rows,
          format: 'csv',
          fileBytes,
          election,
          actorId: 't',
          stationId: 't',
        }),
      );
      const key = randomBytes(32);
      const before = createInMemoryDuplicateSearch();
      for (const p of [0, 1, 2]) {
        unwrap(
          await enrolVoter(
            { store, keyring: keyringFromKey(key), search: before },
            { voterId: voterId(p), fingers: person(p, 0), officialId: 't', stationId: 't' },
          ),
        );
      }
      const runtime = unwrap(
        await openRegistry({
          store,
          clock: systemClock,
          env: { VIGIL_MASTER_KEY: key.toString('base64') },
          createKey: false,
        }),
      );
      expect(runtime.search.size).toBe(3);
      expect('stats' in runtime.search).toBe(true);
      const [best] = await runtime.search.search(person(1, 1));
      expect(best?.voterId).toBe(voterId(1));
    } finally {
      await store.close();
    }
  }, 60_000);
});

const fingerprintDir = join(sharedDataDir(), 'fingerprints', 'FVC2002_DB1_B');
const haveFingerprints = existsSync(join(fingerprintDir, '101_1.tif'));
if (!haveFingerprints) {
  console.warn(
    `FVC de-duplication test skipped: no FVC2002 DB1_B images under ${fingerprintDir} (set VIGIL_SHARED_DATA)`,
  );
}

describe.runIf(haveFingerprints)('indexed de-duplication (FVC2002 DB1_B impressions)', () => {
  const fvc = (finger: number, impression: number): FingerprintTemplate =>
    unwrap(
      captureFinger(
        2,
        new Uint8Array(readFileSync(join(fingerprintDir, `${finger}_${impression}.tif`))),
        { minQuality: 0 },
      ),
    ).template;
  // Five people, two fingers each (101 and 102, 103 and 104, ...), among synthetic voters.
  const people = [0, 1, 2, 3, 4].map((i) => [101 + 2 * i, 102 + 2 * i] as const);
  const impression = (i: number, n: number): EnrolledFinger[] => [
    { position: 2, template: fvc(people[i]![0], n) },
    { position: 7, template: fvc(people[i]![1], n) },
  ];

  it('finds each person enrolled again with other impressions, and no one else', async () => {
    const search = createIndexedDuplicateSearch();
    await fill(search, 0, 200);
    for (let i = 0; i < people.length; i++) {
      await search.add(
        `FVC-${i}`,
        impression(i, 1).map((f) => ({ ...f, template: iso(f.template) })),
      );
    }
    await search.seal();
    for (let i = 0; i < people.length; i++) {
      const candidates = await search.search(impression(i, 3));
      const flagged = candidates.filter((c) => c.fusedFmr <= DEDUP_MAX_FUSED_FMR);
      expect(flagged.map((c) => c.voterId)).toEqual([`FVC-${i}`]);
    }
  }, 60_000);
});
