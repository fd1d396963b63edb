import { ConflictError, err, InvalidInputError, NotFoundError, ok, type Result } from '@vigil/core';
import { bravoRisk, bravoSampleSize } from './bravo.ts';
import {
  comparisonRisk,
  comparisonSampleSize,
  DEFAULT_GAMMA,
  type BallotComparison,
} from './comparison.ts';
import { dilutedMargin, rankContest, type ReportedContest } from './contest-result.ts';
import { drawSample, type BallotManifest, type SampledBallot } from './sampler.ts';

/**
 * The state of one risk-limiting audit, round by round, as audit boards fill it in.
 * Pure values: every step returns a new state, so a service can store each one (and
 * write a ledger entry for it) and a report can be rebuilt from any of them.
 *
 * A round draws ballots (with replacement, continuing the seed's sequence), the boards
 * enter what each paper ballot shows, and closing the round measures the risk. Below the
 * risk limit the audit is over; otherwise the next round's size is estimated from what
 * was seen, and when that reaches the number of ballots the audit becomes a full hand
 * count, whose result is the result.
 */

export type AuditMethod = 'ballot-polling' | 'ballot-comparison';

export interface AuditPlan {
  readonly method: AuditMethod;
  readonly contest: ReportedContest;
  readonly riskLimit: number;
  readonly seed: string;
  readonly manifest: BallotManifest;
  /** Ballot comparison: the recorded votes of each ballot's CVR, by ballot id. */
  readonly recorded?: ReadonlyMap<string, Readonly<Record<string, number>>>;
  readonly gamma?: number;
  /** Ballot polling: the chance of finishing in each round that sizes are chosen for. */
  readonly completion?: number;
}

/** What an audit board found: the votes on the paper, or that the ballot was not found. */
export type BallotEntry =
  | { readonly kind: 'votes'; readonly votes: Readonly<Record<string, number>> }
  | { readonly kind: 'not-found' };

export interface AuditRound {
  readonly round: number;
  readonly ballots: readonly SampledBallot[];
  readonly entries: Readonly<Record<string, BallotEntry>>;
  /** Set when the round is closed. */
  readonly risk?: number;
}

export type AuditStatus = 'in-progress' | 'confirmed' | 'full-hand-count';

export interface AuditState {
  readonly plan: AuditPlan;
  readonly rounds: readonly AuditRound[];
  readonly status: AuditStatus;
  /** The size proposed for the next round. */
  readonly nextRoundSize: number;
}

/** Starts an audit with the size proposed for round 1. */
export function startAudit(plan: AuditPlan): Result<AuditState, InvalidInputError> {
  const ranked = rankContest(plan.contest);
  if (!ranked.ok) return ranked;
  const size = proposeSize(plan, []);
  if (!size.ok) return size;
  return ok({
    plan,
    rounds: [],
    status: size.value.fullCount ? 'full-hand-count' : 'in-progress',
    nextRoundSize: size.value.size,
  });
}

/** Draws round n+1's ballots (default: the proposed size). */
export function startRound(
  state: AuditState,
  size: number = state.nextRoundSize,
): Result<AuditState, VigilAuditError> {
  if (state.status !== 'in-progress')
    return err(
      new ConflictError(`The audit is over (${state.status}); no further round can start.`),
    );
  const last = state.rounds[state.rounds.length - 1];
  if (last !== undefined && last.risk === undefined) {
    return err(
      new ConflictError(
        `Round ${String(last.round)} is still open; close it before starting another.`,
      ),
    );
  }
  const drawn = state.rounds.reduce((n, r) => n + r.ballots.length, 0);
  const sample = drawSample({
    seed: state.plan.seed,
    manifest: state.plan.manifest,
    size,
    withReplacement: true,
    skip: drawn,
  });
  if (!sample.ok) return sample;
  const round: AuditRound = { round: state.rounds.length + 1, ballots: sample.value, entries: {} };
  return ok({ ...state, rounds: [...state.rounds, round] });
}

export type VigilAuditError = InvalidInputError | ConflictError | NotFoundError;

