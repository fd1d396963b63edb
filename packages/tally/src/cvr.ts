import { isSplitPrecinct, type Election } from '@vigil/core';

/**
 * Vigil's cast vote record: what a scanner or a ballot-marking device recorded for one
 * ballot. JSON-friendly, so a CVR file is a JSON document of these.
 *
 * `votes` maps each contest on the ballot to its marks:
 * - candidate and yes/no contests: the selections marked, each a candidate id, a
 *   measure option id, or `{ "writeIn": "name as written" }`; an empty list is a blank
 *   contest (an undervote), more marks than the contest allows is an overvote;
 * - ranked-choice contests: one list per rank, first choice first, each listing what was
 *   marked at that rank (empty for a skipped rank, two or more for an overvoted rank).
 * A contest of the ballot style that is absent from `votes` is blank.
 */
export interface CastVoteRecord {
  /** The ballot's id, unique in the election (printed on the ballot, or the scanner's id). */
  readonly ballotId: string;
  readonly ballotStyleId: string;
  readonly precinctId: string;
  /** The split of a split precinct, required for those and forbidden otherwise. */
  readonly splitId?: string;
  readonly votes: Readonly<Record<string, ContestVote>>;
}

/** A write-in: the name as the voter wrote it ("" when unreadable). */
export interface WriteIn {
  readonly writeIn: string;
}

export type Selection = string | WriteIn;

/** One rank of a ranked-choice contest: what was marked at that rank. */
export type RankMarks = readonly Selection[];

export type ContestVote = readonly Selection[] | readonly RankMarks[];

/** A voting area: a whole unsplit precinct, or one split of a split precinct. */
export interface VotingArea {
  readonly precinctId: string;
  readonly splitId: string | undefined;
}

/** Every voting area of an election, in definition order, with its key `precinct` or `precinct/split`. */
export function votingAreas(election: Election): VotingArea[] {
  const areas: VotingArea[] = [];
  for (const p of election.precincts) {
    if (isSplitPrecinct(p)) {
      for (const s of p.splits) areas.push({ precinctId: p.id, splitId: s.id });
    } else {
      areas.push({ precinctId: p.id, splitId: undefined });
    }
  }
  return areas;
}

export function areaKey(precinctId: string, splitId: string | undefined): string {
  return splitId === undefined ? precinctId : `${precinctId}/${splitId}`;
}

export function isWriteIn(selection: Selection): selection is WriteIn {
  return typeof selection === 'object';
}
