import type { BoothContest } from '../admin/ballots/ballot-box-api.ts';

/**
 * What a voter has marked so far, contest by contest, and the rules that keep it a valid
 * ballot while they mark it (no overvote, no repeated rank), so that the server's 422 is
 * a last line of defence, not the way a voter learns the rules.
 */
export interface Marks {
  /** Option ids per contest; for ranked choice, in rank order (first choice first). */
  readonly selections: Readonly<Record<string, readonly string[]>>;
}

export const NO_MARKS: Marks = { selections: {} };

/** How many choices a contest allows: vote-for N, ranks R, or one for a yes/no measure. */
export function choicesAllowed(contest: BoothContest): number {
  switch (contest.type) {
    case 'candidate':
      return contest.voteFor ?? 1;
    case 'ranked-choice':
      return contest.ranks ?? contest.options.length;
    case 'yesno':
      return 1;
  }
}

export function selectionsOf(marks: Marks, contestId: string): readonly string[] {
  return marks.selections[contestId] ?? [];
}

export type ToggleResult = { ok: true; marks: Marks } | { ok: false; reason: 'overvote' };

/** Chooses or un-chooses an option of a vote-for-N contest; refuses an overvote. */
export function toggleCandidate(
  marks: Marks,
  contest: BoothContest,
  optionId: string,
): ToggleResult {
  const current = selectionsOf(marks, contest.contestId);
  if (current.includes(optionId)) {
    return {
      ok: true,
      marks: withSelections(
        marks,
        contest.contestId,
        current.filter((id) => id !== optionId),
      ),
    };
  }
  if (current.length >= choicesAllowed(contest)) return { ok: false, reason: 'overvote' };
  return { ok: true, marks: withSelections(marks, contest.contestId, [...current, optionId]) };
}

/** Yes or no: one or none; choosing the other answer replaces the first. */
export function chooseAnswer(marks: Marks, contest: BoothContest, optionId: string): Marks {
  const current = selectionsOf(marks, contest.contestId);
  return withSelections(marks, contest.contestId, current[0] === optionId ? [] : [optionId]);
}

/**
 * Puts `optionId` at `rank` (1-based) in a ranked-choice contest, or takes it out of the
 * ranking with `rank` undefined. A candidate holds one rank, and a rank one candidate:
 * the candidate already at that rank and those below move down one place, and the list
 * is cut at the contest's number of ranks. No gaps are left, since a skipped rank has no
 * agreed meaning across RCV jurisdictions.
 */
export function rankCandidate(
  marks: Marks,
  contest: BoothContest,
  optionId: string,
  rank: number | undefined,
): Marks {
  const without = selectionsOf(marks, contest.contestId).filter((id) => id !== optionId);
  if (rank === undefined) return withSelections(marks, contest.contestId, without);
  const at = Math.max(0, Math.min(rank - 1, without.length));
  const ranked = [...without.slice(0, at), optionId, ...without.slice(at)];
  return withSelections(marks, contest.contestId, ranked.slice(0, choicesAllowed(contest)));
}

function withSelections(marks: Marks, contestId: string, ids: readonly string[]): Marks {
  return { ...marks, selections: { ...marks.selections, [contestId]: ids } };
}

/** The body of `POST /api/booth/sessions/:id/ballots`: every contest, blank ones as []. */
export function ballotBody(
  contests: readonly BoothContest[],
  marks: Marks,
): { selections: Record<string, string[]> } {
  const selections: Record<string, string[]> = {};
  for (const contest of contests) {
    selections[contest.contestId] = [...selectionsOf(marks, contest.contestId)];
  }
  return { selections };
}
