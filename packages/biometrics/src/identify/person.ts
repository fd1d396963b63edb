import { InvalidInputError, err, ok, type Result } from '@vigil/core';
import { FMR_FLOOR, fmrToEvidence, fuseFmrs, productTail } from '../fusion/fuse.ts';
import { matchPrepared, prepareTemplate, type PreparedTemplate } from '../match.ts';
import { scoreToFmr } from '../score.ts';
import type { FingerprintTemplate } from '../template.ts';
import {
  Growable,
  IndexShard,
  Reader,
  bytesOf,
  inSharedMemory,
  joinAligned,
  selectTopVoted,
  type ProbeVisits,
  type SharedIndexShard,
  type TemplateVotes,
} from './shard.ts';

/**
 * Person-level 1:N identification: each person is enrolled with several fingers, each
 * finger position has its own index (a right index is only ever compared with right
 * indexes), and the evidence of all fingers is fused. This is how large registries and
 * AFIS reach accuracies one finger cannot: NIST FpVTE 2012 (NISTIR 8034) found
 * identification accuracy rising markedly with each added finger, and voter registries
 * (Ghana, Nigeria, Kenya) enrol several fingers for that reason. With one finger of a
 * matcher of a few percent EER, rank-1 99% at FPIR 1% in a gallery of a million needs an
 * FMR of about 1e-8 per comparison with a genuine score still above it 99 times in
 * 100, which no such matcher has (identify/README.md).
 *
 * A search, per shard:
 *
 * 1. **Votes.** Each probe finger votes in its position's index (triangle votes,
 *    shard.ts); a person's count is the sum over their fingers. A mate shows up however
 *    few votes one finger gets, as long as the sum stands out.
 * 2. **Candidates.** The `candidates` persons with most summed votes (and at least
 *    `minVotes`), and of those only the ones within `voteRatio` of the best: a mate
 *    usually out-votes everyone by far, and then a handful of full comparisons settles it.
 * 3. **Full matching and fusion.** Every probe finger is matched (`matchPrepared`) with
 *    the same finger of each candidate, each score turned into its calibrated false match
 *    rate (`scoreToFmr`, score.ts) and the FMRs fused by Fisher's method (`fuseFmrs`,
 *    fusion/fuse.ts: evidence = sum of -log10 FMR, fused FMR = the chance that independent
 *    impostor fingers reach that evidence together). Fingers of different people, and
 *    different fingers, are independent for an impostor, which is what the rule assumes.
 *    Each finger's FMR is floored at 1e-7 (`FMR_FLOOR`): one freak finger cannot carry a
 *    match alone. The same rule scores the registry's de-duplication
 *    (packages/registry/src/dedup.ts, `fuseFingerScores`), so a fused FMR means one thing.
 *
 * The decision threshold is a fused FMR: for a wanted FPIR over a gallery of N persons,
 * FPIR / N (each enrolled person a chance to be a false hit).
 */

/** One enrolled or probe finger: ISO/IEC 19794-2 finger position (1..10) and template. */
export interface PersonFinger {
  readonly position: number;
  readonly template: FingerprintTemplate;
}

export interface PersonCandidate {
  /** The person's entry number (given when enrolled). */
  readonly entry: number;
  /** Sum over the compared fingers of -log10(FMR of that finger's score). */
  readonly evidence: number;
  /** The chance that an impostor reaches this evidence over this many fingers. */
  readonly fusedFmr: number;
  /** Summed index votes that made the person a candidate. */
  readonly votes: number;
  /** The matcher's score of each compared finger. */
  readonly fingers: readonly { readonly position: number; readonly score: number }[];
}

