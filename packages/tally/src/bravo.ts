import { err, InvalidInputError, ok, type Result } from '@vigil/core';
import {
  checkRiskLimit,
  rankContest,
  type RankedContest,
  type ReportedContest,
} from './contest-result.ts';
import { binomialQuantile, normalCdf, normalQuantile } from './stats.ts';

/**
 * BRAVO ballot-polling audits (Lindeman, Stark and Yates, "BRAVO: Ballot-polling
 * Risk-limiting Audits to Verify Outcomes", EVT/WOTE 2012; Lindeman and Stark, "A Gentle
 * Introduction to Risk-Limiting Audits", IEEE Security & Privacy 2012). Ballots are drawn
 * at random with replacement; each vote for a reported winner w multiplies the test
 * statistic of the pair (w, l) by s_wl / ½ and each vote for the loser l by (1 − s_wl) / ½,
 * where s_wl is w's reported share of the votes for w and l. The audit stops when every
 * pair's statistic reaches 1/α; the risk measured so far is 1/T.
 */

/** Votes seen in the sample so far (cumulative over rounds), per choice. */
export type SampleTally = Readonly<Record<string, number>>;

/** The outcome of a sample-size question. */
export type SampleSizeAnswer =
  | { readonly kind: 'sample'; readonly size: number; readonly probability?: number }
  /** The reported outcome is a tie or too close: only a full hand count can confirm it. */
  | { readonly kind: 'full-hand-count'; readonly size: number }
  /** Nothing to audit (no reported loser) or the sample already meets the risk limit. */
  | { readonly kind: 'none'; readonly size: 0; readonly reason: string };

interface Shares {
  readonly pw: number;
  readonly pl: number;
  readonly worstWinner: string;
  readonly bestLoser: string;
}

// The pair that is hardest to confirm: the winner with the fewest votes and the loser with
// the most, each as a fraction of all ballots (Arlo does the same for several winners).
function hardestPair(contest: RankedContest): Shares | undefined {
  const worstWinner = contest.winners[contest.winners.length - 1];
  const bestLoser = contest.losers[0];
  if (worstWinner === undefined || bestLoser === undefined) return undefined;
  return {
    pw: (contest.votes[worstWinner] ?? 0) / contest.ballots,
    pl: (contest.votes[bestLoser] ?? 0) / contest.ballots,
    worstWinner,
    bestLoser,
  };
}

/**
 * The ranked contest and its hardest pair, or the answer when no sampling formula is
 * needed: nobody lost, the reported loser is not behind (full hand count), or the
 * strongest loser has no votes at all.
 */
function contestedPair(
  reported: ReportedContest,
  riskLimit: number,
  sample: SampleTally,
): Result<
  | { readonly answer: SampleSizeAnswer }
  | { readonly contest: RankedContest; readonly shares: Shares },
  InvalidInputError
> {
  const ranked = rankContest(reported);
  if (!ranked.ok) return ranked;
  const contest = ranked.value;
  const shares = hardestPair(contest);
  if (shares === undefined)
    return ok({ answer: { kind: 'none', size: 0, reason: 'every choice won' } });
  if (shares.pw <= shares.pl) {
    return ok({ answer: { kind: 'full-hand-count', size: contest.ballots } });
  }
  if (shares.pl === 0) {
    return ok({
      answer: unopposedSize(contest, riskLimit, shares.pw, sample[shares.worstWinner] ?? 0),
    });
  }
  return ok({ contest, shares });
}

/**
 * The BRAVO test statistic T of every (winner, loser) pair given the cumulative sample,
 * as natural logarithms (a sample of thousands of ballots overflows T itself).
 */
export function bravoLogStatistics(
  contest: RankedContest,
  sample: SampleTally,
): Map<string, number> {
  const result = new Map<string, number>();
  for (const w of contest.winners) {
    for (const l of contest.losers) {
      const vw = contest.votes[w] ?? 0;
      const vl = contest.votes[l] ?? 0;
      const swl = vw + vl === 0 ? 0.5 : vw / (vw + vl);
      const nw = sample[w] ?? 0;
      const nl = sample[l] ?? 0;
      // 0 · log 0 is 0: a loser with no reported votes never weakens the statistic.
      const logT =
        (nw === 0 ? 0 : nw * Math.log(swl / 0.5)) + (nl === 0 ? 0 : nl * Math.log((1 - swl) / 0.5));
      result.set(`${w}>${l}`, logT);
    }
  }
  return result;
}

