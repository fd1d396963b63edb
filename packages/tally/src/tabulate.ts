import { err, InvalidInputError, ok, type Contest, type Election, type Result } from '@vigil/core';
import {
  areaKey,
  votingAreas,
  type CastVoteRecord,
  type Selection,
  type VotingArea,
  type WriteIn,
} from './cvr.ts';
import { instantRunoff, OVERVOTED, SKIPPED, type IrvResult } from './irv.ts';

/**
 * Tabulation of cast vote records against the election definition.
 *
 * The definition is compiled once into integer indices (contests, choices, voting areas,
 * ballot styles), and every record is then counted into flat `Uint32Array`s, one row of
 * slots per voting area and per ballot style: for each contest its choices, then
 * write-ins, overvotes, undervotes and ballots. Totals are the sum of the area rows.
 *
 * Overvotes and undervotes are counted in votes, as VotingWorks does, so that for every
 * contest: votes for choices + write-ins + overvotes + undervotes = ballots × vote-for.
 * An overvoted contest (more marks than allowed) gives no vote to anyone and counts
 * vote-for overvotes; a contest with k < N marks counts N − k undervotes. For ranked
 * choice the slots hold first choices (vote-for 1); the rounds are in `rankedChoice`.
 */

export interface TabulateOptions {
  /**
   * Candidate contests to count by approval voting: every mark counts, there is no
   * overvote, and a ballot with no mark is one undervote. The election definition has no
   * approval contest type, so approval is chosen at tabulation time.
   */
  readonly approval?: readonly string[];
  /** The public seed for last-resort ranked-choice tie draws (see `irv.ts`). */
  readonly tieBreakSeed?: string;
}

export interface ContestTally {
  readonly contestId: string;
  readonly type: Contest['type'] | 'approval';
  /** Ballots on which the contest appeared. */
  readonly ballots: number;
  /** Votes per candidate or measure option (first choices for ranked choice). */
  readonly votes: Readonly<Record<string, number>>;
  readonly writeIns: number;
  readonly overvotes: number;
  readonly undervotes: number;
}

export interface AreaTally {
  readonly precinctId: string;
  readonly splitId?: string;
  readonly ballots: number;
  readonly contests: readonly ContestTally[];
}

export interface BallotStyleTally {
  readonly ballotStyleId: string;
  readonly ballots: number;
  readonly contests: readonly ContestTally[];
}

export interface Tabulation {
  readonly ballots: number;
  readonly totals: readonly ContestTally[];
  readonly byArea: readonly AreaTally[];
  readonly byBallotStyle: readonly BallotStyleTally[];
  /** Write-in names as written, per contest, with their counts. */
  readonly writeInNames: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly rankedChoice: readonly IrvResult[];
}

interface CompiledContest {
  readonly contest: Contest;
  readonly index: number;
  readonly kind: ContestTally['type'];
  readonly choices: readonly string[];
  readonly choiceIndex: ReadonlyMap<string, number>;
  /** Vote-for N (1 for measures and for ranked choice's first choices). */
  readonly voteFor: number;
  readonly writeInLines: number;
  readonly ranks: number;
  /** First slot of the contest in a row. */
  readonly offset: number;
}

/** The definition compiled to indices; reuse it to tabulate several CVR sets. */
export interface CompiledElection {
  readonly election: Election;
  readonly contests: readonly CompiledContest[];
  readonly contestIndex: ReadonlyMap<string, number>;
  readonly areas: readonly VotingArea[];
  readonly areaIndex: ReadonlyMap<string, number>;
  readonly styleIndex: ReadonlyMap<string, number>;
  /** Per ballot style: its contests' indices in ballot order. */
  readonly styleContests: readonly (readonly number[])[];
  /** Per ballot style: the set of area indices that use it. */
  readonly styleAreas: readonly ReadonlySet<number>[];
  readonly slots: number;
}

