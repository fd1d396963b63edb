import { typeScriptWorkerUrl } from '@vigil/core/worker';
import { Worker } from 'node:worker_threads';
import {
  DEFAULT_CANDIDATES,
  IndexShard,
  matchPrepared,
  packBuffers,
  prepareTemplate,
  type PackedTemplates,
  type PreparedTemplate,
} from '@vigil/biometrics';
import { ConflictError, InvalidInputError } from '@vigil/core';
import {
  fuseFingerScores,
  type DuplicateCandidate,
  type DuplicateSearch,
  type EnrolledFinger,
} from './dedup.ts';
import type { ShardBuildRequest, ShardBuildResponse } from './dedup-worker.ts';
import type { FingerPosition } from './types.ts';

/**
 * De-duplication on the 1:N index of @vigil/biometrics (src/identify): one index per
 * finger position, so a right index is only ever compared with right indexes, as
 * `DuplicateSearch` requires.
 *
 * A search has three steps, the two stages of every AFIS (Handbook of Fingerprint
 * Recognition, 2nd ed., ch. 5.8) plus fusion:
 *
 * 1. each probe finger is searched in its position's index (triangle votes, then the full
 *    matcher on the best-voted templates of each shard) and in the unsealed tail (every
 *    template, full matcher);
 * 2. the candidates are the union, over the probe fingers, of the voters listed: a voter
 *    is a candidate when *any* of their fingers is found. The index alone misses about one
 *    mate in eight for one finger (identify/README.md); with two fingers it must miss both;
 * 3. every candidate's same-position fingers are fully matched against the probe and fused
 *    with `fuseFingerScores`, exactly as the brute-force search scores them, so a candidate
 *    found through one finger gets the evidence of all of them.
 *
 * For a voter the index does list, the evidence is the brute-force evidence (same
 * templates, same matcher, same fusion). What it can do worse is miss a voter: one whose
 * fingers all fall outside every shard's best-voted list.
 */

export interface IndexedDuplicateSearchOptions {
  /**
   * Templates of one position held in the unsealed tail before it is sealed into a shard
   * (default 128). See `DEFAULT_TAIL_SIZE`.
   */
  readonly tailSize?: number;
  /** Shards of one size tier merged into one (default 4). See `createIndexedDuplicateSearch`. */
  readonly mergeFanIn?: number;
  /** No merge makes a shard larger than this many templates (default 32,768). */
  readonly maxMergedShard?: number;
  /**
   * Best-voted templates a shard of `fullCandidatesFrom` templates or more passes to the
   * full matcher (default 48); smaller shards pass proportionally fewer, at least 8.
   */
  readonly candidatesPerShard?: number;
  /** Shard size from which a shard passes all `candidatesPerShard` (default 8,192). */
  readonly fullCandidatesFrom?: number;
  /** Voters each shard lists per probe finger, best score first (default 24). */
  readonly candidatesPerFinger?: number;
}

/**
 * Why 128: the tail is searched by brute force, every template a full comparison (about
 * 0.18 ms each, measured with the probe prepared once), so a tail of 128 costs about
 * 23 ms per probe finger at its fullest. A large sealed shard costs a fixed part per
 * probe finger whatever its size: 48 candidates prepared and matched, about 18 ms (0.2 ms
 * to prepare plus 0.18 ms to match each); a small one, 8 candidates and the vote, a few
 * ms. Below about 100 templates the tail is the cheaper way to search; far above, it
 * would dominate the search. Sealing 128 templates takes about 26 ms (0.2 ms each),
 * nothing an enrolment notices, and small shards are then merged by size tier so their
 * count stays logarithmic.
 */
export const DEFAULT_TAIL_SIZE = 128;
const DEFAULT_FAN_IN = 4;
const DEFAULT_MAX_MERGED = 32_768;
const DEFAULT_PER_FINGER = 24;
const DEFAULT_FULL_FROM = 8192;
const MIN_CANDIDATES = 8;

export interface IndexedDuplicateSearchStats {
  readonly voters: number;
  /** Per finger position: sealed shard sizes (oldest first) and templates in the tail. */
  readonly positions: readonly {
    readonly position: FingerPosition;
    readonly shards: readonly number[];
    readonly tail: number;
  }[];
}