/** The risk measured by a BRAVO sample: per pair and overall (the largest). */
export interface BravoRisk {
  /** 1/T per `winner>loser` pair, capped at 1. */
  readonly pairs: Readonly<Record<string, number>>;
  /** The largest pair risk: the audit's measured risk. */
  readonly risk: number;
  /** True when every pair's risk is at most the risk limit (or all ballots were counted). */
  readonly confirmed: boolean;
}

/** Measures the risk after a round (Arlo's `compute_risk`): sampled votes are cumulative. */
export function bravoRisk(
  reported: ReportedContest,
  riskLimit: number,
  sample: SampleTally,
  ballotsSampled: number,
): Result<BravoRisk, InvalidInputError> {
  const alpha = checkRiskLimit(riskLimit);
  if (!alpha.ok) return alpha;
  const ranked = rankContest(reported);
  if (!ranked.ok) return ranked;
  const contest = ranked.value;
  const logs = bravoLogStatistics(contest, sample);
  const pairs: Record<string, number> = {};
  if (ballotsSampled >= contest.ballots) {
    // A full hand count: the result is the count itself, at no risk.
    for (const key of logs.keys()) pairs[key] = 0;
    return ok({ pairs, risk: 0, confirmed: true });
  }
  let risk = 0;
  for (const [key, logT] of logs) {
    const pairRisk = Math.min(1, Math.exp(-logT));
    pairs[key] = pairRisk;
    risk = Math.max(risk, pairRisk);
  }
  return ok({ pairs, risk, confirmed: logs.size > 0 && risk <= riskLimit });
}

/**
 * The average sample number (expected ballots to draw when the reported outcome is
 * right), from "A Gentle Introduction to Risk-Limiting Audits", §3 (the formula of
 * Arlo's `get_expected_sample_sizes`):
 *
 *   ASN ≈ (ln(1/α) + z_w / 2) / (p_w z_w + p_l z_l),  z_w = ln 2s_w,  z_l = ln(2 − 2s_w)
 *
 * with p_w, p_l the winner's and loser's shares of all ballots and s_w = p_w/(p_w + p_l).
 * With a sample already drawn, α becomes α·T (the evidence already in hand).
 */
export function bravoAsn(
  reported: ReportedContest,
  riskLimit: number,
  sample: SampleTally = {},
): Result<SampleSizeAnswer, InvalidInputError> {
  const alpha = checkRiskLimit(riskLimit);
  if (!alpha.ok) return alpha;
  const pair = contestedPair(reported, riskLimit, sample);
  if (!pair.ok) return pair;
  if ('answer' in pair.value) return ok(pair.value.answer);
  const { contest, shares } = pair.value;
  const { pw, pl } = shares;
  const sw = pw / (pw + pl);
  const zw = Math.log(2 * sw);
  const zl = Math.log(2 - 2 * sw);
  let minLogT = Infinity;
  for (const v of bravoLogStatistics(contest, sample).values()) minLogT = Math.min(minLogT, v);
  const logWeighted = Math.log(1 / riskLimit) - minLogT;
  const size = Math.ceil((logWeighted + zw / 2) / (pw * zw + pl * zl));
  if (size <= 0)
    return ok({ kind: 'none', size: 0, reason: 'the sample already meets the risk limit' });
  if (size >= contest.ballots) return ok({ kind: 'full-hand-count', size: contest.ballots });
  const probability =
    contest.numWinners === 1
      ? bravoCompletionProbability(
          riskLimit,
          pw,
          pl,
          sample[shares.worstWinner] ?? 0,
          sample[shares.bestLoser] ?? 0,
          size,
        )
      : undefined;
  return ok(
    probability === undefined ? { kind: 'sample', size } : { kind: 'sample', size, probability },
  );
}

/**
 * When the strongest loser has no reported votes, each winner vote doubles T and no other
 * ballot changes it: ⌈log2(1/α)⌉ winner votes suffice, found among ⌈that / p_w⌉ ballots on
 * average. (Arlo answers 1 ballot when the winner has every vote; this is the exact count.)
 */
function unopposedSize(
  contest: RankedContest,
  riskLimit: number,
  pw: number,
  sampledW: number,
): SampleSizeAnswer {
  const votesNeeded = Math.ceil(Math.log(1 / riskLimit) / Math.LN2 - 1e-12) - sampledW;
  if (votesNeeded <= 0)
    return { kind: 'none', size: 0, reason: 'the sample already meets the risk limit' };
  const size = Math.ceil(votesNeeded / pw);
  return size >= contest.ballots
    ? { kind: 'full-hand-count', size: contest.ballots }
    : { kind: 'sample', size, probability: pw === 1 ? 1 : 0.5 };
}

