import { describe, expect, it } from 'vitest';
import { synthesizeFingerTemplate } from '../synth/templates.ts';
import { IdentificationPool, joinShards, searchShards, splitShards } from './pool.ts';
import { IndexShard, mergeCandidates } from './shard.ts';

const SEED = 21;
const GALLERY = 300;
const gallery = Array.from({ length: GALLERY }, (_, f) => synthesizeFingerTemplate(SEED, f, 0));
const probes = [3, 77, 150, 299].map((f) => ({ f, t: synthesizeFingerTemplate(SEED, f, 1) }));

function shardOf(entries: readonly number[]): IndexShard {
  const s = new IndexShard();
  for (const e of entries) s.add(e, gallery[e]!);
  s.seal();
  return s;
}

describe('1:N index', () => {
  const whole = shardOf(gallery.map((_, i) => i));

  it('finds the mate of a probe first', () => {
    let hits = 0;
    for (const { f, t } of probes) if (whole.search(t)[0]?.entry === f) hits++;
    expect(hits).toBeGreaterThanOrEqual(3);
  });

  it('counts a batch of probes the same votes as each alone, the best run of three rotation bins', () => {
    const batch = [...probes.map((p) => p.t), ...gallery.slice(0, 40)];
    const asMap = (v: { local: Int32Array; votes: Uint8Array }) =>
      new Map(Array.from(v.local, (local, q) => [local, v.votes[q]!]));
    const alone = batch.map((t) => asMap(whole.votesOf(t)));
    const together = whole.votesOfMany(batch);
    together.forEach((v, i) => {
      expect(asMap(v)).toEqual(alone[i]);
    });
    // A template searched with itself gets a vote from each of its triangles (and their
    // runs of rotation bins), more than any other template.
    const self = together[probes.length]!;
    const top = self.local[self.votes.indexOf(Math.max(...self.votes))];
    expect(whole.entry(top!)).toBe(0);
    expect(whole.votesOfMany([])).toEqual([]);
  });

  it('votes only for templates below a bound, the same in a batch as alone', () => {
    const asMap = (v: { local: Int32Array; votes: Uint8Array }) =>
      new Map(Array.from(v.local, (local, q) => [local, v.votes[q]!]));
    const batch = [...probes.map((p) => p.t), ...gallery.slice(0, 40)];
    const below = batch.map((_, i) => (i * 7) % (whole.size + 1));
    const together = whole.votesOfMany(batch, { below });
    let voted = 0;
    together.forEach((v, i) => {
      expect(asMap(v)).toEqual(asMap(whole.votesOf(batch[i]!, { below: below[i]! })));
      // The bound cuts the templates voted for, and changes no count it leaves.
      const all = whole.votesOf(batch[i]!);
      for (let q = 0; q < v.local.length; q++) {
        expect(v.local[q]!).toBeLessThan(below[i]!);
        expect(all.votes[Array.from(all.local).indexOf(v.local[q]!)]).toBe(v.votes[q]);
      }
      const kept = Array.from(all.local).filter((t) => t < below[i]!);
      expect(new Set(v.local)).toEqual(new Set(kept));
      voted += v.local.length;
    });
    expect(voted).toBeGreaterThan(0);
    expect(whole.votesOf(batch[0]!, { below: 0 }).local.length).toBe(0);
  });

  it('gives identical results after a save and load', () => {
    const bytes = whole.toBytes();
    const loaded = IndexShard.fromBytes(bytes);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.value.toBytes()).toEqual(bytes);
    for (const { t } of probes) expect(loaded.value.search(t)).toEqual(whole.search(t));
  });

  it('refuses damaged bytes with a sentence', () => {
    const bytes = whole.toBytes();
    const short = IndexShard.fromBytes(bytes.subarray(0, bytes.length - 100));
    expect(short.ok).toBe(false);
    const wrong = bytes.slice();
    wrong[0] = 0;
    const r = IndexShard.fromBytes(wrong);
    expect(!r.ok && r.error.message).toMatch(/not usable/);
    expect(splitShards(new Uint8Array(3)).ok).toBe(false);
  });

  it('builds a shard with fewer neighbours and narrower tolerances, keeps both through its bytes', () => {
    const lean = new IndexShard({ neighbours: 4, toleranceScale: 0.75 });
    gallery.forEach((t, e) => {
      lean.add(e, t);
    });
    lean.seal();
    // Each minutia joins pairs of 4 nearest rather than 5: fewer triangles filed.
    expect(lean.postingCount).toBeLessThan(whole.postingCount * 0.8);
    expect(lean.postingCount).toBeGreaterThan(whole.postingCount * 0.4);
    const loaded = IndexShard.fromBytes(lean.toBytes());
    expect(loaded.ok && loaded.value.neighbours).toBe(4);
    if (!loaded.ok) return;
    expect(loaded.value.toleranceScale).toBe(0.75);
    let inList = 0;
    for (const { f, t } of probes) {
      const list = lean.search(t);
      expect(loaded.value.search(t)).toEqual(list);
      if (list.some((c) => c.entry === f)) inList++;
    }
    // One finger with fewer triangles is a weaker index (persons bring four fingers).
    expect(inList).toBeGreaterThanOrEqual(2);
    expect(() => new IndexShard({ neighbours: 2 })).toThrow(/with 2 neighbours/);
    expect(() => new IndexShard({ neighbours: 4.5 })).toThrow(/neighbours/);
    expect(() => new IndexShard({ toleranceScale: 0.1 })).toThrow(/scale its tolerances by 0.1/);
    // A header claiming an impossible neighbour count, or an older format, is refused.
    const bytes = lean.toBytes();
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, 3);
    const odd = bytes.slice();
    new Uint32Array(odd.buffer, odd.byteOffset, 3)[2] = 40;
    const r = IndexShard.fromBytes(odd);
    expect(!r.ok && r.error.message).toMatch(/40 neighbours/);
    const old = bytes.slice();
    new Uint32Array(old.buffer, old.byteOffset, 2)[1] = words[1]! - 1;
    const v = IndexShard.fromBytes(old);
    expect(!v.ok && v.error.message).toMatch(/format version/);
  });

  it('merges shards into the list one shard gives', () => {
    const even = shardOf(gallery.map((_, i) => i).filter((i) => i % 2 === 0));
    const odd = shardOf(gallery.map((_, i) => i).filter((i) => i % 2 === 1));
    // With room for every voted template, the two halves together give exactly the
    // whole shard's list: votes and scores do not depend on the sharding.
    for (const { t } of probes) {
      const merged = searchShards([even, odd], t, { candidates: 300, minVotes: 1 });
      expect(merged).toEqual(whole.search(t, { candidates: 300, minVotes: 1 }));
    }
    expect(
      mergeCandidates(
        [
          [{ entry: 5, score: 10, votes: 3 }],
          [
            { entry: 2, score: 10, votes: 3 },
            { entry: 9, score: 30, votes: 1 },
          ],
        ],
        2,
      ).map((c) => c.entry),
    ).toEqual([9, 2]);
  });

  it('identifies end to end through worker threads, and round-trips its bytes', async () => {
    const pool = new IdentificationPool(2);
    try {
      await pool.add(gallery);
      await pool.seal();
      const results = await pool.searchMany(probes.map((p) => p.t));
      const bytes = await pool.toBytes();
      expect(splitShards(bytes).ok).toBe(true);
      const again = await IdentificationPool.fromBytes(bytes, 2);
      expect(again.ok).toBe(true);
      if (!again.ok) return;
      try {
        expect(await again.value.searchMany(probes.map((p) => p.t))).toEqual(results);
      } finally {
        await again.value.close();
      }
      let hits = 0;
      probes.forEach(({ f }, i) => {
        if (results[i]![0]?.entry === f) hits++;
      });
      expect(hits).toBeGreaterThanOrEqual(3);
      // Excluding the probe's own record (de-duplication) leaves it out of the list.
      const [self] = await pool.searchMany([gallery[10]!], {}, [10]);
      expect(self!.map((c) => c.entry)).not.toContain(10);
    } finally {
      await pool.close();
    }
    expect(joinShards([]).length).toBe(8);
  }, 60_000);
});
