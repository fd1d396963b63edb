/**
 * Small numerical helpers for the audit mathematics: the normal quantile, binomial
 * quantiles computed exactly (in log space), and a seeded generator for simulations.
 * No dependencies, so the figures an auditor relies on come from code anyone can read.
 */

// Acklam's rational approximation of the inverse normal CDF (relative error < 1.2e-9),
// accurate enough to start the exact binomial search in `bravoSampleSize`.
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
] as const;
const B = [
  -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
] as const;
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
] as const;
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416] as const;

/** The `p` quantile of the standard normal distribution, for 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${String(p)}`);
  const low = 0.02425;
  if (p < low || p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
    const x =
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
    return p < low ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/** The standard normal CDF, through the complementary error function (W. J. Cody's bounds). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

// erfc by the Numerical Recipes Chebyshev fit (fractional error < 1.2e-7): enough for the
// rounded probabilities reported beside a sample size.
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * The `q` quantile of Binomial(n, p): the smallest k with P(X <= k) >= q (the definition
 * scipy's `binom.ppf` uses). The probabilities are summed from log-space terms, so large
 * n neither underflows nor overflows.
 */
export function binomialQuantile(q: number, n: number, p: number): number {
  if (n === 0 || p <= 0) return 0;
  if (p >= 1) return n;
  // Start at the mode, where the largest term lives, and normalise against it.
  const logRatio = Math.log(p / (1 - p));
  const terms = new Float64Array(n + 1);
  let log = n * Math.log(1 - p);
  terms[0] = log;
  let max = log;
  for (let k = 0; k < n; k++) {
    log += Math.log((n - k) / (k + 1)) + logRatio;
    terms[k + 1] = log;
    if (log > max) max = log;
  }
  let total = 0;
  for (let k = 0; k <= n; k++) total += Math.exp((terms[k] ?? 0) - max);
  const target = q * total;
  let cumulative = 0;
  for (let k = 0; k <= n; k++) {
    cumulative += Math.exp((terms[k] ?? 0) - max);
    // A relative slack of 1e-12 absorbs rounding in the sum, as scipy's own ppf does.
    if (cumulative >= target * (1 - 1e-12)) return k;
  }
  return n;
}

/**
 * A seeded pseudo-random generator (xoshiro128**, Blackman and Vigna), for simulations
 * that must give the same figures on every run. Not for drawing the audit sample, which
 * uses SHA-256 from a public seed (`sampler.ts`).
 */
export function seededRandom(seed: number): () => number {
  // splitmix32 spreads the seed over the four words of state.
  let s = seed >>> 0;
  const next32 = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = next32();
  let b = next32();
  let c = next32();
  let d = next32();
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 4294967296;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