export interface PersonSearchOptions {
  /**
   * Persons passed to the full matcher (default 24): per shard in `search` and
   * `searchMany`, over all the shards together in `searchAcross`.
   */
  readonly candidates?: number;
  /** Fewest summed votes for the full matcher to look at a person (default 2). */
  readonly minVotes?: number;
  /**
   * Persons whose summed votes are below the best person's divided by this are not
   * fully matched (default 6; 0 turns the cut off). See `DEFAULT_VOTE_RATIO`.
   */
  readonly voteRatio?: number;
  /** Return only candidates whose fused FMR is at most this (default 1: all). */
  readonly maxFusedFmr?: number;
  /** Return at most this many (default 10). */
  readonly limit?: number;
  /** Entry to leave out (the probe's own record, when de-duplicating a roll). */
  readonly exclude?: number;
  /**
   * Only persons whose entry is below this. A roll de-duplicated against itself searches
   * each record among those enrolled before it: every pair is then compared once, from its
   * later record, and the index votes for half as many persons.
   */
  readonly before?: number;
  /**
   * Scale of the index's tolerances for this search, instead of the shard's own
   * (`PERSON_TOLERANCE_SCALE`); see `DEDUP_TOLERANCE_SCALE`.
   */
  readonly toleranceScale?: number;
}

export const DEFAULT_PERSON_CANDIDATES = 24;
/**
 * Why 6: on synthetic two-finger persons a mate's summed votes are in the tens, chance
 * persons' a few (measured with `identifyBench`); a person with a sixth of the best
 * count is, when the best is a mate, a chance one, and when the best is itself a chance
 * person (no mate enrolled), the cut leaves the list as it was. It saves full
 * comparisons only where a mate stands out, never where the index is unsure.
 */
export const DEFAULT_VOTE_RATIO = 6;

/** A probe finger with its prepared form (prepared once, searched in every shard). */
export interface PreparedFinger extends PersonFinger {
  readonly prepared: PreparedTemplate;
}

/**
 * The probe's fingers, each prepared for the full matcher when first compared: most
 * searches of a de-duplication fully match a few chance persons on three fingers or
 * fewer, and some none at all.
 */
export function prepareFingers(fingers: readonly PersonFinger[]): PreparedFinger[] {
  return fingers.map((f) => {
    let prepared: PreparedTemplate | undefined;
    return {
      position: f.position,
      template: f.template,
      get prepared(): PreparedTemplate {
        prepared ??= prepareTemplate(f.template);
        return prepared;
      },
    };
  });
}

/** Checks a person's fingers: positions 1..10, each at most once. */
export function checkFingers(fingers: readonly PersonFinger[], who: string): void {
  const seen = new Set<number>();
  for (const f of fingers) {
    if (!Number.isInteger(f.position) || f.position < 1 || f.position > 10) {
      throw new InvalidInputError(`${who} has a finger at position ${f.position}.`, {
        hint: 'Give ISO/IEC 19794-2 finger positions 1 (right thumb) to 10 (left little).',
      });
    }
    if (seen.has(f.position)) {
      throw new InvalidInputError(`${who} brings finger position ${f.position} twice.`, {
        hint: 'Give each finger position at most once per person.',
      });
    }
    seen.add(f.position);
  }
}

/**
 * Triangle neighbours of the person-level index's shards: each minutia with pairs of its 4
 * nearest, about 102 triangles a template rather than 166 (identify/README.md). A person
 * brings several fingers whose votes are summed, so each finger can afford fewer chances
 * to be found, and the index of a million four-finger persons fits in 4 GB. Measured on
 * 250,000 synthetic four-finger persons in one shard, 100 mated searches: with 4
 * neighbours every mate was among the 8 most voted; with 3 (53 triangles a template)
 * 3 mates got no votes at all.
 */
