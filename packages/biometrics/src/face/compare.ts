import type { FaceTemplate } from './capture.ts';

/**
 * Face comparison score: 1 minus the Euclidean distance between the two dlib embeddings,
 * so higher is more alike (dlib's usual "same person" distance 0.6 is score 0.4).
 */
export function faceScore(a: FaceTemplate, b: FaceTemplate): number {
  const n = Math.min(a.dlib.length, b.dlib.length);
  if (n === 0 || a.dlib.length !== b.dlib.length) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = a.dlib[i]! - b.dlib[i]!;
    s += d * d;
  }
  return 1 - Math.sqrt(s);
}

/**
 * Calibration: score threshold and the share of impostor comparisons scoring at least
 * that much. Measured on the 7,560 impostor pairs of the calibration half of the shared
 * LFW subset (the 16 identities of even rank in sorted order); on the other half the
 * observed FMR at these thresholds was within a factor 2.3 (higher), so treat the figures
 * as order-of-magnitude, and recalibrate on the local population before a deployment
 * (README, "Score and false match rate").
 */
export const FACE_FMR_CALIBRATION: readonly (readonly [score: number, fmr: number])[] = [
  [-0.125, 1],
  [0.153, 0.5],
  [0.243, 0.2],
  [0.283, 0.1],
  [0.314, 0.05],
  [0.348, 0.02],
  [0.37, 0.01],
  [0.387, 0.005],
  [0.408, 0.002],
  [0.424, 0.001],
];
/** Exponential tail FMR = exp(A + B score), fit to the top 5% of those impostor scores. */
export const FACE_TAIL_A = 7.99;
export const FACE_TAIL_B = -34.5;
/** The rate below which no estimate is claimed: 7,560 impostor pairs cannot show more. */
export const FACE_FMR_FLOOR = 1e-6;

/** Expected false match rate when accepting every face comparison scoring at least `score`. */
export function faceScoreToFmr(score: number): number {
  const pts = FACE_FMR_CALIBRATION;
  if (Number.isNaN(score) || score <= pts[0]![0]) return 1;
  for (let k = 1; k < pts.length; k++) {
    const [s1, f1] = pts[k]!;
    if (score <= s1) {
      const [s0, f0] = pts[k - 1]!;
      const t = (score - s0) / (s1 - s0);
      return Math.exp(Math.log(f0) + t * (Math.log(f1) - Math.log(f0)));
    }
  }
  const tail = Math.exp(FACE_TAIL_A + FACE_TAIL_B * score);
  return Math.max(FACE_FMR_FLOOR, Math.min(pts[pts.length - 1]![1], tail));
}

/** The score threshold expected to give the false match rate `fmr` (e.g. 1e-3). */
export function faceThresholdForFmr(fmr: number): number {
  let lo = -1;
  let hi = 2;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (faceScoreToFmr(mid) > fmr) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Default operating point: FMR 0.1%, as FMR1000 in the evaluations. */
export const FACE_DEFAULT_FMR = 1e-3;

export interface FaceComparison {
  readonly score: number;
  /** Expected false match rate at this score (see `faceScoreToFmr`). */
  readonly fmr: number;
  /** Whether the score passes the threshold for `targetFmr`. */
  readonly match: boolean;
}

/** Compares two face templates at a target false match rate (default 0.1%). */
export function compareFaces(
  a: FaceTemplate,
  b: FaceTemplate,
  targetFmr: number = FACE_DEFAULT_FMR,
): FaceComparison {
  const score = faceScore(a, b);
  return { score, fmr: faceScoreToFmr(score), match: score >= faceThresholdForFmr(targetFmr) };
}