export function compileElection(
  election: Election,
  options: TabulateOptions = {},
): CompiledElection {
  const approval = new Set(options.approval ?? []);
  const contests: CompiledContest[] = [];
  const contestIndex = new Map<string, number>();
  let offset = 0;
  election.contests.forEach((contest, index) => {
    const choices =
      contest.type === 'yesno'
        ? [contest.yesOption.id, contest.noOption.id]
        : contest.candidates.map((c) => c.id);
    const kind: ContestTally['type'] =
      contest.type === 'candidate' && approval.has(contest.id) ? 'approval' : contest.type;
    contests.push({
      contest,
      index,
      kind,
      choices,
      choiceIndex: new Map(choices.map((c, i) => [c, i])),
      voteFor: contest.type === 'candidate' ? contest.voteFor : 1,
      writeInLines: contest.type === 'yesno' ? 0 : contest.writeInLines,
      ranks: contest.type === 'ranked-choice' ? contest.ranks : 0,
      offset,
    });
    contestIndex.set(contest.id, index);
    offset += choices.length + 4;
  });
  const areas = votingAreas(election);
  const areaIndex = new Map(areas.map((a, i) => [areaKey(a.precinctId, a.splitId), i]));
  const styleIndex = new Map(election.ballotStyles.map((s, i) => [s.id as string, i]));
  const styleContests = election.ballotStyles.map((s) =>
    s.contestIds.map((id) => contestIndex.get(id) ?? -1).filter((i) => i >= 0),
  );
  const styleAreas = election.ballotStyles.map(
    (s) => new Set(s.precincts.map((p) => areaIndex.get(areaKey(p.precinctId, p.splitId)) ?? -1)),
  );
  return {
    election,
    contests,
    contestIndex,
    areas,
    areaIndex,
    styleIndex,
    styleContests,
    styleAreas,
    slots: offset,
  };
}

const WRITE_IN = 0;
const OVER = 1;
const UNDER = 2;
const BALLOTS = 3;

