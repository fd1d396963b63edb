import { createRequire } from 'node:module';

/**
 * The compiled sweep and vote count of a batch search (packages/biometrics/native/sweep.c),
 * when it was built (`npm run build:native --workspace @vigil/biometrics`, run by the root
 * `prepare`). It does what `IndexShard.scanCell` and `castVotes` do, in less time; without
 * it the JavaScript loops give the same votes. `VIGIL_NATIVE=0` turns it off, to compare.
 */
export interface NativeSweep {
  /**
   * Visits `from..to-1` of the sorted lists; writes each visit's passes to `out` from `at`
   * and where they end to `ends[v]`; returns the visit it stopped before (`to`, or earlier
   * when `out` has no room for the next visit's whole cell).
   */
  sweep(
    cellStart: Uint32Array,
    details: Uint16Array,
    postings: Uint32Array,
    cells: Uint32Array,
    accepts: Uint32Array,
    refs: Uint32Array,
    limits: Uint32Array,
    from: number,
    to: number,
    out: Uint32Array,
    at: number,
    ends: Uint32Array,
  ): number;
  /**
   * What `castVotes` (shard.ts) does for `codes[from..to)`; returns the new number of
   * templates touched.
   */
  cast(
    codes: Uint32Array,
    from: number,
    to: number,
    votes: Uint8Array,
    best: Uint8Array,
    touched: Int32Array,
    touchedCount: number,
  ): number;
  /** What `uncastVotes` (shard.ts) does for `codes[from..to)`. */
  uncast(codes: Uint32Array, from: number, to: number, votes: Uint8Array, best: Uint8Array): void;
}

function load(): NativeSweep | undefined {
  if (process.env.VIGIL_NATIVE === '0') return undefined;
  try {
    const addon = createRequire(import.meta.url)('../../native/build/Release/vigil_sweep.node') as
      NativeSweep | undefined;
    return typeof addon?.sweep === 'function' &&
      typeof addon.cast === 'function' &&
      typeof addon.uncast === 'function'
      ? addon
      : undefined;
  } catch {
    return undefined;
  }
}

export const nativeSweep: NativeSweep | undefined = load();

/** Which sweep batch searches use, for benchmarks to report. */
export const sweepEngine: 'native' | 'javascript' = nativeSweep ? 'native' : 'javascript';