export interface IndexedDuplicateSearch extends DuplicateSearch {
  /**
   * Seals every non-empty tail into a shard now (merging as usual), a large one on worker
   * threads, one per finger position, at once. Call after a bulk load, so the first
   * search does not pay for it.
   */
  seal(): Promise<void>;
  /** Resolves when no shard is being built in the background (merges run there). */
  idle(): Promise<void>;
  stats(): IndexedDuplicateSearchStats;
}

interface Settings {
  readonly tailSize: number;
  readonly fanIn: number;
  readonly maxMerged: number;
  readonly perShard: number;
  readonly fullFrom: number;
  readonly perFinger: number;
}

/**
 * Shards of this many templates or more are built on a worker thread (dedup-worker.ts),
 * in the background: starting a thread costs about a second, re-indexing costs about
 * 0.2 to 0.35 ms a template, so below this the pause is shorter (0.7 s at most) than the
 * detour, and above it the main thread would stall enrolments for seconds.
 */
const OFF_THREAD_FROM = 2048;

let workerUrl: URL | undefined;
function shardWorkerUrl(): URL {
  workerUrl ??= typeScriptWorkerUrl(new URL('./dedup-worker.ts', import.meta.url));
  return workerUrl;
}

/** Builds and seals a shard of these templates under these entries on a worker thread. */
function buildShardOffThread(entries: Uint32Array, packed: PackedTemplates): Promise<IndexShard> {
  const worker = new Worker(shardWorkerUrl());
  return new Promise<IndexShard>((resolve, reject) => {
    worker.once('message', (r: ShardBuildResponse) => {
      void worker.terminate();
      if (!r.ok) {
        reject(
          new Error(`building a de-duplication index shard failed in its thread: ${r.message}`),
        );
        return;
      }
      const shard = IndexShard.fromBytes(r.bytes);
      if (shard.ok) resolve(shard.value);
      else reject(shard.error);
    });
    worker.once('error', (e) => {
      void worker.terminate();
      reject(e);
    });
    const request: ShardBuildRequest = { entries, templates: packed };
    worker.postMessage(request, [...packBuffers(packed), entries.buffer as ArrayBuffer]);
  });
}

/**
 * A sealed shard of the first `limit` templates of these shards, under their entries:
 * built on a worker thread from `OFF_THREAD_FROM` templates, else here.
 */
async function buildShard(shards: readonly IndexShard[], limit: number): Promise<IndexShard> {
  const count = Math.min(
    limit,
    shards.reduce((a, s) => a + s.size, 0),
  );
  if (count >= OFF_THREAD_FROM) {
    try {
      return await buildShardOffThread(...snapshot(shards, limit));
    } catch {
      // A thread that cannot start (or dies) costs a pause, never a wrong index.
    }
  }
  return buildShardHere(shards, limit);
}

function buildShardHere(shards: readonly IndexShard[], limit: number): IndexShard {
  const built = new IndexShard();
  for (const s of shards) {
    for (let local = 0; local < s.size && built.size < limit; local++) {
      built.add(s.entry(local), s.template(local));
    }
  }
  built.seal();
  return built;
}

/** The index of one finger position: sealed shards, the tail, and where each voter is. */
class PositionIndex {
  readonly shards: IndexShard[] = [];
  tail = new IndexShard();
  /** The tail's templates prepared for the matcher, filled at search time. */
  private tailPrepared: PreparedTemplate[] = [];
  /** By voter number: the shard (or tail) holding the voter's finger, and its index there. */
  private readonly shardOf: (IndexShard | undefined)[] = [];
  private readonly localOf: number[] = [];
  /** The seal or merge being built on a worker thread (one at a time). */
  private building: Promise<void> | undefined;

  constructor(private readonly settings: Settings) {}

  has(voter: number): boolean {
    return this.shardOf[voter] !== undefined;
  }

  add(voter: number, finger: EnrolledFinger): void {
    this.shardOf[voter] = this.tail;
    this.localOf[voter] = this.tail.size;
    this.tail.add(voter, finger.template);
  }