/** Tabulates `cvrs`; the first record that breaks a rule stops the count with its reason. */
export function tabulate(
  election: Election | CompiledElection,
  cvrs: readonly CastVoteRecord[],
  options: TabulateOptions = {},
): Result<Tabulation, InvalidInputError> {
  const compiled = 'contestIndex' in election ? election : compileElection(election, options);
  const { contests, slots } = compiled;
  const areaCount = compiled.areas.length;
  const styleCount = compiled.styleContests.length;
  // One row per (ballot style, area) pair actually allowed; area and style rows are sums
  // of these at the end, so each mark is one increment.
  const pairOf = new Int32Array(styleCount * areaCount).fill(-1);
  const pairs: { style: number; area: number }[] = [];
  compiled.styleAreas.forEach((areasOfStyle, style) => {
    for (const area of areasOfStyle) {
      if (area < 0) continue;
      pairOf[style * areaCount + area] = pairs.length;
      pairs.push({ style, area });
    }
  });
  const rows = new Uint32Array(Math.max(1, pairs.length) * slots);
  const pairBallots = new Uint32Array(pairs.length);
  // Precinct → (split or '' → area index), so no key string is built per record.
  const areaLookup = new Map<string, Map<string, number>>();
  compiled.areas.forEach((a, i) => {
    let m = areaLookup.get(a.precinctId);
    if (m === undefined) areaLookup.set(a.precinctId, (m = new Map<string, number>()));
    m.set(a.splitId ?? '', i);
  });
  const writeInNames = new Map<number, Map<string, number>>();
  // Ranked-choice ballots, packed: one Int32Array per contest, grown as needed.
  const ranked = new Map<number, { data: Int32Array; count: number }>();
  const seenBallots = new Set<string>();
  const marked = new Int32Array(64);

  for (let i = 0; i < cvrs.length; i++) {
    const cvr = cvrs[i];
    if (cvr === undefined) continue;
    if (seenBallots.has(cvr.ballotId)) {
      return fail(
        `cvrs[${String(i)}]`,
        `Ballot ${cvr.ballotId} has two cast vote records; each ballot must be counted once.`,
      );
    }
    seenBallots.add(cvr.ballotId);
    const style = compiled.styleIndex.get(cvr.ballotStyleId);
    if (style === undefined) {
      return fail(
        `cvrs[${String(i)}]`,
        `Ballot ${cvr.ballotId} names ballot style "${cvr.ballotStyleId}", which the election definition does not have.`,
      );
    }
    const area = areaLookup.get(cvr.precinctId)?.get(cvr.splitId ?? '');
    const pair = area === undefined ? -1 : (pairOf[style * areaCount + area] ?? -1);
    if (pair < 0) {
      return fail(
        `cvrs[${String(i)}]`,
        `Ballot ${cvr.ballotId} is from precinct ${areaKey(cvr.precinctId, cvr.splitId)}, which does not use ballot style ${cvr.ballotStyleId}; check the precinct, split and style.`,
      );
    }
    const base = pair * slots;
    pairBallots[pair] = (pairBallots[pair] ?? 0) + 1;
    const onStyle = compiled.styleContests[style] ?? [];
    let found = 0;
    for (const ci of onStyle) {
      const c = contests[ci];
      if (c === undefined) continue;
      const vote = cvr.votes[c.contest.id];
      if (vote !== undefined) found++;
      const extra = base + c.offset + c.choices.length;
      rows[extra + BALLOTS] = (rows[extra + BALLOTS] ?? 0) + 1;
      if (c.kind === 'ranked-choice') {
        const problem = countRanked(
          c,
          vote as readonly (readonly Selection[])[] | undefined,
          ranked,
          rows,
          base,
        );
        if (problem !== undefined)
          return fail(
            `cvrs[${String(i)}].votes.${c.contest.id}`,
            `Ballot ${cvr.ballotId}: ${problem}`,
          );
        continue;
      }
      const selections = (vote ?? []) as readonly Selection[];
      const k = selections.length;
      if (!isList(selections) || k > marked.length) {
        return fail(
          `cvrs[${String(i)}].votes.${c.contest.id}`,
          `Ballot ${cvr.ballotId}: the marks of contest ${c.contest.id} must be a list of at most ${String(marked.length)} selections.`,
        );
      }
      let writeIns = 0;
      for (let s = 0; s < k; s++) {
        const sel = selections[s] as unknown;
        if (typeof sel === 'string') {
          const idx = c.choiceIndex.get(sel);
          if (idx === undefined) {
            return fail(
              `cvrs[${String(i)}].votes.${c.contest.id}`,
              `Ballot ${cvr.ballotId}: "${sel}" is not a choice of contest ${c.contest.id}.`,
            );
          }
          for (let t = 0; t < s; t++) {
            if (marked[t] === idx) {
              return fail(
                `cvrs[${String(i)}].votes.${c.contest.id}`,
                `Ballot ${cvr.ballotId}: "${sel}" is marked twice in contest ${c.contest.id}.`,
              );
            }
          }
          marked[s] = idx;
        } else if (isWriteInMark(sel)) {
          writeIns++;
          if (writeIns > c.writeInLines) {
            return fail(
              `cvrs[${String(i)}].votes.${c.contest.id}`,
              c.writeInLines === 0
                ? `Ballot ${cvr.ballotId}: contest ${c.contest.id} has no write-in line, but the record has a write-in.`
                : `Ballot ${cvr.ballotId}: contest ${c.contest.id} has ${String(c.writeInLines)} write-in lines, but the record has more write-ins.`,
            );
          }
          marked[s] = -1;
        } else {
          return fail(
            `cvrs[${String(i)}].votes.${c.contest.id}`,
            `Ballot ${cvr.ballotId}: a mark must be a choice id or { "writeIn": "name" }.`,
          );
        }
      }
      if (c.kind === 'approval') {
        if (k === 0) rows[extra + UNDER] = (rows[extra + UNDER] ?? 0) + 1;
      } else if (k > c.voteFor) {
        rows[extra + OVER] = (rows[extra + OVER] ?? 0) + c.voteFor;
        continue;
      } else if (k < c.voteFor) {
        rows[extra + UNDER] = (rows[extra + UNDER] ?? 0) + c.voteFor - k;
      }
      for (let s = 0; s < k; s++) {
        const idx = marked[s] ?? -1;
        if (idx >= 0) {
          const slot = base + c.offset + idx;
          rows[slot] = (rows[slot] ?? 0) + 1;
        } else {
          rows[extra + WRITE_IN] = (rows[extra + WRITE_IN] ?? 0) + 1;
          const sel = selections[s] as WriteIn;
          let names = writeInNames.get(c.index);
          if (names === undefined) writeInNames.set(c.index, (names = new Map<string, number>()));
          const name = sel.writeIn.trim();
          names.set(name, (names.get(name) ?? 0) + 1);
        }
      }
    }
    // Every key of `votes` must be a contest of the style: look closer only when the
    // number of keys says one is not.
    let keys = 0;
    for (const _ in cvr.votes) keys++;
    if (keys !== found) {
      for (const id of Object.keys(cvr.votes)) {
        const ci = compiled.contestIndex.get(id);
        if (ci === undefined) {
          return fail(
            `cvrs[${String(i)}].votes.${id}`,
            `Ballot ${cvr.ballotId} has votes for contest "${id}", which the election definition does not have.`,
          );
        }
        if (!onStyle.includes(ci)) {
          return fail(
            `cvrs[${String(i)}].votes.${id}`,
            `Ballot ${cvr.ballotId} has votes for contest ${id}, which is not on ballot style ${cvr.ballotStyleId}.`,
          );
        }
      }
    }
  }

  const areaRows = new Uint32Array(areaCount * slots);
  const styleRows = new Uint32Array(styleCount * slots);
  const areaBallots = new Uint32Array(areaCount);
  const styleBallots = new Uint32Array(styleCount);
  pairs.forEach(({ style, area }, p) => {
    for (let s = 0; s < slots; s++) {
      const v = rows[p * slots + s] ?? 0;
      areaRows[area * slots + s] = (areaRows[area * slots + s] ?? 0) + v;
      styleRows[style * slots + s] = (styleRows[style * slots + s] ?? 0) + v;
    }
    areaBallots[area] = (areaBallots[area] ?? 0) + (pairBallots[p] ?? 0);
    styleBallots[style] = (styleBallots[style] ?? 0) + (pairBallots[p] ?? 0);
  });

  const contestTally = (row: Uint32Array, base: number, c: CompiledContest): ContestTally => {
    const votes: Record<string, number> = {};
    c.choices.forEach((id, i) => {
      votes[id] = row[base + c.offset + i] ?? 0;
    });
    const extra = base + c.offset + c.choices.length;
    return {
      contestId: c.contest.id,
      type: c.kind,
      ballots: row[extra + BALLOTS] ?? 0,
      votes,
      writeIns: row[extra + WRITE_IN] ?? 0,
      overvotes: row[extra + OVER] ?? 0,
      undervotes: row[extra + UNDER] ?? 0,
    };
  };

  const totalsRow = new Uint32Array(slots);
  for (let a = 0; a < compiled.areas.length; a++) {
    for (let s = 0; s < slots; s++)
      totalsRow[s] = (totalsRow[s] ?? 0) + (areaRows[a * slots + s] ?? 0);
  }
  const areaContests = compiled.areas.map(() => new Set<number>());
  compiled.styleAreas.forEach((areasOfStyle, style) => {
    for (const a of areasOfStyle)
      for (const ci of compiled.styleContests[style] ?? []) areaContests[a]?.add(ci);
  });

  const byArea: AreaTally[] = compiled.areas.map((area, a) => ({
    precinctId: area.precinctId,
    ...(area.splitId === undefined ? {} : { splitId: area.splitId }),
    ballots: areaBallots[a] ?? 0,
    contests: contests
      .filter((c) => areaContests[a]?.has(c.index) ?? false)
      .map((c) => contestTally(areaRows, a * slots, c)),
  }));
  const byBallotStyle: BallotStyleTally[] = compiled.election.ballotStyles.map((s, i) => ({
    ballotStyleId: s.id,
    ballots: styleBallots[i] ?? 0,
    contests: (compiled.styleContests[i] ?? []).flatMap((ci) => {
      const c = contests[ci];
      return c === undefined ? [] : [contestTally(styleRows, i * slots, c)];
    }),
  }));
  const names: Record<string, Record<string, number>> = {};
  for (const [ci, m] of writeInNames) {
    const id = contests[ci]?.contest.id;
    if (id !== undefined)
      names[id] = Object.fromEntries([...m].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)));
  }
  const rankedChoice: IrvResult[] = [];
  for (const c of contests) {
    if (c.kind !== 'ranked-choice') continue;
    const packed = ranked.get(c.index) ?? { data: new Int32Array(0), count: 0 };
    const choices = c.writeInLines > 0 ? [...c.choices, 'write-in'] : [...c.choices];
    rankedChoice.push(
      instantRunoff({
        contestId: c.contest.id,
        choices,
        ranks: c.ranks,
        rankings: packed.data,
        ballots: packed.count,
        tieBreakSeed: options.tieBreakSeed ?? '',
      }),
    );
  }
  return ok({
    ballots: cvrs.length,
    totals: contests.map((c) => contestTally(totalsRow, 0, c)),
    byArea,
    byBallotStyle,
    writeInNames: names,
    rankedChoice,
  });
}