export const PERSON_TRIANGLE_NEIGHBOURS = 4;
/**
 * Tolerance scale of the person index's searches (`IndexShardOptions.toleranceScale`):
 * sides within 3 px + 3.75%, directions within 11.25 degrees. Summed over four fingers,
 * votes can spare the triangles that only the wider box finds. On 50,000 synthetic
 * four-finger persons in one shard, 300 mated and 300 non-mated searches: at 1, 0.75, 0.6
 * and 0.5 the mate was in the list 300, 300, 298 and 290 times, at 53, 29, 20 and 16 ms a
 * search (no false match at a fused FMR of 1e-9 in any). 0.75 is the narrowest that lost
 * none. At a million persons it is a trade: of 200 mated searches 0.75 missed one mate
 * that 1.0 found, at p95 177 against 411 ms (identify/README.md).
 */
export const PERSON_TOLERANCE_SCALE = 0.75;

/**
 * Tolerance scale of a roll's de-duplication (`PersonSearchOptions.toleranceScale`), where
 * every record is searched among the records before it, and where time counts most: a
 * roll of N is N searches. At a roll's size rather than a million, chance persons gather
 * fewer votes and a narrower box still leaves the mate on top. Measured with
 * `dedupBench`, 20,000 voters with 1,000 planted duplicates: at 0.75, 0.7 and 0.65, 999,
 * 999 and 994 pairs found; on 50,000 persons in one shard, 512 mated searches: 508 found
 * at 0.75, 0.7 and 0.65 alike, 504 at 0.6, at 9.2, 7.4, 5.4 and 5.1 ms of votes a search.
 * 0.7 is the narrowest that lost nothing in either.
 */
export const DEDUP_TOLERANCE_SCALE = 0.7;

/**
 * Probes whose votes `searchMany` counts together. Enough for their visits to crowd the
 * index's cells (256 four-finger probes reach about 4 million cells, of some 1.5 million
 * in use at 50,000 persons), few enough that what passes stays in tens of megabytes.
 */
const PERSON_SEARCH_BATCH = 256;

const MAGIC = 0x53504756; // "VGPS" read little-endian
const FORMAT_VERSION = 1;

/**
 * One shard of the person-level index: the persons it holds (local number to entry) and
 * one `IndexShard` per finger position, whose entries are local person numbers. A person
 * without a finger at some position is simply absent from that position's shard.
 */
export class PersonShard {
  private readonly persons = new Growable<Uint32Array>(
    new Uint32Array(0),
    (n) => new Uint32Array(n),
  );
  private readonly positions = new Map<number, IndexShard>();
  private sums: Uint16Array | undefined;
  private touched: Int32Array | undefined;
  /** Whether entries were added in ascending order (then `before` also bounds the votes). */
  private ascending = true;

  get size(): number {
    return this.persons.length;
  }

  get sealed(): boolean {
    return this.positions.size > 0 && [...this.positions.values()].every((s) => s.sealed);
  }

  /** Triangles filed over all positions. */
  get postingCount(): number {
    let n = 0;
    for (const s of this.positions.values()) n += s.postingCount;
    return n;
  }

  /** Templates held over all positions. */
  get templateCount(): number {
    let n = 0;
    for (const s of this.positions.values()) n += s.size;
    return n;
  }

  add(entry: number, fingers: readonly PersonFinger[]): void {
    if (this.sealed) throw new Error('this person shard is sealed; add to a new shard');
    checkFingers(fingers, `Person ${entry}`);
    const local = this.persons.length;
    if (local > 0 && entry >>> 0 <= this.persons.data[local - 1]!) this.ascending = false;
    this.persons.push(entry >>> 0);
    for (const f of fingers) {
      let shard = this.positions.get(f.position);
      if (shard === undefined) {
        shard = new IndexShard({
          neighbours: PERSON_TRIANGLE_NEIGHBOURS,
          toleranceScale: PERSON_TOLERANCE_SCALE,
        });
        this.positions.set(f.position, shard);
      }
      shard.add(local, f.template);
    }
  }

  seal(): void {
    for (const s of this.positions.values()) s.seal();
  }

  entry(local: number): number {
    return this.persons.data[local]!;
  }

  /** Index in `shard` of local person `local`, or -1 (entries are ascending: bisection). */
  private static find(shard: IndexShard, local: number): number {
    const at = PersonShard.templatesBelow(shard, local);
    return at < shard.size && shard.entry(at) === local ? at : -1;
  }

