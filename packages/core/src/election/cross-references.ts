import { missingCase } from '../result.ts';
import type { DistrictId, PartyId } from '../ids.ts';
import { describeVotingArea, isSplitPrecinct, type VotingArea } from './areas.ts';
import { listInWords, plural } from './describe.ts';
import { formatPath, type PathSegment } from './path.ts';
import type { Contest, Election } from './types.ts';

/** A problem with its path still as segments, to be handed to zod or formatted. */
export interface LocatedProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/**
 * Every check that needs more than one member of the election: ids, references, and the
 * rules that tie ballot styles to the map of districts. Runs on a well-shaped election
 * (the schema checks shapes first) and returns every problem found, in document order
 * within each kind of check.
 *
 * The rules for ballot styles, and why:
 * - A ballot style is used by voting areas: whole precincts, or single splits of split
 *   precincts (a split precinct must name its split, since its splits lie in different
 *   districts; that is why it is split).
 * - A contest may appear on a ballot style only if every area using the style lies in the
 *   contest's district. Otherwise some voters would vote in a contest that is not theirs.
 * - Conversely a ballot style must show every contest whose district contains any of its
 *   areas (primary contests only on their party's ballot styles). Otherwise voters would
 *   be left out of a contest that is theirs. Together the two rules mean the areas of one
 *   ballot style all vote on exactly the same contests.
 * - Every area must have a ballot style, and at most one per party (one nonpartisan), so
 *   that a poll worker always knows which single ballot to hand a voter.
 * - A party's primary contest (one with `partyId`) appears only on that party's ballot
 *   styles.
 */
