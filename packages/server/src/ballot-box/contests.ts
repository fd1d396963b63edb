import { InvalidInputError, err, ok, type Contest, type Election, type Result } from '@vigil/core';

/**
 * The contests of a ballot style as the voting booth shows them, the check of a voter's
 * selections, and the translation between the booth's marks and the ElectionGuard
 * manifest of `manifestFromElection` (@vigil/ballots): a candidate contest and a yes/no
 * measure are one contest each, a ranked-choice contest is one `one_of_m` contest per
 * rank (`<id>-rank-N`, selections `<candidate>-rank-N`), as ElectionGuard 2.0 has no
 * homomorphic ranked choice.
 */

export interface BoothOption {
  readonly optionId: string;
  readonly label: string;
  readonly party?: string;
}

export interface BoothContest {
  readonly contestId: string;
  readonly type: 'candidate' | 'yesno' | 'ranked-choice';
  readonly title: string;
  readonly description?: string;
  readonly voteFor?: number;
  readonly ranks?: number;
  readonly options: readonly BoothOption[];
  readonly writeIns?: number;
}

/** The booth's marks: for each contest, the option ids chosen (ranks in order). */
export type Marks = Readonly<Record<string, readonly string[]>>;

export interface ChosenSummary {
  readonly contestId: string;
  readonly title: string;
  /** Labels of the options chosen, in order (rank order for ranked choice). */
  readonly chosen: readonly string[];
}

/** The option ids of a yes/no measure in the booth (the definition's own ids stay inside). */
export const YES = 'yes';
export const NO = 'no';

function contestsOf(election: Election, ballotStyleId: string): readonly Contest[] | undefined {
  const style = election.ballotStyles.find((s) => s.id === ballotStyleId);
  if (style === undefined) return undefined;
  const byId = new Map(election.contests.map((c) => [c.id as string, c]));
  return style.contestIds.flatMap((id) => {
    const c = byId.get(id);
    return c === undefined ? [] : [c];
  });
}

export function boothContests(election: Election, ballotStyleId: string): BoothContest[] {
  const parties = new Map(election.parties.map((p) => [p.id as string, p.name]));
  return (contestsOf(election, ballotStyleId) ?? []).map((c): BoothContest => {
    switch (c.type) {
      case 'candidate':
      case 'ranked-choice': {
        const options = c.candidates.map((k) => {
          const party = k.partyIds
            .map((p) => parties.get(p))
            .filter((p) => p !== undefined)
            .join(', ');
          return { optionId: k.id, label: k.name, ...(party === '' ? {} : { party }) };
        });
        return {
          contestId: c.id,
          type: c.type,
          title: c.title,
          ...(c.type === 'candidate' ? { voteFor: c.voteFor } : { ranks: c.ranks }),
          options,
          ...(c.writeInLines > 0 ? { writeIns: c.writeInLines } : {}),
        };
      }
      case 'yesno':
        return {
          contestId: c.id,
          type: 'yesno',
          title: c.title,
          description: c.description,
          voteFor: 1,
          options: [
            { optionId: YES, label: c.yesOption.label },
            { optionId: NO, label: c.noOption.label },
          ],
        };
    }
  });
}

/**
 * Checks a voter's selections against the ballot style and returns the ElectionGuard
 * votes (manifest contest id → selection ids) with the marks as the paper record keeps
 * them. Refusals name the contest (`selections.<id>`) and say what to do.
 */