  /** How many of `shard`'s templates are of local persons below `local`. */
  private static templatesBelow(shard: IndexShard, local: number): number {
    return countBelow(shard.size, (t) => shard.entry(t), local);
  }

  /**
   * Local persons the index may vote for under `options.before`: those of entry below it,
   * a prefix when entries were added in ascending order (as the pool adds them); else all,
   * and candidate selection leaves the others out.
   */
  private personsBelow(options: PersonSearchOptions): number {
    const before = options.before;
    if (before === undefined || !this.ascending) return this.size;
    const persons = this.persons.data;
    return countBelow(this.size, (p) => persons[p]!, before);
  }

  /** Candidates for the probe's fingers, most fused evidence first. */
  search(probe: readonly PreparedFinger[], options: PersonSearchOptions = {}): PersonCandidate[] {
    const persons = this.personsBelow(options);
    return this.candidatesFrom(probe, options, (finger, shard) =>
      shard.votesOf(finger.template, {
        below: PersonShard.templatesBelow(shard, persons),
        toleranceScale: options.toleranceScale,
      }),
    );
  }

  /**
   * Candidates for many probes, the same list for each as `search` gives it alone
   * (`options[i]` for probe i), with the votes counted a batch at a time
   * (`IndexShard.votesOfMany`): the de-duplication of a roll, where every record is a
   * probe, reads the index in cell order rather than once per record.
   */
  searchMany(
    probes: readonly (readonly PreparedFinger[])[],
    options: readonly PersonSearchOptions[],
  ): PersonCandidate[][] {
    // Over one shard, choosing over all shards is choosing in this one.
    return PersonShard.searchAcross([this], probes, options);
  }

  /**
   * Sums each person's votes over the probe's fingers (`votesOf` gives one finger's, in
   * its position's shard), picks the candidates and fully matches them.
   */
  private candidatesFrom(
    probe: readonly PreparedFinger[],
    options: PersonSearchOptions,
    votesOf: (finger: PreparedFinger, shard: IndexShard) => TemplateVotes | undefined,
  ): PersonCandidate[] {
    const chosen = this.chooseFrom(probe, options, votesOf);
    return mergePersonCandidates([this.fullMatch(probe, chosen, options)], options.limit ?? 10);
  }

  /**
   * The persons to match fully: each person's votes summed over the probe's fingers, the
   * `candidates` most voted of those left in (`exclude`, `before`), with at least
   * `minVotes` and a `voteRatio`-th of the best.
   */
  private chooseFrom(
    probe: readonly PreparedFinger[],
    options: PersonSearchOptions,
    votesOf: (finger: PreparedFinger, shard: IndexShard) => TemplateVotes | undefined,
  ): ChosenPerson[] {
    const n = this.size;
    if (n === 0) return [];
    if (this.sums?.length !== n) {
      this.sums = new Uint16Array(n);
      this.touched = new Int32Array(n);
    }
    const sums = this.sums;
    const touched = this.touched!;
    let count = 0;
    for (const finger of probe) {
      const shard = this.positions.get(finger.position);
      if (shard === undefined) continue;
      const voted = votesOf(finger, shard);
      if (voted === undefined) continue;
      const { local, votes } = voted;
      for (let q = 0; q < local.length; q++) {
        const person = shard.entry(local[q]!);
        if (sums[person] === 0) touched[count++] = person;
        sums[person] = Math.min(65535, sums[person]! + votes[q]!);
      }
    }
    const exclude = options.exclude;
    const before = options.before ?? Infinity;
    // The excluded record (the probe's own, in de-duplication) would out-vote everyone.
    const left = (p: number) => {
      const entry = this.persons.data[p]!;
      return entry === exclude || entry >= before;
    };
    let bestVotes = 0;
    for (let q = 0; q < count; q++) {
      const p = touched[q]!;
      if (!left(p)) bestVotes = Math.max(bestVotes, sums[p]!);
    }
    const ratio = options.voteRatio ?? DEFAULT_VOTE_RATIO;
    const floor = ratio > 0 ? Math.ceil(bestVotes / ratio) : 0;
    const chosen = selectTopVoted(
      touched,
      count,
      (p) => sums[p]!,
      left,
      options.candidates ?? DEFAULT_PERSON_CANDIDATES,
      Math.max(options.minVotes ?? 2, floor),
    ).map((local) => ({ local, entry: this.persons.data[local]!, votes: sums[local]! }));
    for (let q = 0; q < count; q++) sums[touched[q]!] = 0;
    return chosen;
  }