/**
 * The probability that a round of `size` ballots completes the audit when the reported
 * outcome is right, by the normal approximation to the binomial (Arlo's `expected_prob`),
 * rounded to two decimals as it is shown to people.
 */
export function bravoCompletionProbability(
  riskLimit: number,
  pw: number,
  pl: number,
  sampledW: number,
  sampledL: number,
  size: number,
): number {
  const pwl = pw + pl;
  const pw2 = pw / pwl;
  const plus = Math.log(pw2 / 0.5);
  const minus = Math.log((1 - pw2) / 0.5);
  const threshold = Math.log(1 / riskLimit) - (sampledW * plus + sampledL * minus);
  if (threshold <= 0) return 1;
  const n = size * pwl;
  const needed = (threshold - minus * n) / (plus - minus);
  const z = (needed - n * pw2) / Math.sqrt(n * pw2 * (1 - pw2));
  return Math.round(normalCdf(-z) * 100) / 100;
}

/**
 * The smallest sample that completes the audit in one round with probability at least
 * `completion` when the reported outcome is right, by the method Mark Lindeman wrote for
 * Arlo (`bravo_sample_sizes`): solve the normal approximation for n among the winner's and
 * loser's ballots, then step n up until the (1 − completion) quantile of Binomial(n, s_w)
 * winner votes, computed exactly, carries the statistic past 1/α; finally scale up by
 * 1/(p_w + p_l) for ballots that show neither.
 */
export function bravoRoundSize(
  riskLimit: number,
  pw: number,
  pl: number,
  sampledW: number,
  sampledL: number,
  completion: number,
): number {
  const pwl = pw + pl;
  const pw2 = pw / pwl;
  const pl2 = 1 - pw2;
  const plus = Math.log(pw2 / 0.5);
  const minus = Math.log(pl2 / 0.5);
  const threshold = Math.log(1 / riskLimit) - (sampledW * plus + sampledL * minus);
  if (threshold <= 0) return 0;
  const z = -normalQuantile(completion);
  // E[x] at the quantile (n s_w + z √(n s_w (1 − s_w))) equals the x that reaches the
  // threshold ((threshold − n·minus) / (plus − minus)): a quadratic in n.
  const d = pw2 * pl2;
  const f = threshold / (plus - minus);
  const g = minus / (plus - minus) + pw2;
  const qa = g * g;
  const qb = -(z * z * d + 2 * f * g);
  const qc = f * f;
  const radical = Math.sqrt(Math.max(0, qb * qb - 4 * qa * qc));
  let size = Math.floor(completion > 0.5 ? (-qb + radical) / (2 * qa) : (-qb - radical) / (2 * qa));
  size = Math.max(size, 1);
  for (;;) {
    const x = binomialQuantile(1 - completion, size, pw2);
    if (x * plus + (size - x) * minus > threshold) break;
    size += 1;
  }
  return Math.ceil(size / pwl);
}

/** Sample size for a chance `completion` of finishing in one round (e.g. 0.9). */
export function bravoSampleSize(
  reported: ReportedContest,
  riskLimit: number,
  completion: number,
  sample: SampleTally = {},
): Result<SampleSizeAnswer, InvalidInputError> {
  const alpha = checkRiskLimit(riskLimit);
  if (!alpha.ok) return alpha;
  if (!(completion > 0 && completion < 1)) {
    return err(
      new InvalidInputError(
        `The chance of completing in one round must be strictly between 0 and 1 (0.9 for 90 %), got ${String(completion)}.`,
      ),
    );
  }
  const pair = contestedPair(reported, riskLimit, sample);
  if (!pair.ok) return pair;
  if ('answer' in pair.value) return ok(pair.value.answer);
  const { contest, shares } = pair.value;
  const { pw, pl } = shares;
  const size = bravoRoundSize(
    riskLimit,
    pw,
    pl,
    sample[shares.worstWinner] ?? 0,
    sample[shares.bestLoser] ?? 0,
    completion,
  );
  if (size === 0)
    return ok({ kind: 'none', size: 0, reason: 'the sample already meets the risk limit' });
  if (size >= contest.ballots) return ok({ kind: 'full-hand-count', size: contest.ballots });
  return ok({ kind: 'sample', size, probability: completion });
}
