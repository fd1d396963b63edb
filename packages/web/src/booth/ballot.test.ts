import { describe, expect, it } from 'vitest';
import type { BoothContest } from '../admin/ballots/ballot-box-api.ts';
import {
  ballotBody,
  chooseAnswer,
  NO_MARKS,
  rankCandidate,
  selectionsOf,
  toggleCandidate,
  type Marks,
} from './ballot.ts';
import { boothText, missingTranslations } from './i18n.ts';

const commission: BoothContest = {
  contestId: 'county-commission',
  type: 'candidate',
  title: 'County Commissioner',
  voteFor: 2,
  options: ['a', 'b', 'c'].map((id) => ({ optionId: id, label: id.toUpperCase() })),
};
const mayor: BoothContest = {
  contestId: 'mayor',
  type: 'ranked-choice',
  title: 'Mayor',
  ranks: 3,
  options: ['w', 'x', 'y', 'z'].map((id) => ({ optionId: id, label: id.toUpperCase() })),
};
const levy: BoothContest = {
  contestId: 'levy',
  type: 'yesno',
  title: 'Levy',
  options: [
    { optionId: 'yes', label: 'Yes' },
    { optionId: 'no', label: 'No' },
  ],
};

function mark(marks: Marks, ...ids: string[]): Marks {
  return ids.reduce((m, id) => {
    const result = toggleCandidate(m, commission, id);
    if (!result.ok) throw new Error(`refused ${id}`);
    return result.marks;
  }, marks);
}

describe('marking a ballot in the booth', () => {
  it('refuses an overvote and keeps the marks as they were', () => {
    const two = mark(NO_MARKS, 'a', 'b');
    expect(toggleCandidate(two, commission, 'c')).toEqual({ ok: false, reason: 'overvote' });
    const unmarked = toggleCandidate(two, commission, 'a');
    expect(unmarked.ok && selectionsOf(unmarked.marks, 'county-commission')).toEqual(['b']);
  });

  it('ranks without repeats or gaps, moving the others down, cut at the number of ranks', () => {
    let m = rankCandidate(NO_MARKS, mayor, 'w', 1);
    m = rankCandidate(m, mayor, 'x', 2);
    m = rankCandidate(m, mayor, 'y', 1);
    expect(selectionsOf(m, 'mayor')).toEqual(['y', 'w', 'x']);
    m = rankCandidate(m, mayor, 'z', 2);
    expect(selectionsOf(m, 'mayor')).toEqual(['y', 'z', 'w']);
    m = rankCandidate(m, mayor, 'y', 3);
    expect(selectionsOf(m, 'mayor')).toEqual(['z', 'w', 'y']);
    m = rankCandidate(m, mayor, 'w', undefined);
    expect(selectionsOf(m, 'mayor')).toEqual(['z', 'y']);
    expect(selectionsOf(rankCandidate(m, mayor, 'x', 3), 'mayor')).toEqual(['z', 'y', 'x']);
  });

  it('answers a measure yes or no, and clears it on a second choice of the same answer', () => {
    const yes = chooseAnswer(NO_MARKS, levy, 'yes');
    expect(selectionsOf(yes, 'levy')).toEqual(['yes']);
    expect(selectionsOf(chooseAnswer(yes, levy, 'no'), 'levy')).toEqual(['no']);
    expect(selectionsOf(chooseAnswer(yes, levy, 'yes'), 'levy')).toEqual([]);
  });

  it('sends every contest of the style, blank ones as empty lists', () => {
    const m = chooseAnswer(mark(NO_MARKS, 'c'), levy, 'no');
    expect(ballotBody([commission, mayor, levy], m)).toEqual({
      selections: { 'county-commission': ['c'], mayor: [], levy: ['no'] },
    });
  });

  it('has every booth string in English and Spanish, with the placeholders filled', () => {
    expect(missingTranslations()).toEqual([]);
    expect(boothText('es')('contestOf', { n: 2, total: 7 })).toBe('Contienda 2 de 7');
    expect(boothText('en')('voteForN', { n: 2 })).toBe('Vote for up to 2.');
  });
});
