import type { Election } from '@vigil/core';
import type { CastVoteRecord, ContestVote, Selection } from './cvr.ts';
import { seededRandom } from './stats.ts';

/**
 * Synthetic cast vote records for tests, benchmarks and demonstrations: every ballot is
 * valid for the definition, with a sprinkling of blank, overvoted and write-in contests.
 * Seeded, so the same seed gives the same records.
 */
export function syntheticCvrs(election: Election, count: number, seed = 1): CastVoteRecord[] {
  const random = seededRandom(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const contests = new Map(election.contests.map((c) => [c.id as string, c]));
  const out: CastVoteRecord[] = new Array<CastVoteRecord>(count);
  for (let i = 0; i < count; i++) {
    const style = election.ballotStyles[pick(election.ballotStyles.length)];
    if (style === undefined) throw new Error('the election has no ballot style');
    const area = style.precincts[pick(style.precincts.length)];
    if (area === undefined) throw new Error(`ballot style ${style.id} is used nowhere`);
    const votes: Record<string, ContestVote> = {};
    for (const id of style.contestIds) {
      const c = contests.get(id);
      if (c === undefined) continue;
      const roll = random();
      if (roll < 0.03) {
        votes[id] = [];
        continue;
      }
      switch (c.type) {
        case 'yesno':
          votes[id] =
            roll < 0.04
              ? [c.yesOption.id, c.noOption.id]
              : [random() < 0.55 ? c.yesOption.id : c.noOption.id];
          break;
        case 'candidate': {
          const ids = c.candidates.map((x) => x.id as string);
          const marks: Selection[] = [];
          const wanted = roll < 0.05 ? Math.min(c.voteFor + 1, ids.length) : 1 + pick(c.voteFor);
          // Skew towards the first candidates so contests have clear winners.
          while (marks.length < wanted) {
            const candidate = ids[Math.min(pick(ids.length), pick(ids.length))] ?? '';
            if (!marks.includes(candidate)) marks.push(candidate);
          }
          if (c.writeInLines > 0 && roll > 0.99)
            marks[0] = { writeIn: random() < 0.5 ? 'Ada Lovelace' : 'Grace Hopper' };
          votes[id] = marks;
          break;
        }
        case 'ranked-choice': {
          const ids = c.candidates.map((x) => x.id as string);
          const order = [...ids].sort(() => random() - 0.5);
          const depth = 1 + pick(Math.min(c.ranks, ids.length));
          votes[id] = order.slice(0, depth).map((x) => [x]);
          break;
        }
      }
    }
    out[i] = {
      ballotId: `b-${String(i + 1)}`,
      ballotStyleId: style.id,
      precinctId: area.precinctId,
      ...(area.splitId === undefined ? {} : { splitId: area.splitId }),
      votes,
    };
  }
  return out;
}