  /**
   * Matches every finger of the probe with the same finger of each chosen person and
   * fuses the evidence; those within `maxFusedFmr`, in no particular order.
   */
  private fullMatch(
    probe: readonly PreparedFinger[],
    chosen: readonly ChosenPerson[],
    options: PersonSearchOptions,
  ): PersonCandidate[] {
    const maxFmr = options.maxFusedFmr ?? 1;
    const out: PersonCandidate[] = [];
    for (const { local, entry, votes } of chosen) {
      const pairs: { position: number; probe: PreparedFinger; enrolled: FingerprintTemplate }[] =
        [];
      for (const finger of probe) {
        const shard = this.positions.get(finger.position);
        const t = shard === undefined ? -1 : PersonShard.find(shard, local);
        if (t >= 0) {
          pairs.push({ position: finger.position, probe: finger, enrolled: shard!.template(t) });
        }
      }
      const fingers: { position: number; score: number }[] = [];
      const fmrs: number[] = [];
      let evidence = 0;
      let dropped = false;
      for (const pair of pairs) {
        // Most candidates are chance ones. Once even the strongest evidence the fingers
        // still to compare could bring (each is floored at FMR_FLOOR) leaves the fused FMR
        // above the threshold, the rest cannot change the decision: stop comparing.
        const left = pairs.length - fingers.length;
        const best = evidence - left * Math.log10(FMR_FLOOR);
        if (maxFmr < 1 && productTail(10 ** -best, pairs.length) > maxFmr) {
          dropped = true;
          break;
        }
        const score = matchPrepared(pair.probe.prepared, prepareTemplate(pair.enrolled));
        fingers.push({ position: pair.position, score });
        fmrs.push(scoreToFmr(score));
        evidence += fmrToEvidence(fmrs.at(-1)!);
      }
      if (dropped) continue;
      const fused = fuseFmrs(fmrs);
      if (fused.fmr <= maxFmr) {
        out.push({ entry, evidence: fused.evidence, fusedFmr: fused.fmr, votes, fingers });
      }
    }
    return out;
  }

