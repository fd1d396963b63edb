import { err, InvalidInputError, ok, type Result } from '@vigil/core';
import {
  checkRiskLimit,
  dilutedMargin,
  rankContest,
  type RankedContest,
  type ReportedContest,
} from './contest-result.ts';

/**
 * Ballot-comparison audits with the Kaplan-Markov bound of Stark's "Super-Simple
 * Simultaneous Single-Ballot Risk-Limiting Audits" (EVT/WOTE 2010), the method of Stark's
 * online tools, of "A Gentle Introduction to Risk-Limiting Audits" §4, of Colorado's RLA
 * software and of Arlo's `supersimple.py`.
 *
 * Each sampled paper ballot is compared with its cast vote record. The overstatement of a
 * ballot is how many votes the record moved from the reported loser to the reported
 * winner that the paper does not show: +1 or +2 (one- and two-vote overstatements), −1 or
 * −2 (understatements). With diluted margin μ, error inflation γ ≥ 1 and U = 2γ/μ, the
 * P-value after n draws (with replacement) is
 *
 *   P = Π_i (1 − 1/U) / (1 − e_i/(2γ)),   e_i the ballot's overstatement in votes,
 *
 * and the audit stops when P ≤ α.
 */

/** Stark's tools, the Gentle Introduction, Colorado and Arlo all use this γ. */
export const DEFAULT_GAMMA = 1.03905;

/** Expected rates of each kind of discrepancy per ballot (Arlo's and Stark's defaults). */
export interface DiscrepancyRates {
  /** One-vote overstatements per ballot (default 0.001). */
  readonly o1: number;
  /** Two-vote overstatements per ballot (default 0.0001). */
  readonly o2: number;
  /** One-vote understatements per ballot (default 0.001). */
  readonly u1: number;
  /** Two-vote understatements per ballot (default 0.0001). */
  readonly u2: number;
}

export const DEFAULT_RATES: DiscrepancyRates = { o1: 0.001, o2: 0.0001, u1: 0.001, u2: 0.0001 };

/** Discrepancies counted in a sample so far. */
export interface DiscrepancyCounts {
  readonly sampled: number;
  readonly o1: number;
  readonly o2: number;
  readonly u1: number;
  readonly u2: number;
}

export interface ComparisonSizeInput {
  /** The diluted margin μ: smallest winner-loser margin over all ballots, in (0, 1]. */
  readonly dilutedMargin: number;
  readonly riskLimit: number;
  readonly gamma?: number;
  /** Expected discrepancy rates; ignored when `observed` is given with a sample. */
  readonly rates?: Partial<DiscrepancyRates>;
  /** Discrepancies already found: the size is then the total needed if they continue at that rate. */
  readonly observed?: DiscrepancyCounts;
}

/**
 * Stark's `nMin`: the sample size at which the Kaplan-Markov P-value reaches α if the
 * sample shows exactly these numbers of discrepancies:
 *
 *   n = ⌈ −2γ (ln α + o1 ln(1 − 1/2γ) + o2 ln(1 − 1/γ) + u1 ln(1 + 1/2γ) + u2 ln(1 + 1/γ)) / μ ⌉
 *
 * and at least the number of discrepancies themselves.
 */
export function comparisonSizeForCounts(
  mu: number,
  riskLimit: number,
  gamma: number,
  counts: Omit<DiscrepancyCounts, 'sampled'>,
): number {
  const { o1, o2, u1, u2 } = counts;
  const n = Math.ceil(
    roundUp(
      (-2 *
        gamma *
        (Math.log(riskLimit) +
          o1 * Math.log(1 - 1 / (2 * gamma)) +
          o2 * Math.log(1 - 1 / gamma) +
          u1 * Math.log(1 + 1 / (2 * gamma)) +
          u2 * Math.log(1 + 1 / gamma))) /
        mu,
    ),
  );
  return Math.max(o1 + o2 + u1 + u2, n);
}

// Guards `ceil` against binary rounding: 27.000000000000004 is 27.
function roundUp(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-9 ? r : x;
}

/** The answer to "how many ballots should the comparison audit draw". */
export type ComparisonSizeAnswer =
  { readonly kind: 'sample'; readonly size: number } | { readonly kind: 'full-hand-count' };

/**
 * The initial sample size of a ballot-comparison audit (Stark's tool and Arlo's
 * `get_sample_sizes`): first the size n₀ at which P reaches α if discrepancies occur at
 * exactly the expected rates,
 *
 *   n₀ = ⌈ ln α / (ln(1 − μ/2γ) − r₁ ln(1 − 1/2γ) − r₂ ln(1 − 1/γ) − s₁ ln(1 + 1/2γ) − s₂ ln(1 + 1/γ)) ⌉,
 *
 * then the one-vote counts expected in n₀ rounded up to whole ballots (⌈r₁n₀⌉, ⌈s₁n₀⌉;
 * two-vote rates stay fractional, as in Stark's tool) and `nMin` of those counts. When the
 * denominator is not negative the expected discrepancies outweigh the margin: only a full
 * hand count can confirm the outcome.
 *
 * With `observed` discrepancies the rates are those seen so far, and the answer is the
 * total sample (drawn so far included) that confirms the outcome if they continue.
 */