// Not a type guard on purpose: records come from JSON, so their shape is checked, not assumed.
function isList(x: unknown): boolean {
  return Array.isArray(x);
}

function isWriteInMark(x: unknown): x is WriteIn {
  return (
    typeof x === 'object' && x !== null && typeof (x as { writeIn?: unknown }).writeIn === 'string'
  );
}

function fail(path: string, message: string): Result<never, InvalidInputError> {
  return err(new InvalidInputError(message, { path }));
}

// Counts a ranked-choice vote's first choice into the slots and packs its ranking for the
// rounds. Returns a problem sentence, or undefined.
function countRanked(
  c: CompiledContest,
  vote: readonly (readonly Selection[])[] | undefined,
  ranked: Map<number, { data: Int32Array; count: number }>,
  rows: Uint32Array,
  base: number,
): string | undefined {
  const ranks = vote ?? [];
  if (!isList(ranks)) return `the rankings of contest ${c.contest.id} must be a list of ranks.`;
  if (ranks.length > c.ranks) {
    return `contest ${c.contest.id} allows ${String(c.ranks)} ranks, but the record has ${String(ranks.length)}.`;
  }
  let packed = ranked.get(c.index);
  if (packed === undefined)
    ranked.set(c.index, (packed = { data: new Int32Array(1024 * c.ranks), count: 0 }));
  if ((packed.count + 1) * c.ranks > packed.data.length) {
    const bigger = new Int32Array(packed.data.length * 2);
    bigger.set(packed.data);
    packed.data = bigger;
  }
  const at = packed.count * c.ranks;
  const writeInCode = c.choices.length;
  for (let r = 0; r < c.ranks; r++) {
    const marks = ranks[r] ?? [];
    if (!isList(marks))
      return `rank ${String(r + 1)} of contest ${c.contest.id} must be a list of marks.`;
    let code = SKIPPED;
    for (const sel of marks as readonly unknown[]) {
      let idx: number;
      if (typeof sel === 'string') {
        const found = c.choiceIndex.get(sel);
        if (found === undefined) return `"${sel}" is not a candidate of contest ${c.contest.id}.`;
        idx = found;
      } else if (isWriteInMark(sel)) {
        if (c.writeInLines === 0)
          return `contest ${c.contest.id} has no write-in line, but the record has a write-in.`;
        idx = writeInCode;
      } else {
        return 'a mark must be a candidate id or { "writeIn": "name" }.';
      }
      code = code === SKIPPED ? idx : OVERVOTED;
    }
    packed.data[at + r] = code;
  }
  packed.count++;
  const first = packed.data[at] ?? SKIPPED;
  const extra = base + c.offset + c.choices.length;
  const slot =
    first === OVERVOTED
      ? extra + OVER
      : first === SKIPPED
        ? extra + UNDER
        : first === writeInCode
          ? extra + WRITE_IN
          : base + c.offset + first;
  rows[slot] = (rows[slot] ?? 0) + 1;
  return undefined;
}