  /**
   * Candidates for many probes among several shards: the ones a worker holds, its own and
   * those others shared with it (`share`). The probes of a batch are cut into visits once
   * per finger position (`IndexShard.visitsOf`) and swept in every shard holding it, and
   * the `candidates` most voted persons over all the shards are fully matched: a probe is
   * searched once in the whole index rather than once per shard. `options[i]` is probe i's.
   */
  static searchAcross(
    shards: readonly PersonShard[],
    probes: readonly (readonly PreparedFinger[])[],
    options: readonly PersonSearchOptions[],
  ): PersonCandidate[][] {
    const out: PersonCandidate[][] = [];
    const positions = [...new Set(shards.flatMap((s) => [...s.positions.keys()]))];
    for (let start = 0, end = 0; start < probes.length; start = end) {
      const scale = options[start]?.toleranceScale;
      end = batchEnd(options, start, probes.length);
      const batch = probes.slice(start, end);
      // votes[k]: shard k's, per finger position, per probe of the batch.
      const votes = shards.map(() => new Map<number, Map<number, TemplateVotes>>());
      // persons[k][i]: shard k's local persons probe i may be voted for with (`before`).
      const persons = shards.map((s) =>
        batch.map((_, i) => s.personsBelow(options[start + i] ?? {})),
      );
      for (const position of positions) {
        const who: number[] = [];
        const templates: FingerprintTemplate[] = [];
        batch.forEach((probe, i) => {
          const finger = probe.find((f) => f.position === position);
          if (finger !== undefined) {
            who.push(i);
            templates.push(finger.template);
          }
        });
        if (who.length === 0) continue;
        let visits: ProbeVisits | undefined;
        shards.forEach((s, k) => {
          const index = s.positions.get(position);
          if (index === undefined) return;
          if (
            visits?.neighbours !== index.neighbours ||
            visits.toleranceScale !== (scale ?? index.toleranceScale)
          ) {
            visits = index.visitsOf(templates, scale);
          }
          const below = who.map((i) => PersonShard.templatesBelow(index, persons[k]![i]!));
          const counted = index.votesFromVisits(visits, below);
          votes[k]!.set(position, new Map(who.map((i, q) => [i, counted[q]!])));
        });
      }
      batch.forEach((probe, i) => {
        const o = options[start + i] ?? {};
        const chosen = shards.flatMap((s, k) =>
          s
            .chooseFrom(probe, o, (finger) => votes[k]!.get(finger.position)?.get(i))
            .map((c) => ({ ...c, shard: k })),
        );
        chosen.sort((a, b) => b.votes - a.votes || a.entry - b.entry);
        const ratio = o.voteRatio ?? DEFAULT_VOTE_RATIO;
        const floor = ratio > 0 && chosen.length > 0 ? Math.ceil(chosen[0]!.votes / ratio) : 0;
        const kept = chosen
          .filter((c) => c.votes >= floor)
          .slice(0, o.candidates ?? DEFAULT_PERSON_CANDIDATES);
        const found = shards.flatMap((s, k) =>
          s.fullMatch(
            probe,
            kept.filter((c) => c.shard === k),
            o,
          ),
        );
        out.push(mergePersonCandidates([found], o.limit ?? 10));
      });
    }
    return out;
  }

  /** The fingers enrolled for local person `local`, as enrolled (ISO precision). */
  fingersOf(local: number): PersonFinger[] {
    const fingers: PersonFinger[] = [];
    for (const [position, shard] of [...this.positions].sort(([a], [b]) => a - b)) {
      const t = PersonShard.find(shard, local);
      if (t >= 0) fingers.push({ position, template: shard.template(t) });
    }
    return fingers;
  }

  /**
   * The sealed shard in shared memory, for other worker threads to search
   * (`fromShared`, `searchAcross`) without a copy each.
   */
  share(): SharedPersonShard {
    this.seal();
    this.persons.data = inSharedMemory(this.persons.trimmed());
    return {
      persons: this.persons.data,
      positions: [...this.positions].map(([position, shard]) => [position, shard.share()]),
    };
  }

  /** A shard another thread shared (`share`), to search in this one. */
  static fromShared(shared: SharedPersonShard): PersonShard {
    const shard = new PersonShard();
    shard.persons.data = shared.persons;
    shard.persons.length = shared.persons.length;
    shard.ascending = ascending(shared.persons);
    for (const [position, inner] of shared.positions) {
      shard.positions.set(position, IndexShard.fromShared(inner));
    }
    return shard;
  }

  /** "VGPS", version, persons, positions; the entries; per position its code, length, shard. */
  toBytes(): Uint8Array {
    this.seal();
    const positions = [...this.positions].sort(([a], [b]) => a - b);
    const header = Uint32Array.from([MAGIC, FORMAT_VERSION, this.size, positions.length]);
    const parts: Uint8Array[] = [bytesOf(header), bytesOf(this.persons.trimmed())];
    for (const [position, shard] of positions) {
      const bytes = shard.toBytes();
      parts.push(bytesOf(Uint32Array.from([position, bytes.length])), bytes);
    }
    return joinAligned(parts);
  }

