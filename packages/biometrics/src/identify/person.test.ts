import { describe, expect, it } from 'vitest';
import { synthesizePersonFingerTemplate } from '../synth/templates.ts';
import { dedupBench } from './bench.ts';
import { PersonShard, prepareFingers, type PersonFinger } from './person.ts';
import { PersonIdentificationPool } from './person-pool.ts';
import { splitShards } from './pool.ts';

const SEED = 33;
const PERSONS = 200;
const POSITIONS = [2, 7];
const person = (p: number, impression: number, positions = POSITIONS): PersonFinger[] =>
  positions.map((position) => ({
    position,
    template: synthesizePersonFingerTemplate(SEED, p, position, impression),
  }));
const gallery = Array.from({ length: PERSONS }, (_, p) => person(p, 0));
const mated = [5, 60, 123, 199];

function shardOf(): PersonShard {
  const s = new PersonShard();
  gallery.forEach((fingers, p) => {
    s.add(p, fingers);
  });
  s.seal();
  return s;
}

describe('person-level 1:N index', () => {
  const shard = shardOf();

  it('finds the mate of a two-finger probe first, with fused evidence', () => {
    for (const p of mated) {
      const [best] = shard.search(prepareFingers(person(p, 1)));
      expect(best?.entry).toBe(p);
      expect(best!.fingers.map((f) => f.position)).toEqual(POSITIONS);
      expect(best!.fusedFmr).toBeLessThan(1e-4);
      expect(best!.evidence).toBeGreaterThan(4);
    }
    // A stranger's best candidate is far weaker than a mate's.
    const [stranger] = shard.search(prepareFingers(person(PERSONS + 1, 1)));
    expect(stranger?.fusedFmr ?? 1).toBeGreaterThan(1e-4);
  });

  it('compares only fingers of the same position, and honours the threshold and exclusion', () => {
    // One finger is enough to be found; the other position is not compared.
    const [onlyRight] = shard.search(prepareFingers(person(60, 1, [2])));
    expect(onlyRight?.entry).toBe(60);
    expect(onlyRight!.fingers.map((f) => f.position)).toEqual([2]);
    // A position nobody enrolled finds no one.
    expect(shard.search(prepareFingers(person(60, 1, [3])))).toEqual([]);
    expect(shard.search(prepareFingers(person(PERSONS + 1, 1)), { maxFusedFmr: 1e-9 })).toEqual([]);
    const without = shard.search(prepareFingers(person(60, 1)), { exclude: 60 });
    expect(without.map((c) => c.entry)).not.toContain(60);
  });

  it('gives a batch of probes the same lists as one search each', () => {
    // Mates, strangers, a probe with one finger, one with a position nobody enrolled, a
    // probe too small to vote and records searched against their own roll (excluded).
    const one = gallery[9]![0]!.template;
    const tooSmall = {
      ...one,
      x: one.x.slice(0, 2),
      y: one.y.slice(0, 2),
      direction: one.direction.slice(0, 2),
      kind: one.kind.slice(0, 2),
      reliability: one.reliability.slice(0, 2),
    };
    const probes = [
      ...mated.map((p) => person(p, 1)),
      person(PERSONS + 3, 1),
      person(60, 1, [7]),
      person(60, 1, [3]),
      [{ position: 2, template: tooSmall }],
      ...[10, 11, 12].map((p) => person(p, 0)),
    ].map(prepareFingers);
    const options = probes.map((_, i) =>
      i >= probes.length - 3 ? { exclude: 10 + i - (probes.length - 3), candidates: 6 } : {},
    );
    const alone = probes.map((p, i) => shard.search(p, options[i]));
    expect(shard.searchMany(probes, options)).toEqual(alone);
    expect(alone.slice(0, mated.length).map((l) => l[0]?.entry)).toEqual(mated);
    expect(
      alone
        .slice(-3)
        .flat()
        .map((c) => c.entry),
    ).not.toContain(10);
  });

  it('searches only persons enrolled before a bound, at a tolerance of its own', () => {
    // Person 150's second impression, bounded below and above its own entry.
    const probe = prepareFingers(person(150, 1));
    expect(shard.search(probe, { before: 151 })[0]?.entry).toBe(150);
    const earlier = shard.search(probe, { before: 150, candidates: 24, limit: 24 });
    expect(earlier.length).toBeGreaterThan(0);
    for (const c of earlier) expect(c.entry).toBeLessThan(150);
    expect(shard.search(probe, { before: 0 })).toEqual([]);
    // A batch bounds each probe by its own option, as alone.
    const probes = [150, 151, 152].map((p) => prepareFingers(person(p, 1)));
    const options = [{ before: 150 }, { before: 152 }, { before: 180, toleranceScale: 0.6 }];
    expect(shard.searchMany(probes, options)).toEqual(
      probes.map((p, i) => shard.search(p, options[i])),
    );
    expect(() => shard.search(probe, { toleranceScale: 2 })).toThrow(/scale its tolerances by 2/);
  });

  it('searches shards shared from another thread, across all of them at once', () => {
    const even = new PersonShard();
    const odd = new PersonShard();
    gallery.forEach((fingers, p) => {
      (p % 2 === 0 ? even : odd).add(p, fingers);
    });
    // Shared arrays live in shared memory; a shard read from them searches alike.
    const sharedOdd = odd.share();
    expect(sharedOdd.persons.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(sharedOdd.positions[0]![1].postings.buffer).toBeInstanceOf(SharedArrayBuffer);
    const oddAgain = PersonShard.fromShared(sharedOdd);
    const probes = [...mated, 61, 62].map((p) => prepareFingers(person(p, 1)));
    for (const probe of probes) expect(oddAgain.search(probe)).toEqual(odd.search(probe));
    // Across both halves: each mate first, with the evidence a search of the whole gallery
    // gives it (`candidates` counts over all the shards searched).
    even.seal();
    const across = PersonShard.searchAcross(
      [even, oddAgain],
      probes,
      probes.map(() => ({ candidates: 4 })),
    );
    probes.forEach((probe, i) => {
      const [whole] = shard.search(probe, { candidates: 4 });
      expect(across[i]![0]).toEqual(whole);
    });
    // Bounds and exclusion hold in every shard.
    const bounded = PersonShard.searchAcross(
      [even, oddAgain],
      [prepareFingers(gallery[120]!)],
      [{ exclude: 120, before: 120, candidates: 24, limit: 24 }],
    );
    for (const c of bounded[0]!) expect(c.entry).toBeLessThan(120);
  });

  it('refuses a finger position twice or out of range', () => {
    const s = new PersonShard();
    expect(() => {
      s.add(0, [...person(1, 0, [2]), ...person(1, 0, [2])]);
    }).toThrow(/twice/);
    expect(() => {
      s.add(0, [{ position: 11, template: gallery[0]![0]!.template }]);
    }).toThrow(/position 11/);
  });

  it('gives identical results after a save and load, and refuses damaged bytes', () => {
    const bytes = shard.toBytes();
    const loaded = PersonShard.fromBytes(bytes);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.value.toBytes()).toEqual(bytes);
    for (const p of mated) {
      const probe = prepareFingers(person(p, 1));
      expect(loaded.value.search(probe)).toEqual(shard.search(probe));
    }
    const short = PersonShard.fromBytes(bytes.subarray(0, bytes.length - 64));
    expect(!short.ok && short.error.message).toMatch(/not usable/);
    const wrong = bytes.slice();
    wrong[0] = 0;
    expect(PersonShard.fromBytes(wrong).ok).toBe(false);
  });

  it('identifies through worker threads and round-trips its bytes', async () => {
    const pool = new PersonIdentificationPool(2);
    try {
      expect(await pool.add(gallery.slice(0, 100))).toEqual(
        Array.from({ length: 100 }, (_, i) => i),
      );
      await pool.add(gallery.slice(100));
      await pool.seal();
      expect(pool.size).toBe(PERSONS);
      const probes = mated.map((p) => person(p, 1));
      const results = await pool.searchMany(probes);
      expect(results.map((list) => list[0]?.entry)).toEqual(mated);
      const [self] = await pool.searchMany([gallery[10]!], {}, [10]);
      expect(self!.map((c) => c.entry)).not.toContain(10);
      const bytes = await pool.toBytes();
      expect(splitShards(bytes).ok).toBe(false); // a person index is not a template index
      const again = await PersonIdentificationPool.fromBytes(bytes, 2);
      expect(again.ok).toBe(true);
      if (!again.ok) return;
      try {
        expect(again.value.size).toBe(PERSONS);
        expect(await again.value.searchMany(probes)).toEqual(results);
      } finally {
        await again.value.close();
      }
      await expect(pool.search([...person(1, 1, [2]), ...person(1, 1, [2])])).rejects.toThrow(
        /twice/,
      );
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('de-duplicates its roll across worker threads, each pair once', async () => {
    // The gallery, then second impressions of four of its persons as later records.
    const pool = new PersonIdentificationPool(2);
    try {
      await pool.add(gallery);
      const again = [7, 60, 123, 150];
      await pool.add(again.map((p) => person(p, 1)));
      const seen: number[] = [];
      const pairs = await pool.deduplicate({
        maxFusedFmr: 1e-6,
        batch: 64,
        progress: (n) => seen.push(n),
      });
      expect(pairs.map((d) => [d.entry, d.candidate.entry])).toEqual(
        again.map((p, i) => [PERSONS + i, p]),
      );
      expect(seen.at(-1)).toBe(PERSONS + again.length);
      // Persons added later are shared at the next de-duplication.
      await pool.add([person(61, 1)]);
      const more = await pool.deduplicate({ maxFusedFmr: 1e-6 });
      expect(more.map((d) => [d.entry, d.candidate.entry])).toContainEqual([PERSONS + 4, 61]);
      await expect(pool.deduplicate({ batch: 0 })).rejects.toThrow(/0 entries at a time/);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('finds planted duplicates in a small roll', async () => {
    const r = await dedupBench({ voters: 300, duplicates: 10, fingers: 2 });
    expect(r.fingers).toBe(2);
    expect(r.recall).toBeGreaterThanOrEqual(0.8);
    expect(r.precision).toBe(1);
  }, 60_000);
});