  /** The voter's stored template (ISO precision), prepared for the matcher. */
  prepared(voter: number): PreparedTemplate | undefined {
    const shard = this.shardOf[voter];
    if (shard === undefined) return undefined;
    const local = this.localOf[voter]!;
    if (shard === this.tail && local < this.tailPrepared.length) return this.tailPrepared[local];
    return prepareTemplate(shard.template(local));
  }

  /** Resolves when no seal or merge is being built. */
  async idle(): Promise<void> {
    while (this.building !== undefined) await this.building;
  }

  /**
   * Seals the tail into a shard when it holds `atLeast` templates (in this thread: the
   * tail is small), then merges.
   */
  sealTail(atLeast: number): void {
    if (this.tail.size === 0 || this.tail.size < atLeast) return;
    if (this.building !== undefined && this.tail.size >= OFF_THREAD_FROM) return;
    this.tail.seal();
    this.shards.push(this.tail);
    this.tail = new IndexShard();
    this.tailPrepared = [];
    this.merge();
  }

  /**
   * Seals the whole tail, however large (after a bulk load), on a worker thread when it
   * is large. The tail stays searchable meanwhile; what is added during the build stays
   * in the next tail.
   */
  async sealAll(): Promise<void> {
    await this.idle();
    const tail = this.tail;
    const n = tail.size;
    if (n < OFF_THREAD_FROM) {
      this.sealTail(1);
      return;
    }
    await this.replace(
      [tail],
      () => buildShard([tail], n),
      () => {
        // Out of the tail only as the shard goes in, so every voter was searchable all along.
        const rest = new IndexShard();
        for (let t = n; t < tail.size; t++) {
          const voter = tail.entry(t);
          this.shardOf[voter] = rest;
          this.localOf[voter] = rest.size;
          rest.add(voter, tail.template(t));
        }
        this.tail = rest;
        this.tailPrepared = [];
      },
    );
    this.merge();
  }

  /**
   * Size-tiered merging, as in log-structured stores: while the newest `fanIn` shards are
   * of one tier (tier k holds tailSize x fanIn^k templates or more, below the next), they
   * become one shard of the next tier. Each shard costs a probe a fixed full-matching
   * effort, so their number must stay logarithmic in the gallery; each template is
   * re-indexed once per tier it climbs. Merges stop at `maxMerged` templates. A large
   * merge is built on a worker thread while the old shards go on answering, then swapped
   * in, so enrolments do not pause for it.
   */
  private merge(): void {
    const { fanIn, maxMerged, tailSize } = this.settings;
    const tier = (size: number) =>
      Math.floor(Math.log(Math.max(1, size / tailSize)) / Math.log(fanIn));
    while (this.building === undefined) {
      const n = this.shards.length;
      if (n < fanIn) return;
      const group = this.shards.slice(n - fanIn);
      const t = tier(group[0]!.size);
      if (group.some((s) => tier(s.size) !== t)) return;
      const total = group.reduce((a, s) => a + s.size, 0);
      if (total > maxMerged) return;
      if (total < OFF_THREAD_FROM) {
        this.swap(group, buildShardHere(group, Infinity));
        continue;
      }
      void this.replace(group, () => buildShard(group, Infinity)).then(() => {
        this.merge();
      });
    }
  }