  /** Reads a shard written by `toBytes`, checking every length and reference. */
  static fromBytes(bytes: Uint8Array): Result<PersonShard, InvalidInputError> {
    const bad = (what: string) =>
      err(
        new InvalidInputError(`The person-level fingerprint index data is not usable: ${what}.`, {
          hint: 'Rebuild the index from the enrolled templates.',
        }),
      );
    const reader = new Reader(bytes);
    const header = reader.u32(4);
    if (header?.[0] !== MAGIC) return bad('it does not start like a person index shard');
    if (header[1] !== FORMAT_VERSION) {
      return bad(`format version ${header[1]} is not ${FORMAT_VERSION}`);
    }
    const n = header[2]!;
    const count = header[3]!;
    if (count > 10) return bad('it claims more than ten finger positions');
    const persons = reader.u32(n);
    if (persons === undefined) return bad('it is shorter than its header says');
    const shard = new PersonShard();
    shard.persons.data = persons;
    shard.persons.length = n;
    shard.ascending = ascending(persons);
    for (let k = 0; k < count; k++) {
      const head = reader.u32(2);
      if (head === undefined) return bad('it is shorter than its header says');
      const [position, length] = head as unknown as [number, number];
      if (position < 1 || position > 10 || shard.positions.has(position)) {
        return bad(`it holds finger position ${position} wrongly`);
      }
      const part = reader.take(length);
      if (part === undefined) return bad('it is shorter than its header says');
      // No copy here: IndexShard.fromBytes copies each array it reads into aligned memory.
      const inner = IndexShard.fromBytes(part);
      if (!inner.ok) return inner;
      for (let t = 0; t < inner.value.size; t++) {
        const local = inner.value.entry(t);
        if (local >= n || (t > 0 && local <= inner.value.entry(t - 1))) {
          return bad(`finger position ${position} names persons it does not hold`);
        }
      }
      shard.positions.set(position, inner.value);
    }
    if (reader.remaining !== 0) return bad('it has bytes after its last finger position');
    return ok(shard);
  }
}

/** A person picked for full matching: local number, entry, summed votes. */
interface ChosenPerson {
  readonly local: number;
  readonly entry: number;
  readonly votes: number;
}

/** A person-level shard's arrays (`PersonShard.share`), as a worker message carries them. */
export interface SharedPersonShard {
  readonly persons: Uint32Array;
  readonly positions: readonly (readonly [number, SharedIndexShard])[];
}

/** How many of the first `count` values (ascending: bisection) are below `key`. */
function countBelow(count: number, at: (i: number) => number, key: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(mid) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether entries are strictly ascending (then `before` bounds a prefix of them). */
function ascending(entries: Uint32Array): boolean {
  for (let p = 1; p < entries.length; p++) if (entries[p]! <= entries[p - 1]!) return false;
  return true;
}

/**
 * Where the batch starting at `start` ends: at most `PERSON_SEARCH_BATCH` consecutive
 * probes that ask for the same tolerance (a batch is counted at one).
 */
function batchEnd(options: readonly PersonSearchOptions[], start: number, count: number): number {
  const scale = options[start]?.toleranceScale;
  let end = start + 1;
  while (
    end < count &&
    end - start < PERSON_SEARCH_BATCH &&
    options[end]?.toleranceScale === scale
  ) {
    end++;
  }
  return end;
}

/**
 * Merges candidate lists of several shards, most evidence first (ties: more votes, then
 * the lower entry), so the order never depends on which shard answered first.
 */
export function mergePersonCandidates(
  lists: readonly (readonly PersonCandidate[])[],
  limit: number,
): PersonCandidate[] {
  const all = lists.flat();
  all.sort((a, b) => b.evidence - a.evidence || b.votes - a.votes || a.entry - b.entry);
  return all.slice(0, limit);
}
