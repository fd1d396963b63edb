import { createHash } from 'node:crypto';

/**
 * Instant-runoff tabulation of one single-winner ranked-choice contest.
 *
 * Rules (those of most US jurisdictions that use RCV, e.g. Maine, 21-A M.R.S. §723-A):
 * 1. Each round, a continuing ballot counts for its highest-ranked continuing candidate.
 *    Skipped ranks are passed over; a rank that names a candidate already eliminated, or
 *    the same candidate again, is passed over; an overvoted rank reached by the count
 *    exhausts the ballot, as does running out of ranks.
 * 2. A candidate with more than half of the continuing ballots wins. With two candidates
 *    left, the one with more votes wins.
 * 3. Batch elimination: the largest group of lowest candidates whose combined votes are
 *    fewer than the votes of the next candidate up is eliminated at once, since none of
 *    them could overtake that candidate even with all the others' transfers (and at least
 *    two candidates must continue). Otherwise the single last candidate is eliminated.
 * 4. Ties for last place: the candidate with fewer votes in the most recent earlier round
 *    where the tied candidates differ is eliminated (the "previous-round" rule); if they
 *    were tied in every round, the candidate with the smallest SHA-256(seed ":" contest
 *    ":" round ":" candidate) is eliminated, where the seed is drawn in public before the
 *    count, so the draw is fixed in advance and anyone can check it.
 *    A tie between the last two candidates is broken the same way.
 */

/** Codes in a packed ranking: a choice index ≥ 0, or one of these. */
export const SKIPPED = -1;
export const OVERVOTED = -2;

export interface IrvInput {
  readonly contestId: string;
  /** Choice ids; index i is the code i in `rankings`. Write-ins share one choice. */
  readonly choices: readonly string[];
  /** How many ranks each ballot has (the stride of `rankings`). */
  readonly ranks: number;
  /** `rankings[b * ranks + r]`: the code at rank r of ballot b. */
  readonly rankings: Int32Array;
  readonly ballots: number;
  /** Public seed for the last-resort draw (rule 4). */
  readonly tieBreakSeed: string;
}

export interface IrvRound {
  readonly round: number;
  /** Votes per continuing choice this round (eliminated choices absent). */
  readonly votes: Readonly<Record<string, number>>;
  /** Ballots exhausted so far (no continuing choice left, or an overvote reached). */
  readonly exhausted: number;
  /** Choices eliminated at the end of this round (empty in the last round). */
  readonly eliminated: readonly string[];
  /** How the elimination was decided, for the report. */
  readonly reason?: 'batch' | 'lowest' | 'previous-round' | 'draw';
}

export interface IrvResult {
  readonly contestId: string;
  /** Undefined only when no ballot ranks any candidate. */
  readonly winner: string | undefined;
  readonly rounds: readonly IrvRound[];
}

export function instantRunoff(input: IrvInput): IrvResult {
  const { choices, ranks, rankings, ballots } = input;
  const n = choices.length;
  const continuing = new Uint8Array(n).fill(1);
  // current[b]: the choice the ballot counts for, or -1 once exhausted; pos[b]: its rank.
  const current = new Int32Array(ballots);
  const pos = new Int32Array(ballots);
  const advance = (b: number, from: number): void => {
    for (let r = from; r < ranks; r++) {
      const code = rankings[b * ranks + r] ?? SKIPPED;
      if (code === OVERVOTED) break;
      if (code >= 0 && continuing[code] === 1) {
        current[b] = code;
        pos[b] = r;
        return;
      }
    }
    current[b] = -1;
    pos[b] = ranks;
  };
  for (let b = 0; b < ballots; b++) advance(b, 0);

  const rounds: IrvRound[] = [];
  const history: Float64Array[] = [];
  for (let round = 1; ; round++) {
    const tally = new Float64Array(n);
    let exhausted = 0;
    for (let b = 0; b < ballots; b++) {
      const c = current[b] ?? -1;
      if (c >= 0) tally[c] = (tally[c] ?? 0) + 1;
      else exhausted++;
    }
    history.push(tally);
    const alive: number[] = [];
    for (let c = 0; c < n; c++) if (continuing[c] === 1) alive.push(c);
    const votes: Record<string, number> = {};
    let active = 0;
    for (const c of alive) {
      votes[choices[c] ?? ''] = tally[c] ?? 0;
      active += tally[c] ?? 0;
    }
    // Order: fewest votes first, ties broken by rule 4 so the order is total.
    const order = [...alive].sort((a, b) => compareForElimination(a, b, history, input, round));
    const leader = order[order.length - 1];
    if (leader === undefined || active === 0) {
      rounds.push({ round, votes, exhausted, eliminated: [] });
      return { contestId: input.contestId, winner: undefined, rounds };
    }
    if ((tally[leader] ?? 0) * 2 > active || alive.length <= 2) {
      // With two left, `order` already put the loser of a tie first (rule 4).
      rounds.push({ round, votes, exhausted, eliminated: [] });
      return { contestId: input.contestId, winner: choices[leader], rounds };
    }
    // Rule 3: the largest k ≤ alive − 2 whose k lowest sum to fewer than the (k+1)-th.
    let batch = 0;
    let sum = 0;
    for (let k = 1; k <= alive.length - 2; k++) {
      sum += tally[order[k - 1] ?? 0] ?? 0;
      if (sum < (tally[order[k] ?? 0] ?? 0)) batch = k;
    }
    let reason: IrvRound['reason'];
    let out: number[];
    if (batch > 1) {
      out = order.slice(0, batch);
      reason = 'batch';
    } else {
      const last = order[0] ?? 0;
      out = [last];
      const next = order[1];
      reason =
        next !== undefined && tally[next] === tally[last]
          ? tieReason(last, next, history)
          : 'lowest';
    }
    for (const c of out) continuing[c] = 0;
    rounds.push({ round, votes, exhausted, eliminated: out.map((c) => choices[c] ?? ''), reason });
    for (let b = 0; b < ballots; b++) {
      const c = current[b] ?? -1;
      if (c >= 0 && continuing[c] === 0) advance(b, (pos[b] ?? 0) + 1);
    }
  }
}

// Negative when a should be eliminated before b.
function compareForElimination(
  a: number,
  b: number,
  history: readonly Float64Array[],
  input: IrvInput,
  round: number,
): number {
  for (let r = history.length - 1; r >= 0; r--) {
    const t = history[r];
    if (t === undefined) continue;
    const d = (t[a] ?? 0) - (t[b] ?? 0);
    if (d !== 0) return d;
  }
  const ha = drawTicket(input, round, input.choices[a] ?? '');
  const hb = drawTicket(input, round, input.choices[b] ?? '');
  return ha < hb ? -1 : ha > hb ? 1 : 0;
}

function tieReason(a: number, b: number, history: readonly Float64Array[]): IrvRound['reason'] {
  for (let r = history.length - 2; r >= 0; r--) {
    const t = history[r];
    if (t !== undefined && t[a] !== t[b]) return 'previous-round';
  }
  return 'draw';
}

function drawTicket(input: IrvInput, round: number, choice: string): string {
  return createHash('sha256')
    .update(`${input.tieBreakSeed}:${input.contestId}:${String(round)}:${choice}`)
    .digest('hex');
}