  /**
   * Builds a shard in the background and puts it in place of `old` when done (`before`
   * runs in the same step, so no search sees a state between the two).
   */
  private replace(
    old: readonly IndexShard[],
    build: () => Promise<IndexShard>,
    before?: () => void,
  ): Promise<void> {
    const run = build().then((built) => {
      before?.();
      this.swap(old, built);
    });
    this.building = run.finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  /** Puts `built` where the shards `old` were (or the tail), and points their voters at it. */
  private swap(old: readonly IndexShard[], built: IndexShard): void {
    const at = this.shards.indexOf(old[0]!);
    if (at >= 0) this.shards.splice(at, old.length, built);
    else this.shards.push(built);
    for (let local = 0; local < built.size; local++) {
      const voter = built.entry(local);
      this.shardOf[voter] = built;
      this.localOf[voter] = local;
    }
  }

  /** Calls `found(voter, score)` for the candidates of one probe finger. */
  search(
    probe: EnrolledFinger,
    prepared: PreparedTemplate,
    found: (voter: number, score: number) => void,
  ): void {
    const { perShard, perFinger, fullFrom } = this.settings;
    for (const shard of this.shards) {
      // A mate is out-voted by chance templates in proportion to the shard's size, so a
      // small shard needs a shorter list for the same chance of holding it: the index
      // keeps 87% of mates in 48 candidates at 100,000 (identify/README.md), and a shard
      // of 8,192 or fewer gets at least that depth relative to its size. Every shard
      // costs its candidates' full matching, so this keeps many small shards cheap.
      const candidates = Math.min(
        perShard,
        Math.max(MIN_CANDIDATES, Math.ceil((perShard * shard.size) / fullFrom)),
      );
      for (const c of shard.search(probe.template, { candidates, limit: perFinger }, prepared)) {
        found(c.entry, c.score);
      }
    }
    // The tail is small: every template in it is compared, so a voter enrolled a moment
    // ago is found however poorly the index would have voted for them.
    for (let t = this.tailPrepared.length; t < this.tail.size; t++) {
      this.tailPrepared.push(prepareTemplate(this.tail.template(t)));
    }
    for (let t = 0; t < this.tailPrepared.length; t++) {
      found(this.tail.entry(t), matchPrepared(prepared, this.tailPrepared[t]!));
    }
  }
}

/**
 * The first `limit` entries and templates of these shards, in order, packed for a worker
 * thread one template at a time (a gallery of templates as objects would hold hundreds of
 * megabytes at 100,000 while the shard is built).
 */
function snapshot(shards: readonly IndexShard[], limit: number): [Uint32Array, PackedTemplates] {
  let count = 0;
  let minutiae = 0;
  for (const s of shards) {
    for (let local = 0; local < s.size && count < limit; local++, count++) {
      minutiae += s.template(local).x.length;
    }
  }
  const entries = new Uint32Array(count);
  const packed: PackedTemplates = {
    count,
    start: new Uint32Array(count + 1),
    header: new Uint16Array(count * 3),
    x: new Float32Array(minutiae),
    y: new Float32Array(minutiae),
    direction: new Float32Array(minutiae),
    kind: new Uint8Array(minutiae),
    reliability: new Float32Array(minutiae),
  };
  let i = 0;
  for (const s of shards) {
    for (let local = 0; local < s.size && i < count; local++, i++) {
      const t = s.template(local);
      const at = packed.start[i]!;
      entries[i] = s.entry(local);
      packed.start[i + 1] = at + t.x.length;
      packed.header.set([t.width, t.height, t.quality], i * 3);
      packed.x.set(t.x, at);
      packed.y.set(t.y, at);
      packed.direction.set(t.direction, at);
      packed.kind.set(t.kind, at);
      packed.reliability.set(t.reliability, at);
    }
  }
  return [entries, packed];
}

function wholeNumber(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidInputError(`The de-duplication index option ${name} is ${value}.`, {
      hint: `Give ${name} as a whole number of at least ${min}.`,
    });
  }
  return value;
}

/**
 * The indexed `DuplicateSearch`. Sealed shards take no more templates, so each position
 * keeps a small unsealed tail searched by brute force; a search first seals every tail
 * holding `tailSize` templates or more into a new shard. Sealing waits for a search so a
 * bulk load (`loadDuplicateSearch` at start-up) builds one large shard, not thousands of
 * small ones; call `seal()` after the load to pay for it then.
 *
 * Searches run on the calling thread: one at 100,000 voters costs about 150 ms of one
 * core (bench/enrolment.bench.ts), and enrolments are serialised per search anyway
 * (enrolment.ts), so splitting a search over threads would buy latency the target does
 * not need, for a copy of the gallery per thread. What would pause enrolments for seconds
 * is building a large shard (a start-up seal, a large merge): that runs on a worker
 * thread (dedup-worker.ts) while the old shards go on answering.
 *
 * @example
 *   const search = createIndexedDuplicateSearch();
 *   await search.add('V-1', [{ position: 2, template: rightIndex }, { position: 7, template: leftIndex }]);
 *   const [best] = await search.search(probeFingers);
 */