export function comparisonSampleSize(
  input: ComparisonSizeInput,
): Result<ComparisonSizeAnswer, InvalidInputError> {
  const alpha = checkRiskLimit(input.riskLimit);
  if (!alpha.ok) return alpha;
  const mu = input.dilutedMargin;
  if (!(mu > 0 && mu <= 1)) {
    return err(
      new InvalidInputError(
        `The diluted margin must be greater than 0 and at most 1, got ${String(mu)}. A margin of 0 is a tie: only a full hand count can settle it.`,
      ),
    );
  }
  const gamma = input.gamma ?? DEFAULT_GAMMA;
  if (!(gamma >= 1) || !Number.isFinite(gamma)) {
    return err(
      new InvalidInputError(
        `The error inflation factor gamma must be at least 1, got ${String(gamma)}.`,
      ),
    );
  }
  let rates: DiscrepancyRates = { ...DEFAULT_RATES, ...input.rates };
  for (const [name, rate] of Object.entries(rates)) {
    if (!(rate >= 0 && rate < 1)) {
      return err(
        new InvalidInputError(
          `The expected rate ${name} must be at least 0 and below 1 (a fraction of ballots, e.g. 0.001), got ${String(rate)}.`,
        ),
      );
    }
  }
  const observed = input.observed;
  if (observed !== undefined && observed.sampled > 0) {
    const n = observed.sampled;
    rates = { o1: observed.o1 / n, o2: observed.o2 / n, u1: observed.u1 / n, u2: observed.u2 / n };
  }
  const { o1: r1, o2: r2, u1: s1, u2: s2 } = rates;
  const denominator =
    Math.log(1 - mu / (2 * gamma)) -
    r1 * Math.log(1 - 1 / (2 * gamma)) -
    r2 * Math.log(1 - 1 / gamma) -
    s1 * Math.log(1 + 1 / (2 * gamma)) -
    s2 * Math.log(1 + 1 / gamma);
  if (denominator >= 0) return ok({ kind: 'full-hand-count' });
  const n0 = Math.ceil(roundUp(Math.log(input.riskLimit) / denominator));
  const size = comparisonSizeForCounts(mu, input.riskLimit, gamma, {
    o1: Math.ceil(roundUp(r1 * n0)),
    o2: r2,
    u1: Math.ceil(roundUp(s1 * n0)),
    u2: s2,
  });
  return ok({ kind: 'sample', size });
}

/** What the audit board found on one sampled ballot, compared with its record. */
export interface BallotComparison {
  /** Votes per choice in the cast vote record; undefined when no record matches the ballot. */
  readonly recorded: Readonly<Record<string, number>> | undefined;
  /** Votes per choice on the paper; undefined when the paper ballot was not found. */
  readonly audited: Readonly<Record<string, number>> | undefined;
  /** How many times the ballot was drawn (sampling with replacement). */
  readonly timesSampled: number;
}

/**
 * The overstatement of one ballot for a contest: the largest, over winner-loser pairs, of
 * (recorded − audited) for the winner minus the same for the loser, weighted by that
 * pair's margin relative to the smallest margin. A missing ballot or a missing record
 * counts as the worst case, a two-vote overstatement, as Arlo does (an unfound ballot could
 * be a vote for the loser).
 */
export function ballotOverstatement(
  contest: RankedContest,
  comparison: Pick<BallotComparison, 'recorded' | 'audited'>,
): { readonly votes: number; readonly weighted: number } {
  const smallest = (dilutedMargin(contest) ?? 0) * contest.ballots;
  if (comparison.recorded === undefined || comparison.audited === undefined) {
    return { votes: 2, weighted: 2 };
  }
  let worstVotes = 0;
  let worst = -Infinity;
  for (const w of contest.winners) {
    for (const l of contest.losers) {
      const e =
        (comparison.recorded[w] ?? 0) -
        (comparison.audited[w] ?? 0) -
        ((comparison.recorded[l] ?? 0) - (comparison.audited[l] ?? 0));
      const margin = (contest.votes[w] ?? 0) - (contest.votes[l] ?? 0);
      // Relative to the tightest pair: an error in a wider pair weighs less.
      const weighted = margin === 0 ? (e > 0 ? Infinity : e) : (e * smallest) / margin;
      if (weighted > worst) {
        worst = weighted;
        worstVotes = e;
      }
    }
  }
  return worst === -Infinity ? { votes: 0, weighted: 0 } : { votes: worstVotes, weighted: worst };
}

/** The measured risk of a comparison audit and the discrepancies found. */
export interface ComparisonRisk {
  readonly risk: number;
  readonly confirmed: boolean;
  readonly counts: DiscrepancyCounts;
}

/** The Kaplan-Markov P-value of the comparisons so far (Arlo's `compute_risk`). */
export function comparisonRisk(
  reported: ReportedContest,
  riskLimit: number,
  comparisons: readonly BallotComparison[],
  gamma: number = DEFAULT_GAMMA,
): Result<ComparisonRisk, InvalidInputError> {
  const alpha = checkRiskLimit(riskLimit);
  if (!alpha.ok) return alpha;
  const ranked = rankContest(reported);
  if (!ranked.ok) return ranked;
  const contest = ranked.value;
  const mu = dilutedMargin(contest) ?? 0;
  const counts = { sampled: 0, o1: 0, o2: 0, u1: 0, u2: 0 };
  let logP = 0;
  for (const c of comparisons) {
    const { votes, weighted } = ballotOverstatement(contest, c);
    const times = c.timesSampled;
    counts.sampled += times;
    if (votes === 1) counts.o1 += times;
    else if (votes >= 2) counts.o2 += times;
    else if (votes === -1) counts.u1 += times;
    else if (votes <= -2) counts.u2 += times;
    if (mu === 0) continue;
    const factor = (1 - mu / (2 * gamma)) / (1 - weighted / (2 * gamma));
    logP += times * Math.log(factor > 0 ? factor : Infinity);
  }
  const distinct = comparisons.length;
  if (distinct >= contest.ballots) return ok({ risk: 0, confirmed: true, counts });
  const risk = mu === 0 ? 1 : Math.min(1, Math.exp(logP));
  return ok({ risk, confirmed: risk > 0 && risk <= riskLimit, counts });
}
