import type {
  BallotStyleId,
  Brand,
  CandidateId,
  ContestId,
  DistrictId,
  ElectionId,
  PartyId,
  PrecinctId,
  SplitId,
} from '../ids.ts';

/**
 * The election definition: everything a ballot, a tabulator and an auditor must agree on
 * before the first vote. It arrives as JSON (see README.md beside this file), is checked
 * by `ElectionSchema`, and is identified everywhere by the SHA-256 of its exact bytes.
 *
 * The model follows NIST SP 1500-100's vocabulary: districts are the areas a contest is
 * for, precincts (and their splits) are the smallest areas voters live in, and a ballot
 * style is the list of contests one group of precincts or splits votes on.
 */
export interface Election {
  readonly id: ElectionId;
  readonly title: string;
  readonly jurisdiction: Jurisdiction;
  /** Election day as an ISO 8601 calendar date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly type: ElectionType;
  readonly districts: readonly District[];
  readonly precincts: readonly Precinct[];
  readonly parties: readonly Party[];
  readonly contests: readonly Contest[];
  readonly ballotStyles: readonly BallotStyle[];
}

export const ELECTION_TYPES = ['general', 'primary', 'special', 'runoff', 'recall'] as const;
export type ElectionType = (typeof ELECTION_TYPES)[number];

/** Who runs the election: a county clerk, say, and the state it answers to. */
export interface Jurisdiction {
  readonly name: string;
  readonly state: string;
}

/** An area a contest is for: the county, a state house district, a city, a school district. */
export interface District {
  readonly id: DistrictId;
  readonly name: string;
}

/** A precinct is either wholly inside one set of districts, or split by district lines. */
export type Precinct = UnsplitPrecinct | SplitPrecinct;

export interface UnsplitPrecinct {
  readonly id: PrecinctId;
  readonly name: string;
  /** Every district the whole precinct lies in. */
  readonly districtIds: readonly DistrictId[];
}

export interface SplitPrecinct {
  readonly id: PrecinctId;
  readonly name: string;
  /** The parts of the precinct cut by district lines; each votes on its own contests. */
  readonly splits: readonly PrecinctSplit[];
}

export interface PrecinctSplit {
  /** Unique across the whole election, not only within its precinct. */
  readonly id: SplitId;
  readonly name: string;
  readonly districtIds: readonly DistrictId[];
}

export interface Party {
  readonly id: PartyId;
  readonly name: string;
  /** Printed beside candidate names, e.g. `FED`. */
  readonly abbreviation: string;
}

/** A selection a voter can mark that is not a candidate: the yes or no of a measure. */
export type OptionId = Brand<string, 'OptionId'>;

export type Contest = CandidateContest | RankedChoiceContest | BallotMeasureContest;
export type ContestType = Contest['type'];

export interface Candidate {
  /** Unique across the whole election (candidates and measure options share one space). */
  readonly id: CandidateId;
  readonly name: string;
  /** Parties that nominated the candidate; empty for a nonpartisan candidate. */
  readonly partyIds: readonly PartyId[];
}

/** Vote for up to `voteFor` candidates (plurality, or "vote for N" for multi-seat offices). */
export interface CandidateContest {
  readonly type: 'candidate';
  readonly id: ContestId;
  readonly districtId: DistrictId;
  readonly title: string;
  /** Set only for a party's primary contest: then it appears only on that party's ballots. */
  readonly partyId?: PartyId;
  readonly voteFor: number;
  readonly candidates: readonly Candidate[];
  /** Blank lines where a voter may write a name; 0 means write-ins are not allowed. */
  readonly writeInLines: number;
}

/** Single-winner ranked-choice (instant-runoff) contest: the voter ranks up to `ranks` choices. */
export interface RankedChoiceContest {
  readonly type: 'ranked-choice';
  readonly id: ContestId;
  readonly districtId: DistrictId;
  readonly title: string;
  readonly partyId?: PartyId;
  readonly ranks: number;
  readonly candidates: readonly Candidate[];
  readonly writeInLines: number;
}

export interface BallotMeasureOption {
  readonly id: OptionId;
  /** The words printed beside the oval: "Yes", "For the levy", "Bonds, yes". */
  readonly label: string;
}

/** A yes/no question: a levy, a charter amendment, a retention. */
export interface BallotMeasureContest {
  readonly type: 'yesno';
  readonly id: ContestId;
  readonly districtId: DistrictId;
  readonly title: string;
  /** The question as printed on the ballot. */
  readonly description: string;
  readonly yesOption: BallotMeasureOption;
  readonly noOption: BallotMeasureOption;
}

/** Where a ballot style is used: a whole unsplit precinct, or one split of a split precinct. */
export interface BallotStylePrecinct {
  readonly precinctId: PrecinctId;
  /** Required when the precinct is split, forbidden when it is not. */
  readonly splitId?: SplitId;
}

/** The ballot one group of voters gets: which contests, in ballot order. */
export interface BallotStyle {
  readonly id: BallotStyleId;
  readonly precincts: readonly BallotStylePrecinct[];
  /** The contests on the ballot, in the order they are printed. */
  readonly contestIds: readonly ContestId[];
  /** For a primary: the party whose ballot this is. Absent on a nonpartisan ballot. */
  readonly partyId?: PartyId;
}

/**
 * A problem found in an election definition, for a person to fix. `path` says where,
 * in the form `contests[2].voteFor` (`(root)` for the document as a whole); `message` is
 * a sentence saying what is wrong and what to do.
 */
export interface ElectionProblem {
  readonly path: string;
  readonly message: string;
}

/** A parsed, fully checked election and the SHA-256 (hex) of the exact bytes it came from. */
export interface ParsedElection {
  readonly election: Election;
  readonly hash: string;
}
