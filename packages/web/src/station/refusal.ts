import type { ProblemDetails } from '@vigil/server';
import type { ShownProblem } from '../api.ts';

/**
 * A check-in refusal as the registry sends it: an RFC 9457 problem with Vigil's
 * extension members (routes/registry.ts `refusalProblem`): why, where the voter must go
 * instead, and how many fingerprint attempts are left.
 */
export type CheckInProblem = ShownProblem &
  Partial<Pick<ProblemDetails, 'code' | 'reason' | 'goTo' | 'attemptsLeft'>>;

/** What the station screen offers after a refusal. */
export type NextStep =
  'retry' | 'override' | 'provisional' | 'go-elsewhere' | 'already-voted' | 'none';

/** The next step after a refusal, from its reason (CheckInRefusalReason). */
export function nextStepAfter(problem: CheckInProblem): NextStep {
  switch (problem.reason) {
    case 'no-match':
      return (problem.attemptsLeft ?? 0) > 0 ? 'retry' : 'override';
    case 'attempts-exhausted':
    case 'not-enrolled':
      return 'override';
    case 'not-on-roll':
    case 'inactive':
    case 'removed':
    case 'blocked-duplicate':
      return 'provisional';
    case 'wrong-polling-place':
      return 'go-elsewhere';
    case 'already-voted':
      return 'already-voted';
    default:
      return 'none';
  }
}

/** "Benton Square (p-102)", with the split when there is one. */
export function placeName(goTo: NonNullable<CheckInProblem['goTo']>): string {
  const split = goTo.splitName === undefined ? '' : `, ${goTo.splitName}`;
  return `${goTo.precinctName}${split} (precinct ${goTo.precinctId})`;
}