/** Records what the board found on a ballot of the open round (a later entry replaces an earlier one). */
export function recordBallot(
  state: AuditState,
  ballotId: string,
  entry: BallotEntry,
): Result<AuditState, VigilAuditError> {
  const round = state.rounds[state.rounds.length - 1];
  if (round === undefined || round.risk !== undefined)
    return err(new ConflictError('No round is open; start one first.'));
  if (!round.ballots.some((b) => b.ballotId === ballotId)) {
    return err(
      new NotFoundError(
        `Ballot ${ballotId} is not in round ${String(round.round)}'s sample; check the batch and position.`,
      ),
    );
  }
  if (entry.kind === 'votes') {
    for (const [choice, n] of Object.entries(entry.votes)) {
      if (!(choice in state.plan.contest.votes) || !(n === 0 || n === 1)) {
        return err(
          new InvalidInputError(
            `Ballot ${ballotId}: "${choice}" = ${String(n)} is not a choice of the contest marked 0 or 1.`,
          ),
        );
      }
    }
  }
  const rounds = [
    ...state.rounds.slice(0, -1),
    { ...round, entries: { ...round.entries, [ballotId]: entry } },
  ];
  return ok({ ...state, rounds });
}

/** Closes the open round: every sampled ballot must have an entry. */
export function closeRound(state: AuditState): Result<AuditState, VigilAuditError> {
  const round = state.rounds[state.rounds.length - 1];
  if (round === undefined || round.risk !== undefined)
    return err(new ConflictError('No round is open.'));
  const missing = round.ballots.filter((b) => round.entries[b.ballotId] === undefined);
  if (missing.length > 0) {
    return err(
      new ConflictError(
        `${String(missing.length)} sampled ballots have no entry yet, the first ${missing[0]?.ballotId ?? ''}; enter them before closing the round.`,
      ),
    );
  }
  const closedRounds = [...state.rounds.slice(0, -1), round];
  const risk = measureRisk(state.plan, closedRounds);
  if (!risk.ok) return risk;
  const rounds = [...state.rounds.slice(0, -1), { ...round, risk: risk.value.risk }];
  if (risk.value.confirmed) return ok({ ...state, rounds, status: 'confirmed', nextRoundSize: 0 });
  const next = proposeSize(state.plan, rounds);
  if (!next.ok) return next;
  return ok({
    ...state,
    rounds,
    status: next.value.fullCount ? 'full-hand-count' : 'in-progress',
    nextRoundSize: next.value.size,
  });
}

function allDraws(
  rounds: readonly AuditRound[],
): { ballot: SampledBallot; entry: BallotEntry | undefined }[] {
  return rounds.flatMap((r) =>
    r.ballots.map((ballot) => ({
      ballot,
      entry: r.entries[ballot.ballotId] ?? entryInEarlierRound(rounds, ballot.ballotId),
    })),
  );
}

function entryInEarlierRound(
  rounds: readonly AuditRound[],
  ballotId: string,
): BallotEntry | undefined {
  for (const r of rounds) {
    const e = r.entries[ballotId];
    if (e !== undefined) return e;
  }
  return undefined;
}

function measureRisk(
  plan: AuditPlan,
  rounds: readonly AuditRound[],
): Result<{ risk: number; confirmed: boolean }, InvalidInputError> {
  const draws = allDraws(rounds);
  const ranked = rankContest(plan.contest);
  if (!ranked.ok) return ranked;
  if (plan.method === 'ballot-polling') {
    const tally: Record<string, number> = {};
    const bestLoser = ranked.value.losers[0] ?? '';
    for (const { entry } of draws) {
      // A ballot that cannot be found counts, conservatively, as a vote for the strongest loser.
      const votes = entry?.kind === 'votes' ? entry.votes : { [bestLoser]: 1 };
      for (const [choice, n] of Object.entries(votes)) tally[choice] = (tally[choice] ?? 0) + n;
    }
    const distinct = new Set(draws.map((d) => d.ballot.ballotId)).size;
    const r = bravoRisk(
      plan.contest,
      plan.riskLimit,
      tally,
      distinct >= plan.contest.ballots ? distinct : draws.length,
    );
    return r.ok ? ok({ risk: r.value.risk, confirmed: r.value.confirmed }) : r;
  }
  const r = comparisonOfRounds(plan, rounds);
  return r.ok ? ok({ risk: r.value.risk, confirmed: r.value.confirmed }) : r;
}

