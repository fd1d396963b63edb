import { InvalidInputError } from '@vigil/core';
import { thresholdForFmr } from '../score.ts';
import {
  ENROLMENT_FINGER_ORDER,
  synthesizeFingerTemplate,
  synthesizePersonFingerTemplate,
} from '../synth/templates.ts';
import { sweepEngine } from './native.ts';
import { DEDUP_TOLERANCE_SCALE, type PersonCandidate, type PersonFinger } from './person.ts';
import { PersonIdentificationPool } from './person-pool.ts';
import { IdentificationPool } from './pool.ts';

/**
 * The scale benchmarks of `vigil fingerprint identify-bench` and `dedup-bench`, on
 * synthetic templates (synth/templates.ts) made inside the index's worker threads.
 * Figures are wall-clock on whatever else the machine is doing; say so when quoting them.
 */

export interface IdentifyBenchOptions {
  readonly enrolled: number;
  /** Mated probes; as many non-mated probes (people never enrolled) are also searched. */
  readonly probes: number;
  readonly threads?: number;
  readonly seed?: number;
  /** Candidates per shard passed to the full matcher. */
  readonly candidates?: number;
  /** Wanted false positive identification rate; sets the threshold (default 1%). */
  readonly fpirTarget?: number;
  /**
   * Fingers per person (default 4: right and left index and middle, the order of
   * `ENROLMENT_FINGER_ORDER`). Why four: identify/README.md, "Persons and fusion". 1 is
   * the one-template index (`IdentificationPool`) with a score threshold, as before
   * persons had several fingers.
   */
  readonly fingers?: number;
  readonly log?: (line: string) => void;
}

export interface IdentifyBenchResult {
  /** Persons enrolled (one template each when `fingers` is 1). */
  readonly enrolled: number;
  readonly fingers: number;
  readonly matedProbes: number;
  readonly nonMatedProbes: number;
  readonly threads: number;
  /**
   * The decision threshold. One finger: a score, `thresholdForFmr(fpirTarget / enrolled)`.
   * Several: a fused FMR, `fpirTarget / enrolled` (a candidate is a hit at or below it).
   */
  readonly threshold: number;
  /** Mated probes whose mate is first and scores at least the threshold. */
  readonly rank1: number;
  /** Mated probes whose mate is anywhere in the returned list (any score). */
  readonly mateInList: number;
  /** Non-mated probes with any candidate at or above the threshold. */
  readonly fpir: number;
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  /**
   * Several fingers only: CPU time of the whole process (every thread) per probe, p50
   * and p95. Unlike wall clock it hardly depends on what else the machine runs; with the
   * work split over `threads` idle cores, a search takes a little over CPU / threads.
   */
  readonly cpuP50Ms?: number;
  readonly cpuP95Ms?: number;
  /**
   * Several fingers only: the threshold read off a second, disjoint set of non-mated
   * probes as NIST FRVT/FpVTE do (the fused FMR that at most `fpirTarget` of them reach),
   * and rank-1 and FPIR of the measured probes at it. Empirical, so it reflects these
   * synthetic impostors rather than the real-print calibration behind `threshold`.
   */
  readonly empirical?: {
    readonly calibrationProbes: number;
    readonly threshold: number;
    readonly rank1: number;
    readonly fpir: number;
  };
  readonly buildSeconds: number;
  readonly postings: number;
  /** Peak resident memory of the process (all threads), bytes. */
  readonly peakRssBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
}

const BATCH = 20_000;

/** Fingers per synthetic person unless told otherwise (see `IdentifyBenchOptions`). */
export const DEFAULT_BENCH_FINGERS = 4;

async function enrolSynthetic(
  pool: IdentificationPool,
  seed: number,
  fingers: readonly number[],
  impressions: readonly number[],
): Promise<void> {
  for (let s = 0; s < fingers.length; s += BATCH) {
    await pool.addSynthetic(seed, fingers.slice(s, s + BATCH), impressions.slice(s, s + BATCH));
  }
}

/** Peak resident memory (all threads) and the main thread's heap, bytes. */
function memoryFigures(): Pick<
  IdentifyBenchResult,
  'peakRssBytes' | 'heapUsedBytes' | 'externalBytes'
