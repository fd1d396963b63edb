/**
 * The registry's domain types, shared by the roll (import, search), enrolment and
 * de-duplication, and check-in. Names follow the election's own words: a voter is on
 * the roll of a precinct and votes the ballot style the election definition assigns to
 * that precinct (or split).
 *
 * The voter record has one definition, in @vigil/store (`StoredVoter`), so the shape the
 * store keeps and the shape the registry hands out cannot drift apart.
 */
import type { StoredVoter } from '@vigil/store';

export type { VoterAddress, VoterStatus } from '@vigil/store';

/** One voter on the roll. Dates are ISO 8601 calendar dates (YYYY-MM-DD). */
export type Voter = StoredVoter;

/** ISO/IEC 19794-2 finger positions (1 right thumb .. 10 left little). */
export type FingerPosition = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

/** The names of the finger positions, for messages to the official (ISO/IEC 19794-2 Table 2). */
export const FINGER_NAMES: Readonly<Record<FingerPosition, string>> = {
  1: 'right thumb',
  2: 'right index finger',
  3: 'right middle finger',
  4: 'right ring finger',
  5: 'right little finger',
  6: 'left thumb',
  7: 'left index finger',
  8: 'left middle finger',
  9: 'left ring finger',
  10: 'left little finger',
};

export function isFingerPosition(value: unknown): value is FingerPosition {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10;
}
