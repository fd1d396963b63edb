import { thresholdForFmr } from '../score.ts';
import { synthesizeFingerTemplate } from '../synth/templates.ts';
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
  readonly log?: (line: string) => void;
}

export interface IdentifyBenchResult {
  readonly enrolled: number;
  readonly matedProbes: number;
  readonly nonMatedProbes: number;
  readonly threads: number;
  /** Score threshold: `thresholdForFmr(fpirTarget / enrolled)`. */
  readonly threshold: number;
  /** Mated probes whose mate is first and scores at least the threshold. */
  readonly rank1: number;
  /** Mated probes whose mate is anywhere in the returned list (any score). */
  readonly mateInList: number;
  /** Non-mated probes with any candidate at or above the threshold. */
  readonly fpir: number;
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  readonly buildSeconds: number;
  readonly postings: number;
  /** Peak resident memory of the process (all threads), bytes. */
  readonly peakRssBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
}

const BATCH = 20_000;

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

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export async function identifyBench(o: IdentifyBenchOptions): Promise<IdentifyBenchResult> {
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
    const memory = process.memoryUsage();
    return {
      enrolled: o.enrolled,
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
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external,
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
  readonly candidates?: number;
  /** Score threshold for calling two records one person (default: FMR 1e-4 / voters). */
  readonly threshold?: number;
  readonly log?: (line: string) => void;
}

export interface DedupBenchResult {
  readonly voters: number;
  readonly duplicates: number;
  readonly threshold: number;
  readonly pairsReported: number;
  readonly truePairsFound: number;
  readonly recall: number;
  readonly precision: number;
  readonly seconds: number;
}

/**
 * De-duplication of a roll against itself: `voters` records, of which `duplicates`
 * people are enrolled twice (two impressions of the same finger). Every record is
 * searched against all others; each pair scoring at least the threshold is reported once.
 */
export async function dedupBench(o: DedupBenchOptions): Promise<DedupBenchResult> {
  const threads = o.threads ?? 2;
  const seed = o.seed ?? 2;
  const log = o.log ?? (() => undefined);
  const n = o.voters;
  const d = o.duplicates;
  // Records 0 .. n-d-1 are people 0 .. n-d-1 (impression 0); records n-d .. n-1 are
  // people spread over the roll enrolled a second time (impression 1).
  const fingers: number[] = [];
  const impressions: number[] = [];
  for (let r = 0; r < n - d; r++) {
    fingers.push(r);
    impressions.push(0);
  }
  const spacing = Math.max(1, Math.floor((n - d) / Math.max(1, d)));
  const planted = new Set<number>();
  for (let k = 0; k < d; k++) {
    const person = (k * spacing) % (n - d);
    planted.add(person * n + (n - d + k));
    fingers.push(person);
    impressions.push(1);
  }
  const threshold = o.threshold ?? thresholdForFmr(1e-4 / n);
  const pool = new IdentificationPool(threads);
  const started = performance.now();
  try {
    await enrolSynthetic(pool, seed, fingers, impressions);
    await pool.seal();
    log(`enrolled ${n} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const found = new Set<number>();
    for (let s = 0; s < n; s += 1000) {
      const ids = Array.from({ length: Math.min(1000, n - s) }, (_, i) => s + i);
      const probes = ids.map((r) => synthesizeFingerTemplate(seed, fingers[r]!, impressions[r]!));
      const lists = await pool.searchMany(
        probes,
        { candidates: o.candidates ?? 16, threshold, limit: 5 },
        ids,
      );
      lists.forEach((list, i) => {
        for (const c of list) {
          const a = Math.min(ids[i]!, c.entry);
          const b = Math.max(ids[i]!, c.entry);
          found.add(a * n + b);
        }
      });
    }
    let truePairs = 0;
    for (const p of found) if (planted.has(p)) truePairs++;
    return {
      voters: n,
      duplicates: d,
      threshold,
      pairsReported: found.size,
      truePairsFound: truePairs,
      recall: d === 0 ? 1 : truePairs / d,
      precision: found.size === 0 ? 1 : truePairs / found.size,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await pool.close();
  }
}
