import type { DistrictId, PrecinctId, SplitId } from '../ids.ts';
import type { Precinct, SplitPrecinct } from './types.ts';

/**
 * The smallest area that gets one ballot: an unsplit precinct, or one split of a split
 * precinct. Ballot styles are assigned to voting areas, and a contest belongs on a voting
 * area's ballot exactly when the area lies in the contest's district.
 */
export interface VotingArea {
  readonly precinctId: PrecinctId;
  readonly splitId?: SplitId;
  readonly districtIds: readonly DistrictId[];
}

export function isSplitPrecinct(precinct: Precinct): precinct is SplitPrecinct {
  return 'splits' in precinct;
}

/** The voting areas of a precinct: itself when unsplit, else each of its splits. */
export function votingAreas(precinct: Precinct): VotingArea[] {
  if (isSplitPrecinct(precinct)) {
    return precinct.splits.map((split) => ({
      precinctId: precinct.id,
      splitId: split.id,
      districtIds: split.districtIds,
    }));
  }
  return [{ precinctId: precinct.id, districtIds: precinct.districtIds }];
}

/** `precinct "p-101"` or `split "p-103-a" of precinct "p-103"`, for messages. */
export function describeVotingArea(area: {
  readonly precinctId: string;
  readonly splitId?: string | undefined;
}): string {
  return area.splitId === undefined
    ? `precinct "${area.precinctId}"`
    : `split "${area.splitId}" of precinct "${area.precinctId}"`;
}