/** The comparison audit's measure over every ballot drawn so far, one comparison per ballot. */
function comparisonOfRounds(
  plan: AuditPlan,
  rounds: readonly AuditRound[],
): ReturnType<typeof comparisonRisk> {
  const byBallot = new Map<string, BallotComparison>();
  for (const { ballot, entry } of allDraws(rounds)) {
    const prev = byBallot.get(ballot.ballotId);
    byBallot.set(ballot.ballotId, {
      recorded: plan.recorded?.get(ballot.ballotId),
      audited: entry?.kind === 'votes' ? entry.votes : undefined,
      timesSampled: (prev?.timesSampled ?? 0) + 1,
    });
  }
  return comparisonRisk(
    plan.contest,
    plan.riskLimit,
    [...byBallot.values()],
    plan.gamma ?? DEFAULT_GAMMA,
  );
}

function proposeSize(
  plan: AuditPlan,
  rounds: readonly AuditRound[],
): Result<{ size: number; fullCount: boolean }, InvalidInputError> {
  const drawn = rounds.reduce((n, r) => n + r.ballots.length, 0);
  const remainingBallots = plan.contest.ballots;
  const asFull = ok({ size: remainingBallots, fullCount: true });
  if (plan.method === 'ballot-polling') {
    const tally: Record<string, number> = {};
    for (const { entry } of allDraws(rounds)) {
      if (entry?.kind === 'votes')
        for (const [c, n] of Object.entries(entry.votes)) tally[c] = (tally[c] ?? 0) + n;
    }
    const answer = bravoSampleSize(plan.contest, plan.riskLimit, plan.completion ?? 0.9, tally);
    if (!answer.ok) return answer;
    if (answer.value.kind === 'full-hand-count') return asFull;
    const size = Math.max(1, answer.value.size);
    return size + drawn >= remainingBallots ? asFull : ok({ size, fullCount: false });
  }
  const ranked = rankContest(plan.contest);
  if (!ranked.ok) return ranked;
  const mu = dilutedMargin(ranked.value) ?? 0;
  if (mu <= 0) return asFull;
  const comparisons = measureCounts(plan, rounds);
  const answer = comparisonSampleSize({
    dilutedMargin: mu,
    riskLimit: plan.riskLimit,
    gamma: plan.gamma ?? DEFAULT_GAMMA,
    ...(comparisons === undefined ? {} : { observed: comparisons }),
  });
  if (!answer.ok) return answer;
  if (answer.value.kind === 'full-hand-count') return asFull;
  const size = Math.max(1, answer.value.size - drawn);
  return answer.value.size >= remainingBallots ? asFull : ok({ size, fullCount: false });
}

function measureCounts(
  plan: AuditPlan,
  rounds: readonly AuditRound[],
): { sampled: number; o1: number; o2: number; u1: number; u2: number } | undefined {
  if (rounds.length === 0) return undefined;
  const r = comparisonOfRounds(plan, rounds);
  return r.ok ? r.value.counts : undefined;
}

/** A plain-text report of the audit so far, for the audit boards and the public. */
export function auditReport(state: AuditState): string {
  const { plan } = state;
  const lines = [
    `Risk-limiting audit of ${plan.contest.id} (${plan.method}), risk limit ${String(plan.riskLimit * 100)} %`,
    `  seed ${plan.seed}; manifest of ${String(plan.manifest.totalBallots)} ballots`,
    `  reported: ${Object.entries(plan.contest.votes)
      .map(([c, v]) => `${c} ${String(v)}`)
      .join(', ')} of ${String(plan.contest.ballots)} ballots`,
  ];
  for (const r of state.rounds) {
    const entered = Object.keys(r.entries).length;
    const distinct = new Set(r.ballots.map((b) => b.ballotId)).size;
    lines.push(
      `  round ${String(r.round)}: ${String(r.ballots.length)} draws (${String(distinct)} ballots), ${String(entered)} entered` +
        (r.risk === undefined ? ', open' : `, measured risk ${r.risk.toPrecision(4)}`),
    );
  }
  const status =
    state.status === 'confirmed'
      ? 'CONFIRMED: the reported outcome stands at the risk limit.'
      : state.status === 'full-hand-count'
        ? 'FULL HAND COUNT: the risk limit was not met; count every ballot by hand, and that count is the result.'
        : `in progress; next round: ${String(state.nextRoundSize)} ballots.`;
  lines.push(`  status: ${status}`);
  return `${lines.join('\n')}\n`;
}