export function crossReferenceProblems(election: Election): LocatedProblem[] {
  const problems: LocatedProblem[] = [];
  const report = (path: readonly PathSegment[], message: string): void => {
    problems.push({ path, message });
  };

  // Ids: the first holder of an id is the one references resolve to.
  const districts = indexById(election.districts, 'districts', 'district', report);
  const parties = indexById(election.parties, 'parties', 'party', report);
  const precincts = indexById(election.precincts, 'precincts', 'precinct', report);
  const contests = indexById(election.contests, 'contests', 'contest', report);
  indexById(election.ballotStyles, 'ballotStyles', 'ballot style', report);
  checkSplitIds(election, report);
  checkSelectionIds(election, report);

  const checkDistrictList = (ids: readonly DistrictId[], path: readonly PathSegment[]): void => {
    const seen = new Set<string>();
    ids.forEach((id, k) => {
      if (!districts.has(id)) report([...path, k], unknown('district', id, 'districts'));
      else if (seen.has(id))
        report([...path, k], `district "${id}" is listed twice; remove the repeat.`);
      seen.add(id);
    });
  };
  const checkPartyList = (ids: readonly PartyId[], path: readonly PathSegment[]): void => {
    const seen = new Set<string>();
    ids.forEach((id, k) => {
      if (!parties.has(id)) report([...path, k], unknown('party', id, 'parties'));
      else if (seen.has(id))
        report([...path, k], `party "${id}" is listed twice; remove the repeat.`);
      seen.add(id);
    });
  };

  election.precincts.forEach((precinct, i) => {
    if (isSplitPrecinct(precinct)) {
      precinct.splits.forEach((split, k) => {
        checkDistrictList(split.districtIds, ['precincts', i, 'splits', k, 'districtIds']);
      });
    } else {
      checkDistrictList(precinct.districtIds, ['precincts', i, 'districtIds']);
    }
  });

  election.contests.forEach((contest, i) => {
    const path = ['contests', i];
    if (!districts.has(contest.districtId)) {
      report([...path, 'districtId'], unknown('district', contest.districtId, 'districts'));
    }
    const partyId = contestPartyId(contest);
    if (partyId !== undefined && !parties.has(partyId)) {
      report([...path, 'partyId'], unknown('party', partyId, 'parties'));
    }
    switch (contest.type) {
      case 'candidate':
      case 'ranked-choice': {
        contest.candidates.forEach((candidate, k) => {
          checkPartyList(candidate.partyIds, [...path, 'candidates', k, 'partyIds']);
        });
        const choices = contest.candidates.length + contest.writeInLines;
        const offered =
          `${plural(contest.candidates.length, 'candidate')} and ` +
          plural(contest.writeInLines, 'write-in line');
        const [field, limit, noun] =
          contest.type === 'candidate'
            ? (['voteFor', contest.voteFor, 'vote-for'] as const)
            : (['ranks', contest.ranks, 'ranks'] as const);
        if (limit > choices) {
          report(
            [...path, field],
            `${noun} is ${limit} but the contest offers only ${plural(choices, 'choice')} ` +
              `(${offered}); lower ${field} to at most ${choices}, or add candidates.`,
          );
        }
        if (contest.writeInLines > limit) {
          report(
            [...path, 'writeInLines'],
            `there are ${plural(contest.writeInLines, 'write-in line')} but a voter may ` +
              `${contest.type === 'candidate' ? 'choose' : 'rank'} only ${limit}; use at most ` +
              `${limit} write-in lines.`,
          );
        }
        break;
      }
      case 'yesno':
        if (normalize(contest.yesOption.label) === normalize(contest.noOption.label)) {
          report(
            [...path, 'noOption', 'label'],
            `the yes and no options are both labelled "${contest.noOption.label}"; give them ` +
              `different labels so voters can tell them apart.`,
          );
        }
        break;
      default:
        missingCase(contest);
    }
  });

  // Ballot styles against the map of districts.
  interface Assignment {
    readonly styleId: string;
    readonly partyId: PartyId | undefined;
  }
  const assignments = new Map<string, Assignment[]>();
  const shownAnywhere = new Set<string>();
  const reportedMissing = new Set<string>();

  election.ballotStyles.forEach((style, i) => {
    const path = ['ballotStyles', i];
    if (style.partyId !== undefined && !parties.has(style.partyId)) {
      report([...path, 'partyId'], unknown('party', style.partyId, 'parties'));
    }

    const areas: VotingArea[] = [];
    const areaKeysHere = new Set<string>();
    style.precincts.forEach((entry, k) => {
      const entryPath = [...path, 'precincts', k];
      const precinct = precincts.get(entry.precinctId);
      if (precinct === undefined) {
        report([...entryPath, 'precinctId'], unknown('precinct', entry.precinctId, 'precincts'));
        return;
      }
      let area: VotingArea;
      if (isSplitPrecinct(precinct)) {
        const splitIds = precinct.splits.map((s) => `"${s.id}"`);
        if (entry.splitId === undefined) {
          report(
            entryPath,
            `precinct "${precinct.id}" is split, so name the split that uses this ballot ` +
              `style: add splitId (one of ${listInWords(splitIds, 10, 'or')}).`,
          );
          return;
        }
        const split = precinct.splits.find((s) => s.id === entry.splitId);
        if (split === undefined) {
          report(
            [...entryPath, 'splitId'],
            `precinct "${precinct.id}" has no split "${entry.splitId}"; use one of ` +
              `${listInWords(splitIds, 10, 'or')}.`,
          );
          return;
        }
        area = { precinctId: precinct.id, splitId: split.id, districtIds: split.districtIds };
      } else {
        if (entry.splitId !== undefined) {
          report(
            [...entryPath, 'splitId'],
            `precinct "${precinct.id}" is not split, so it has no split "${entry.splitId}"; ` +
              `remove splitId.`,
          );
          return;
        }
        area = { precinctId: precinct.id, districtIds: precinct.districtIds };
      }

      const key = areaKey(area);
      if (areaKeysHere.has(key)) {
        report(entryPath, `${describeVotingArea(area)} is listed twice; remove the repeat.`);
        return;
      }
      areaKeysHere.add(key);
      const earlier = assignments.get(key) ?? [];
      const clash = earlier.find((a) => a.partyId === style.partyId);
      if (clash !== undefined) {
        report(
          entryPath,
          `${describeVotingArea(area)} already uses ballot style "${clash.styleId}"` +
            (style.partyId === undefined
              ? '; a voter there must get exactly one ballot'
              : `, also for party "${style.partyId}"; a voter there must get exactly one ` +
                `ballot per party`) +
            ', so remove it from one of the two ballot styles.',
        );
      }
      assignments.set(key, [...earlier, { styleId: style.id, partyId: style.partyId }]);
      areas.push(area);
    });

    const shownHere = new Set<string>();
    style.contestIds.forEach((contestId, j) => {
      const contestPath = [...path, 'contestIds', j];
      if (shownHere.has(contestId)) {
        report(contestPath, `contest "${contestId}" is listed twice; remove the repeat.`);
        return;
      }
      shownHere.add(contestId);
      shownAnywhere.add(contestId);
      const contest = contests.get(contestId);
      if (contest === undefined) {
        report(contestPath, unknown('contest', contestId, 'contests'));
        return;
      }
      const contestParty = contestPartyId(contest);
      if (contestParty !== undefined && contestParty !== style.partyId) {
        report(
          contestPath,
          `contest "${contest.id}" is party "${contestParty}"'s primary contest, but this ` +
            `ballot style is ${style.partyId === undefined ? 'not for a party' : `for party "${style.partyId}"`}; ` +
            `show it only on party "${contestParty}"'s ballot styles.`,
        );
      }
      const outside = areas.filter((a) => !a.districtIds.includes(contest.districtId));
      if (outside.length > 0) {
        report(
          contestPath,
          `contest "${contest.id}" is for district "${contest.districtId}", but ` +
            `${listInWords(outside.map(describeVotingArea))} on this ballot style ` +
            `${outside.length === 1 ? 'is' : 'are'} not in that district; remove the contest ` +
            `from this ballot style, or give ${outside.length === 1 ? 'that area' : 'those areas'} ` +
            `a ballot style of ${outside.length === 1 ? 'its' : 'their'} own.`,
        );
      }
    });

    for (const contest of contests.values()) {
      if (shownHere.has(contest.id)) continue;
      const contestParty = contestPartyId(contest);
      if (contestParty !== undefined && contestParty !== style.partyId) continue;
      const inside = areas.filter((a) => a.districtIds.includes(contest.districtId));
      if (inside.length === 0) continue;
      reportedMissing.add(contest.id);
      report(
        [...path, 'contestIds'],
        `contest "${contest.id}" is missing, though ` +
          `${listInWords(inside.map(describeVotingArea))} on this ballot style ` +
          `${inside.length === 1 ? 'is' : 'are'} in its district "${contest.districtId}"; add ` +
          `"${contest.id}" to contestIds so those voters can vote in it.`,
      );
    }
  });

  election.precincts.forEach((precinct, i) => {
    if (isSplitPrecinct(precinct)) {
      precinct.splits.forEach((split, k) => {
        if (!assignments.has(areaKey({ precinctId: precinct.id, splitId: split.id }))) {
          report(
            ['precincts', i, 'splits', k],
            `split "${split.id}" of precinct "${precinct.id}" is on no ballot style, so its ` +
              `voters would get no ballot; add it to a ballot style's precincts.`,
          );
        }
      });
    } else if (!assignments.has(areaKey({ precinctId: precinct.id }))) {
      report(
        ['precincts', i],
        `precinct "${precinct.id}" is on no ballot style, so its voters would get no ballot; ` +
          `add it to a ballot style's precincts.`,
      );
    }
  });

  election.contests.forEach((contest, i) => {
    // A contest missing from ballot styles that should show it is already reported there.
    if (shownAnywhere.has(contest.id) || reportedMissing.has(contest.id)) return;
    report(
      ['contests', i],
      `contest "${contest.id}" is on no ballot style, so no one can vote in it; add it to the ` +
        `ballot styles of the precincts in district "${contest.districtId}", or remove it.`,
    );
  });

  return problems;
}

