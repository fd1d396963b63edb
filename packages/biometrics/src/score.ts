/**
 * What a score means: the false match rate expected at a threshold, calibrated on
 * impostor comparisons that are NOT the ones accuracy is reported on (see README,
 * "Score and false match rate"). Between the calibrated points the log of the FMR is
 * interpolated linearly in the score; beyond the last point the fitted exponential tail
 * is extrapolated.
 */

/** Calibration points: score threshold and the FMR at that threshold. */
// Measured on the 2,880 impostor comparisons of FVC2002 DB4_B (synthetic SFinGe prints,
// protocol `all`) with this version of the extractor and matcher; regenerate with
// `npx tsx packages/biometrics/bench/calibrate.ts` whenever either changes.
export const FMR_CALIBRATION: readonly (readonly [score: number, fmr: number])[] = [
  [0, 1],
  [3.2, 0.5],
  [6.6, 0.2],
  [8.85, 0.1],
  [11.38, 0.05],
  [15.48, 0.0201],
  [18.15, 0.0101],
];
/**
 * Exponential tail FMR = TAIL_A * exp(-TAIL_B * score), least-squares fit of the log
 * survival of the top 5% of those impostor scores (highest seen: 34.3). It puts FMR 1% at
 * score 18.7, 0.1% at 29.2 and 0.01% at 39.8.
 */
export const TAIL_A = 0.6025;
export const TAIL_B = 0.2189;

/** Expected false match rate when accepting every comparison scoring at least `score`. */
export function scoreToFmr(score: number): number {
  const pts = FMR_CALIBRATION;
  if (score <= pts[0]![0]) return 1;
  for (let k = 1; k < pts.length; k++) {
    const [s1, f1] = pts[k]!;
    if (score <= s1) {
      const [s0, f0] = pts[k - 1]!;
      const t = (score - s0) / (s1 - s0);
      return Math.exp(Math.log(f0) + t * (Math.log(f1) - Math.log(f0)));
    }
  }
  return Math.min(pts[pts.length - 1]![1], TAIL_A * Math.exp(-TAIL_B * score));
}

/** The score threshold expected to give the false match rate `fmr` (e.g. 1e-4). */
export function thresholdForFmr(fmr: number): number {
  let lo = 0;
  let hi = 1000;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (scoreToFmr(mid) > fmr) lo = mid;
    else hi = mid;
  }
  return hi;
}