export function createIndexedDuplicateSearch(
  options: IndexedDuplicateSearchOptions = {},
): IndexedDuplicateSearch {
  const settings: Settings = {
    tailSize: wholeNumber('tailSize', options.tailSize ?? DEFAULT_TAIL_SIZE, 1),
    fanIn: wholeNumber('mergeFanIn', options.mergeFanIn ?? DEFAULT_FAN_IN, 2),
    maxMerged: wholeNumber('maxMergedShard', options.maxMergedShard ?? DEFAULT_MAX_MERGED, 1),
    perShard: wholeNumber(
      'candidatesPerShard',
      options.candidatesPerShard ?? DEFAULT_CANDIDATES,
      1,
    ),
    fullFrom: wholeNumber('fullCandidatesFrom', options.fullCandidatesFrom ?? DEFAULT_FULL_FROM, 1),
    perFinger: wholeNumber(
      'candidatesPerFinger',
      options.candidatesPerFinger ?? DEFAULT_PER_FINGER,
      1,
    ),
  };
  const positions = new Map<FingerPosition, PositionIndex>();
  const voterIds: string[] = [];
  const numbers = new Map<string, number>();
  const sealFull = () => {
    for (const index of positions.values()) index.sealTail(settings.tailSize);
  };

  return {
    get size() {
      return voterIds.length;
    },
    add(voterId, fingers) {
      if (numbers.has(voterId)) {
        return Promise.reject(
          new ConflictError(`Voter "${voterId}" is already in the de-duplication index.`),
        );
      }
      const seen = new Set<FingerPosition>();
      for (const f of fingers) {
        if (seen.has(f.position)) {
          return Promise.reject(
            new InvalidInputError(
              `Voter "${voterId}" brings finger position ${f.position} twice; each position is indexed once.`,
            ),
          );
        }
        seen.add(f.position);
      }
      const voter = voterIds.length;
      voterIds.push(voterId);
      numbers.set(voterId, voter);
      for (const f of fingers) {
        let index = positions.get(f.position);
        if (index === undefined) {
          index = new PositionIndex(settings);
          positions.set(f.position, index);
        }
        index.add(voter, f);
      }
      return Promise.resolve();
    },
    search(fingers, limit = 10) {
      sealFull();
      const probes = fingers.flatMap((f) => {
        const index = positions.get(f.position);
        return index === undefined
          ? []
          : [{ finger: f, index, prepared: prepareTemplate(f.template) }];
      });
      // Scores known so far, by voter and probe finger (NaN: not compared yet).
      const known = new Map<number, Float64Array>();
      probes.forEach((p, i) => {
        p.index.search(p.finger, p.prepared, (voter, score) => {
          let row = known.get(voter);
          if (row === undefined) {
            row = new Float64Array(probes.length).fill(Number.NaN);
            known.set(voter, row);
          }
          row[i] = score;
        });
      });
      const ranked: DuplicateCandidate[] = [];
      for (const [voter, row] of known) {
        const scores: { position: FingerPosition; score: number }[] = [];
        probes.forEach((p, i) => {
          let score = row[i]!;
          if (Number.isNaN(score)) {
            const enrolled = p.index.prepared(voter);
            if (enrolled === undefined) return;
            score = matchPrepared(p.prepared, enrolled);
          }
          scores.push({ position: p.finger.position, score });
        });
        ranked.push({ voterId: voterIds[voter]!, ...fuseFingerScores(scores), fingers: scores });
      }
      ranked.sort((a, b) => b.score - a.score || (a.voterId < b.voterId ? -1 : 1));
      return Promise.resolve(ranked.slice(0, limit));
    },
    async seal() {
      await Promise.all([...positions.values()].map((index) => index.sealAll()));
    },
    async idle() {
      await Promise.all([...positions.values()].map((index) => index.idle()));
    },
    stats() {
      return {
        voters: voterIds.length,
        positions: [...positions]
          .sort(([a], [b]) => a - b)
          .map(([position, index]) => ({
            position,
            shards: index.shards.map((s) => s.size),
            tail: index.tail.size,
          })),
      };
    },
  };
}