/** The party of a primary contest; measures and general-election contests have none. */
export function contestPartyId(contest: Contest): PartyId | undefined {
  switch (contest.type) {
    case 'candidate':
    case 'ranked-choice':
      return contest.partyId;
    case 'yesno':
      return undefined;
    default:
      return missingCase(contest);
  }
}

function indexById<T extends { readonly id: string }>(
  items: readonly T[],
  collection: string,
  noun: string,
  report: (path: readonly PathSegment[], message: string) => void,
): Map<string, T> {
  const byId = new Map<string, T>();
  const firstIndex = new Map<string, number>();
  items.forEach((item, i) => {
    const first = firstIndex.get(item.id);
    if (first !== undefined) {
      report(
        [collection, i, 'id'],
        `${noun} id "${item.id}" is already used by ${collection}[${first}]; give each ${noun} ` +
          `its own id.`,
      );
      return;
    }
    firstIndex.set(item.id, i);
    byId.set(item.id, item);
  });
  return byId;
}

/** Split ids are unique across the election, so a split can be named without its precinct. */
function checkSplitIds(
  election: Election,
  report: (path: readonly PathSegment[], message: string) => void,
): void {
  const seen = new Map<string, string>();
  election.precincts.forEach((precinct, i) => {
    if (!isSplitPrecinct(precinct)) return;
    precinct.splits.forEach((split, k) => {
      const first = seen.get(split.id);
      if (first !== undefined) {
        report(
          ['precincts', i, 'splits', k, 'id'],
          `split id "${split.id}" is already used by ${first}; split ids must be unique ` +
            `across the election, so rename one.`,
        );
        return;
      }
      seen.set(split.id, `precincts[${i}].splits[${k}]`);
    });
  });
}

/**
 * Candidates and measure options are the selections a voter marks; their ids are unique
 * across the whole election, because cast vote records, tallies and the encrypted ballot
 * name a selection by its id alone.
 */
function checkSelectionIds(
  election: Election,
  report: (path: readonly PathSegment[], message: string) => void,
): void {
  const seen = new Map<string, string>();
  const claim = (id: string, path: readonly PathSegment[], noun: string): void => {
    const first = seen.get(id);
    if (first !== undefined) {
      report(
        [...path, 'id'],
        `${noun} id "${id}" is already used by ${first}; candidate and option ids must be ` +
          `unique across the election, so rename one.`,
      );
      return;
    }
    seen.set(id, formatPath(path));
  };
  election.contests.forEach((contest, i) => {
    switch (contest.type) {
      case 'candidate':
      case 'ranked-choice':
        contest.candidates.forEach((candidate, k) => {
          claim(candidate.id, ['contests', i, 'candidates', k], 'candidate');
        });
        break;
      case 'yesno':
        claim(contest.yesOption.id, ['contests', i, 'yesOption'], 'option');
        claim(contest.noOption.id, ['contests', i, 'noOption'], 'option');
        break;
      default:
        missingCase(contest);
    }
  });
}

function areaKey(area: { readonly precinctId: string; readonly splitId?: string }): string {
  // Split ids are unique across the election, so a split alone identifies its area.
  return area.splitId === undefined ? `precinct:${area.precinctId}` : `split:${area.splitId}`;
}

function unknown(noun: string, id: string, collection: string): string {
  return `unknown ${noun} "${id}"; add it to ${collection}, or correct the id.`;
}

function normalize(label: string): string {
  return label.trim().toLowerCase();
}