> {
  const memory = process.memoryUsage();
  return {
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
  };
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function identifyBench(o: IdentifyBenchOptions): Promise<IdentifyBenchResult> {
  const fingers = o.fingers ?? DEFAULT_BENCH_FINGERS;
  checkFingerCount(fingers);
  return fingers === 1 ? identifyBenchOneFinger(o) : identifyBenchPersons(o, fingers);
}

function checkFingerCount(fingers: number): void {
  if (!Number.isInteger(fingers) || fingers < 1 || fingers > ENROLMENT_FINGER_ORDER.length) {
    throw new InvalidInputError(`Cannot enrol ${fingers} fingers per person.`, {
      hint: 'Give a whole number of fingers from 1 to 10.',
    });
  }
}

async function identifyBenchOneFinger(o: IdentifyBenchOptions): Promise<IdentifyBenchResult> {
  const threads = o.threads ?? 2;
  const seed = o.seed ?? 1;
  const log = o.log ?? (() => undefined);
  const threshold = thresholdForFmr((o.fpirTarget ?? 0.01) / o.enrolled);
  const pool = new IdentificationPool(threads);
  try {
    const started = performance.now();
    const fingers = Array.from({ length: o.enrolled }, (_, i) => i);
    await enrolSynthetic(pool, seed, fingers, new Array<number>(o.enrolled).fill(0));
    await pool.seal();
    const buildSeconds = (performance.now() - started) / 1000;
    const stats = await pool.stats();
    log(
      `enrolled ${stats.templates} templates (${stats.postings} postings) in ${buildSeconds.toFixed(1)} s`,
    );
    const options = { candidates: o.candidates, limit: 5 };
    // Warm the workers' JIT so the first probes do not measure compilation.
    for (let w = 0; w < 5; w++) await pool.search(synthesizeFingerTemplate(seed, w, 2), options);
    const latencies: number[] = [];
    let rank1 = 0;
    let inList = 0;
    const step = Math.max(1, Math.floor(o.enrolled / o.probes));
    for (let q = 0; q < o.probes; q++) {
      const finger = (q * step) % o.enrolled;
      const probe = synthesizeFingerTemplate(seed, finger, 1);
      const t0 = performance.now();
      const list = await pool.search(probe, options);
      latencies.push(performance.now() - t0);
      if (list[0]?.entry === finger && list[0].score >= threshold) rank1++;
      if (list.some((c) => c.entry === finger)) inList++;
    }
    let falsePositives = 0;
    for (let q = 0; q < o.probes; q++) {
      const probe = synthesizeFingerTemplate(seed, o.enrolled + q, 1);
      const t0 = performance.now();
      const list = await pool.search(probe, options);
      latencies.push(performance.now() - t0);
      if ((list[0]?.score ?? 0) >= threshold) falsePositives++;
    }
    latencies.sort((a, b) => a - b);
    return {
      enrolled: o.enrolled,
      fingers: 1,
      matedProbes: o.probes,
      nonMatedProbes: o.probes,
      threads,
      threshold,
      rank1: rank1 / o.probes,
      mateInList: inList / o.probes,
      fpir: falsePositives / o.probes,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP95Ms: percentile(latencies, 0.95),
      buildSeconds,
      postings: stats.postings,
      ...memoryFigures(),
    };
  } finally {
    await pool.close();
  }
}

/** The fingers of synthetic person `person`, impression `impression`. */
function syntheticPerson(
  seed: number,
  person: number,
  impression: number,
  positions: readonly number[],
): PersonFinger[] {
  return positions.map((position) => ({
    position,
    template: synthesizePersonFingerTemplate(seed, person, position, impression),
  }));
}

async function enrolPersons(
  pool: PersonIdentificationPool,
  seed: number,
  persons: readonly number[],
  impressions: readonly number[],
  positions: readonly number[],
): Promise<void> {
  const batch = Math.max(1, Math.floor(BATCH / positions.length));
  for (let s = 0; s < persons.length; s += batch) {
    await pool.addSynthetic(
      seed,
      persons.slice(s, s + batch),
      impressions.slice(s, s + batch),
      positions,
    );
  }
}

/** Searches each probe alone (so its latency is its own) and returns the lists. */
async function timedSearches(
  pool: PersonIdentificationPool,
  probes: readonly (readonly PersonFinger[])[],
  options: { readonly candidates?: number; readonly limit: number },
  latencies: number[],
  cpu: number[],
): Promise<PersonCandidate[][]> {
  const out: PersonCandidate[][] = [];
  for (const probe of probes) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    out.push(await pool.search(probe, options));
    latencies.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return out;
}

async function identifyBenchPersons(
  o: IdentifyBenchOptions,
  fingers: number,
): Promise<IdentifyBenchResult> {
  const threads = o.threads ?? 2;
  const seed = o.seed ?? 1;
  const log = o.log ?? (() => undefined);
  const fpirTarget = o.fpirTarget ?? 0.01;
  const threshold = fpirTarget / o.enrolled;
  const positions = ENROLMENT_FINGER_ORDER.slice(0, fingers);
  const pool = new PersonIdentificationPool(threads);
  try {
    const started = performance.now();
    const persons = Array.from({ length: o.enrolled }, (_, i) => i);
    await enrolPersons(pool, seed, persons, new Array<number>(o.enrolled).fill(0), positions);
    await pool.seal();
    const buildSeconds = (performance.now() - started) / 1000;
    const stats = await pool.stats();
    log(
      `enrolled ${stats.persons} persons x ${fingers} fingers (${stats.postings} postings) in ${buildSeconds.toFixed(1)} s`,
    );
    const options = { candidates: o.candidates, limit: 5 };
    for (let w = 0; w < 5; w++) await pool.search(syntheticPerson(seed, w, 2, positions), options);
    const step = Math.max(1, Math.floor(o.enrolled / o.probes));
    const matedPersons = Array.from({ length: o.probes }, (_, q) => (q * step) % o.enrolled);
    const latencies: number[] = [];
    const cpu: number[] = [];
    const mated = await timedSearches(
      pool,
      matedPersons.map((p) => syntheticPerson(seed, p, 1, positions)),
      options,
      latencies,
      cpu,
    );
    log(`searched ${o.probes} mated probes`);
    const nonMated = await timedSearches(
      pool,
      Array.from({ length: o.probes }, (_, q) =>
        syntheticPerson(seed, o.enrolled + q, 1, positions),
      ),
      options,
      latencies,
      cpu,
    );
    log(`searched ${o.probes} non-mated probes`);
    // A disjoint set of non-mated probes fixes the empirical threshold (NIST's way: the
    // threshold is read off non-mated searches, then applied to others).
    const calibration = await timedSearches(
      pool,
      Array.from({ length: o.probes }, (_, q) =>
        syntheticPerson(seed, o.enrolled + o.probes + q, 1, positions),
      ),
      options,
      [],
      [],
    );
    const topFmr = (list: readonly PersonCandidate[]) => list[0]?.fusedFmr ?? 1;
    const calibrationTop = calibration.map(topFmr).sort((a, b) => a - b);
    // The largest fused FMR that at most fpirTarget of the calibration searches go under.
    const allowed = Math.floor(fpirTarget * calibrationTop.length);
    const empiricalThreshold = (calibrationTop[allowed] ?? 1) * (1 - 1e-9);
    const rankOne = (t: number) =>
      mated.filter((list, q) => list[0]?.entry === matedPersons[q] && topFmr(list) <= t).length /
      o.probes;
    const falseRate = (t: number) => nonMated.filter((list) => topFmr(list) <= t).length / o.probes;
    latencies.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    return {
      enrolled: o.enrolled,
      fingers,
      matedProbes: o.probes,
      nonMatedProbes: o.probes,
      threads,
      threshold,
      rank1: rankOne(threshold),
      mateInList:
        mated.filter((list, q) => list.some((c) => c.entry === matedPersons[q])).length / o.probes,
      fpir: falseRate(threshold),
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP95Ms: percentile(latencies, 0.95),
      cpuP50Ms: percentile(cpu, 0.5),
      cpuP95Ms: percentile(cpu, 0.95),
      empirical: {
        calibrationProbes: o.probes,
        threshold: empiricalThreshold,
        rank1: rankOne(empiricalThreshold),
        fpir: falseRate(empiricalThreshold),
      },
      buildSeconds,
      postings: stats.postings,
      ...memoryFigures(),
    };
  } finally {
    await pool.close();
  }
}

export interface DedupBenchOptions {
  readonly voters: number;
  readonly duplicates: number;
  readonly threads?: number;
  readonly seed?: number;
  /**
   * Candidates passed to the full matcher: one finger, per shard (default 16); several,
   * per record over the whole index (default 2: with four fingers a mate out-votes every
   * chance person in nearly every search).
   */
  readonly candidates?: number;
  /** Tolerance scale of the searches (several fingers; default `DEDUP_TOLERANCE_SCALE`). */
  readonly toleranceScale?: number;
  /**
   * Threshold for calling two records one person. One finger: a score (default
   * `thresholdForFmr(1e-4 / voters)`: about 1e-4 x (candidates compared) / voters false
   * pairs per search). Several: a fused FMR (default 1e-2 / voters, the rule of
   * identification at an FPIR of 1%): each search compares its few candidates, so about
   * 1e-2 x (candidates compared) / voters false pairs a search, 0.02 over a whole roll at
   * 2 candidates, where a threshold of 1e-4 / voters lost 0.4% of the true pairs.
   */
  readonly threshold?: number;
  /** Fingers per person (default 4; 1: the one-template index, as `identifyBench`). */
  readonly fingers?: number;
  readonly log?: (line: string) => void;
}

export interface DedupBenchResult {
  readonly voters: number;
  readonly duplicates: number;
  readonly fingers: number;
  readonly threshold: number;
  /** Candidates fully matched (see the option), and the searches' tolerance scale. */
  readonly candidates: number;
  readonly toleranceScale?: number;
  /** Which sweep the batch searches used (native.ts). */
  readonly sweep: 'native' | 'javascript';
  readonly pairsReported: number;
  readonly truePairsFound: number;
  readonly recall: number;
  readonly precision: number;
  /** Enrolling (synthesising and indexing) every record. */
  readonly buildSeconds: number;
  /** Everything: build and the search of every record. */
  readonly seconds: number;
  /** CPU time of the whole process (every thread) for all of it, seconds. */
  readonly cpuSeconds: number;
}

/** The roll: who each record is and which impression it holds, and the planted pairs. */
interface Roll {
  readonly people: number[];
  readonly impressions: number[];
  /** Planted pairs as a * voters + b (a < b, record numbers). */
  readonly planted: Set<number>;
}

/**
 * Records 0 .. n-d-1 are people 0 .. n-d-1 (impression 0); records n-d .. n-1 are people
 * spread over the roll enrolled a second time (impression 1).
 */
function plantRoll(n: number, d: number): Roll {
  const people: number[] = [];
  const impressions: number[] = [];
  for (let r = 0; r < n - d; r++) {
    people.push(r);
    impressions.push(0);
  }
  const spacing = Math.max(1, Math.floor((n - d) / Math.max(1, d)));
  const planted = new Set<number>();
  for (let k = 0; k < d; k++) {
    const person = (k * spacing) % (n - d);
    planted.add(person * n + (n - d + k));
    people.push(person);
    impressions.push(1);
  }
  return { people, impressions, planted };
}

function dedupResult(
  o: DedupBenchOptions,
  fingers: number,
  threshold: number,
  search: { readonly candidates: number; readonly toleranceScale?: number },
  roll: Roll,
  found: ReadonlySet<number>,
  started: number,
  buildSeconds: number,
  cpuStart: NodeJS.CpuUsage,
): DedupBenchResult {
  const cpu = process.cpuUsage(cpuStart);
  let truePairs = 0;
  for (const p of found) if (roll.planted.has(p)) truePairs++;
  const d = o.duplicates;
  return {
    voters: o.voters,
    duplicates: d,
    fingers,
    threshold,
    ...search,
    sweep: sweepEngine,
    pairsReported: found.size,
    truePairsFound: truePairs,
    recall: d === 0 ? 1 : truePairs / d,
    precision: found.size === 0 ? 1 : truePairs / found.size,
    buildSeconds,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/**
 * De-duplication of a roll against itself: `voters` records, of which `duplicates`
 * people are enrolled twice (another impression of each of their fingers). The whole
 * roll is enrolled first, then searched through the index, a batch of records at a time.
 * With several fingers each record is searched among the records before it, so each pair
 * is compared once, from its later record; with one finger, against all the others, each
 * pair reported once whichever of its two records found it.
 */
export async function dedupBench(o: DedupBenchOptions): Promise<DedupBenchResult> {
  const fingers = o.fingers ?? DEFAULT_BENCH_FINGERS;
  checkFingerCount(fingers);
  return fingers === 1 ? dedupBenchOneFinger(o) : dedupBenchPersons(o, fingers);
}

/** Searches records in batches of this many (one message per worker per batch). */
const SEARCH_BATCH = 1000;

async function dedupBenchPersons(o: DedupBenchOptions, fingers: number): Promise<DedupBenchResult> {
  const threads = o.threads ?? 2;
  const seed = o.seed ?? 2;
  const log = o.log ?? (() => undefined);
  const n = o.voters;
  const roll = plantRoll(n, o.duplicates);
  const positions = ENROLMENT_FINGER_ORDER.slice(0, fingers);
  const threshold = o.threshold ?? 1e-2 / n;
  const search = {
    candidates: o.candidates ?? 2,
    toleranceScale: o.toleranceScale ?? DEDUP_TOLERANCE_SCALE,
  };
  const pool = new PersonIdentificationPool(threads);
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  try {
    await enrolPersons(pool, seed, roll.people, roll.impressions, positions);
    await pool.seal();
    const buildSeconds = (performance.now() - started) / 1000;
    log(`enrolled ${n} records x ${fingers} fingers in ${buildSeconds.toFixed(1)} s`);
    // Each record among those before it, in the worker that holds it: every pair is
    // compared once, from its later record.
    let logged = 0;
    const pairs = await pool.deduplicate({
      ...search,
      maxFusedFmr: threshold,
      limit: 5,
      progress: (searched) => {
        if (searched - logged < 10_000 && searched < n) return;
        logged = searched;
        const at = ((performance.now() - started) / 1000).toFixed(0);
        log(`searched ${searched} records in ${at} s`);
      },
    });
    const found = new Set(
      pairs.map(
        ({ entry, candidate }) =>
          Math.min(entry, candidate.entry) * n + Math.max(entry, candidate.entry),
      ),
    );
    return dedupResult(o, fingers, threshold, search, roll, found, started, buildSeconds, cpuStart);
  } finally {
    await pool.close();
  }
}

async function dedupBenchOneFinger(o: DedupBenchOptions): Promise<DedupBenchResult> {
  const threads = o.threads ?? 2;
  const seed = o.seed ?? 2;
  const log = o.log ?? (() => undefined);
  const n = o.voters;
  const roll = plantRoll(n, o.duplicates);
  const threshold = o.threshold ?? thresholdForFmr(1e-4 / n);
  const candidates = o.candidates ?? 16;
  const pool = new IdentificationPool(threads);
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  try {
    await enrolSynthetic(pool, seed, roll.people, roll.impressions);
    await pool.seal();
    const buildSeconds = (performance.now() - started) / 1000;
    log(`enrolled ${n} records in ${buildSeconds.toFixed(1)} s`);
    const found = new Set<number>();
    for (let s = 0; s < n; s += SEARCH_BATCH) {
      const ids = Array.from({ length: Math.min(SEARCH_BATCH, n - s) }, (_, i) => s + i);
      const probes = ids.map((r) =>
        synthesizeFingerTemplate(seed, roll.people[r]!, roll.impressions[r]!),
      );
      const lists = await pool.searchMany(probes, { candidates, threshold, limit: 5 }, ids);
      lists.forEach((list, i) => {
        for (const c of list) {
          found.add(Math.min(ids[i]!, c.entry) * n + Math.max(ids[i]!, c.entry));
        }
      });
    }
    return dedupResult(
      o,
      1,
      threshold,
      { candidates },
      roll,
      found,
      started,
      buildSeconds,
      cpuStart,
    );
  } finally {
    await pool.close();
  }
}