export function checkSelections(
  election: Election,
  ballotStyleId: string,
  selections: Marks,
): Result<{ votes: Record<string, string[]>; marks: Record<string, string[]> }, InvalidInputError> {
  const contests = contestsOf(election, ballotStyleId);
  if (contests === undefined) {
    return err(
      new InvalidInputError(`Ballot style "${ballotStyleId}" is not in the election.`, {
        path: 'ballotStyleId',
      }),
    );
  }
  const byId = new Map(contests.map((c) => [c.id as string, c]));
  const refuse = (contestId: string, message: string) =>
    err(new InvalidInputError(message, { path: `selections.${contestId}` }));
  for (const contestId of Object.keys(selections)) {
    if (!byId.has(contestId)) {
      return refuse(
        contestId,
        `Contest "${contestId}" is not on ballot style ${ballotStyleId}; send only the contests the booth session listed.`,
      );
    }
  }
  const votes: Record<string, string[]> = {};
  const marks: Record<string, string[]> = {};
  for (const c of contests) {
    const chosen = [...(selections[c.id] ?? [])];
    marks[c.id] = chosen;
    if (new Set(chosen).size !== chosen.length) {
      return refuse(
        c.id,
        c.type === 'ranked-choice'
          ? `"${c.title}": a candidate is ranked more than once; give each candidate at most one rank.`
          : `"${c.title}": an option is chosen more than once; choose each at most once.`,
      );
    }
    switch (c.type) {
      case 'candidate': {
        const unknown = chosen.find((id) => !c.candidates.some((k) => k.id === id));
        if (unknown !== undefined) {
          return refuse(
            c.id,
            `"${c.title}" has no candidate "${unknown}"; choose from the listed candidates.`,
          );
        }
        if (chosen.length > c.voteFor) {
          return refuse(
            c.id,
            `"${c.title}": ${chosen.length} candidates chosen, but vote for at most ${c.voteFor}; remove ${chosen.length - c.voteFor}.`,
          );
        }
        votes[c.id] = chosen;
        break;
      }
      case 'yesno': {
        const unknown = chosen.find((id) => id !== YES && id !== NO);
        if (unknown !== undefined) {
          return refuse(
            c.id,
            `"${c.title}": "${unknown}" is not an answer; send ["yes"], ["no"] or [].`,
          );
        }
        if (chosen.length > 1) {
          return refuse(c.id, `"${c.title}": both yes and no are chosen; choose one, or neither.`);
        }
        votes[c.id] = chosen.map((id) => (id === YES ? c.yesOption.id : c.noOption.id));
        break;
      }
      case 'ranked-choice': {
        const unknown = chosen.find((id) => !c.candidates.some((k) => k.id === id));
        if (unknown !== undefined) {
          return refuse(
            c.id,
            `"${c.title}" has no candidate "${unknown}"; rank only the listed candidates.`,
          );
        }
        if (chosen.length > c.ranks) {
          return refuse(
            c.id,
            `"${c.title}": ${chosen.length} candidates ranked, but there are only ${c.ranks} ranks; rank at most ${c.ranks}.`,
          );
        }
        for (let rank = 1; rank <= c.ranks; rank++) {
          const candidate = chosen[rank - 1];
          votes[rankContestId(c.id, rank)] =
            candidate === undefined ? [] : [rankSelectionId(candidate, rank)];
        }
        break;
      }
    }
  }
  return ok({ votes, marks });
}

export const rankContestId = (contestId: string, rank: number): string =>
  `${contestId}-rank-${rank}`;
export const rankSelectionId = (candidateId: string, rank: number): string =>
  `${candidateId}-rank-${rank}`;

/** Marks back from ElectionGuard votes (manifest contest id → selection ids marked 1). */
export function marksFromVotes(
  election: Election,
  ballotStyleId: string,
  votes: ReadonlyMap<string, readonly string[]>,
): Record<string, string[]> {
  const marks: Record<string, string[]> = {};
  for (const c of contestsOf(election, ballotStyleId) ?? []) {
    switch (c.type) {
      case 'candidate':
        marks[c.id] = [...(votes.get(c.id) ?? [])];
        break;
      case 'yesno':
        marks[c.id] = (votes.get(c.id) ?? []).map((id) => (id === c.yesOption.id ? YES : NO));
        break;
      case 'ranked-choice': {
        const ranked: string[] = [];
        for (let rank = 1; rank <= c.ranks; rank++) {
          for (const id of votes.get(rankContestId(c.id, rank)) ?? []) {
            const candidate = c.candidates.find((k) => rankSelectionId(k.id, rank) === id);
            if (candidate !== undefined) ranked.push(candidate.id);
          }
        }
        marks[c.id] = ranked;
        break;
      }
    }
  }
  return marks;
}

/** The labels of the marks, contest by contest in ballot order. */
export function summarize(
  election: Election,
  ballotStyleId: string,
  marks: Marks,
): ChosenSummary[] {
  return boothContests(election, ballotStyleId).map((c) => ({
    contestId: c.contestId,
    title: c.title,
    chosen: (marks[c.contestId] ?? []).map(
      (id) => c.options.find((o) => o.optionId === id)?.label ?? id,
    ),
  }));
}
