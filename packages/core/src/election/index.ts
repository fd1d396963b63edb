export type * from './types.ts';
export { ELECTION_TYPES } from './types.ts';
export { parseElectionDefinition } from './parse.ts';
export {
  ElectionSchema,
  ElectionShapeSchema,
  ContestSchema,
  BallotStyleSchema,
  PrecinctSchema,
} from './schema.ts';
export { crossReferenceProblems, contestPartyId, type LocatedProblem } from './cross-references.ts';
export { votingAreas, isSplitPrecinct, describeVotingArea, type VotingArea } from './areas.ts';
export { formatPath, type PathSegment } from './path.ts';
export { sampleElectionPath, loadSampleElection } from './sample.ts';
