import { err, InvalidInputError, ok, type Result } from '@vigil/core';

/**
 * What an audit needs to know of one contest's reported result: the votes of each
 * choice, how many ballots were cast in its area (the denominator of the diluted
 * margin), and how many winners it has. Arlo calls this a "sampler contest".
 */
export interface ReportedContest {
  readonly id: string;
  /** Reported votes per choice (candidate or measure option). */
  readonly votes: Readonly<Record<string, number>>;
  /** Ballots cast in the contest's area, including blank and overvoted ones. */
  readonly ballots: number;
  /** Seats: 1 for a single-winner contest. */
  readonly numWinners: number;
}

/** A reported contest with its winners and losers in order of votes. */
export interface RankedContest extends ReportedContest {
  readonly winners: readonly string[];
  readonly losers: readonly string[];
}

/** Checks a reported contest and splits its choices into winners and losers. */
export function rankContest(contest: ReportedContest): Result<RankedContest, InvalidInputError> {
  const { votes, ballots, numWinners } = contest;
  if (!Number.isInteger(ballots) || ballots < 1) {
    return err(
      new InvalidInputError(
        `Contest ${contest.id}: the number of ballots must be a whole number of at least 1, got ${String(ballots)}.`,
      ),
    );
  }
  if (!Number.isInteger(numWinners) || numWinners < 1) {
    return err(
      new InvalidInputError(
        `Contest ${contest.id}: the number of winners must be a whole number of at least 1, got ${String(numWinners)}.`,
      ),
    );
  }
  const entries = Object.entries(votes);
  for (const [choice, count] of entries) {
    if (!Number.isInteger(count) || count < 0 || count > ballots) {
      return err(
        new InvalidInputError(
          `Contest ${contest.id}: ${choice} has ${String(count)} votes; votes must be whole numbers between 0 and the ${String(ballots)} ballots cast.`,
        ),
      );
    }
  }
  if (entries.length < 2) {
    return err(
      new InvalidInputError(
        `Contest ${contest.id}: an audit needs at least two choices with reported votes; got ${String(entries.length)}.`,
      ),
    );
  }
  // Stable order: most votes first, then by name so ties are listed the same way every run.
  const sorted = [...entries].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const winners = sorted.slice(0, numWinners).map(([c]) => c);
  const losers = sorted.slice(numWinners).map(([c]) => c);
  return ok({ ...contest, winners, losers });
}

/**
 * The smallest margin between a reported winner and a reported loser, in votes; 0 when
 * the last seat is tied, and undefined when every choice won (nothing to audit).
 */
export function smallestMargin(contest: RankedContest): number | undefined {
  if (contest.losers.length === 0) return undefined;
  let smallest = Infinity;
  for (const w of contest.winners) {
    for (const l of contest.losers) {
      smallest = Math.min(smallest, (contest.votes[w] ?? 0) - (contest.votes[l] ?? 0));
    }
  }
  return smallest;
}

/**
 * The diluted margin: the smallest winner-loser margin divided by all ballots cast in the
 * contest's area (Stark 2010, "Super-Simple Simultaneous Single-Ballot Risk-Limiting
 * Audits", §2). Undefined when there is no loser.
 */
export function dilutedMargin(contest: RankedContest): number | undefined {
  const margin = smallestMargin(contest);
  return margin === undefined ? undefined : margin / contest.ballots;
}

/** Checks a risk limit: a probability strictly between 0 and 1 (0.1 means 10 %). */
export function checkRiskLimit(riskLimit: number): Result<number, InvalidInputError> {
  if (!(riskLimit > 0 && riskLimit < 1)) {
    return err(
      new InvalidInputError(
        `The risk limit must be a probability strictly between 0 and 1 (0.1 for 10 %), got ${String(riskLimit)}.`,
      ),
    );
  }
  return ok(riskLimit);
}
