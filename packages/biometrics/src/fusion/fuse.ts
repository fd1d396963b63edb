/**
 * Score-level fusion of independent modalities through their false match rates.
 *
 * Each matcher's score is first turned into its own calibrated false match rate (FMR):
 * the chance that an impostor scores at least this much (fingerprint: `scoreToFmr`,
 * face: `faceScoreToFmr`). FMRs are on one scale whatever the matcher, so they can be
 * combined. The rule is Fisher's method: the evidence is S = sum of -log10(FMR_i), and
 * the fused decision accepts when the fused false match rate, the chance that an
 * impostor reaches at least that evidence on all modalities at once, is at most the
 * target. If the modalities are independent for an impostor (a finger and a face are)
 * and each FMR is calibrated (uniform under impostors), the product P of the k FMRs has
 * P(product <= p) = p * sum_{j<k} (-ln p)^j / j!  (for two modalities: p (1 - ln p)).
 */

/** Lowest FMR any single modality may claim: calibration sets cannot show less. */
export const FMR_FLOOR = 1e-7;

/** One modality's evidence: -log10 of its FMR (0 = no evidence; 3 = FMR 0.1%). */
export function fmrToEvidence(fmr: number): number {
  const f = Number.isFinite(fmr) ? Math.min(1, Math.max(FMR_FLOOR, fmr)) : 1;
  return f >= 1 ? 0 : -Math.log10(f);
}

/** Chance that the product of k independent uniform FMRs is at most p. */
export function productTail(p: number, k: number): number {
  if (p >= 1) return 1;
  if (p <= 0) return 0;
  const l = -Math.log(p);
  let term = 1;
  let sum = 1;
  for (let j = 1; j < k; j++) {
    term *= l / j;
    sum += term;
  }
  return Math.min(1, p * sum);
}

export interface FusedScore {
  /** Sum of -log10(FMR) over the modalities. */
  readonly evidence: number;
  /** Expected false match rate of accepting at this evidence, all modalities together. */
  readonly fmr: number;
}

/**
 * Fuses the FMRs of independent modalities for one comparison.
 *
 * @example
 *   fuseFmrs([1e-2, 1e-2]) // { evidence: 4, fmr: 1e-4 * (1 + ln 1e4) ≈ 1.02e-3 }
 */
export function fuseFmrs(fmrs: readonly number[]): FusedScore {
  const evidence = fmrs.reduce((a, f) => a + fmrToEvidence(f), 0);
  return { evidence, fmr: productTail(10 ** -evidence, Math.max(1, fmrs.length)) };
}

/** The fused decision: accept when the fused FMR is at most `targetFmr` (e.g. 1e-4). */
export function fusedDecision(
  fmrs: readonly number[],
  targetFmr: number,
): FusedScore & { readonly match: boolean } {
  const f = fuseFmrs(fmrs);
  return { ...f, match: f.fmr <= targetFmr };
}
