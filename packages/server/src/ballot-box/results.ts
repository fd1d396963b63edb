import type { DecryptedTallyOrBallot, StepReport, VerificationReport } from '@vigil/ballots';
import type { Election } from '@vigil/core';
import type { PaperBallot } from '@vigil/store';
import { OVERVOTED, SKIPPED, instantRunoff, type IrvRound } from '@vigil/tally';
import { NO, YES, rankContestId, rankSelectionId } from './contests.ts';

/**
 * The published outcome: each contest's totals from the decrypted homomorphic tally
 * (ElectionGuard 2.0 §3.6), and for a ranked-choice contest the instant-runoff rounds.
 * The tally gives first choices only (each rank is its own contest in the manifest), so
 * the rounds come from the paper ballot records (the voter-verified marks of every cast
 * ballot) through @vigil/tally's `instantRunoff`; its last-resort tie-break draw is seeded
 * with the extended base hash H_E, fixed before any ballot was cast.
 */

export interface ResultOption {
  readonly optionId: string;
  readonly label: string;
  readonly votes: number;
}

export interface RankedResult {
  /** Where the rounds were counted from. */
  readonly source: 'paper-ballot-records';
  readonly ballots: number;
  readonly winner: string | null;
  readonly rounds: readonly IrvRound[];
}

export interface ContestResult {
  readonly contestId: string;
  readonly title: string;
  readonly type: 'candidate' | 'yesno' | 'ranked-choice';
  readonly options: readonly ResultOption[];
  readonly ranked?: RankedResult;
}

export interface ResultsView {
  readonly contests: readonly ContestResult[];
  readonly castCount: number;
}

export interface VerificationStepView {
  readonly id: string;
  readonly title: string;
  readonly status: 'pass' | 'fail' | 'warn' | 'skip';
  readonly detail: string;
}

export interface VerificationView {
  readonly ok: boolean;
  readonly steps: readonly VerificationStepView[];
  /** How long the verifier took (ms), and over how many ballots. */
  readonly millis: number;
  readonly ballots: number;
}

export function computeResults(input: {
  readonly election: Election;
  readonly tally: DecryptedTallyOrBallot;
  readonly castCount: number;
  readonly papers: readonly PaperBallot[];
  readonly tieBreakSeed: string;
}): ResultsView {
  const counts = new Map<string, number>();
  for (const c of input.tally.contests)
    for (const s of c.selections) counts.set(`${c.contestId}/${s.selectionId}`, s.tally);
  const votes = (contestId: string, selectionId: string): number =>
    counts.get(`${contestId}/${selectionId}`) ?? 0;

  const contests = input.election.contests.map((c): ContestResult => {
    switch (c.type) {
      case 'candidate':
        return {
          contestId: c.id,
          title: c.title,
          type: c.type,
          options: c.candidates.map((k) => ({
            optionId: k.id,
            label: k.name,
            votes: votes(c.id, k.id),
          })),
        };
      case 'yesno':
        return {
          contestId: c.id,
          title: c.title,
          type: c.type,
          options: [
            { optionId: YES, label: c.yesOption.label, votes: votes(c.id, c.yesOption.id) },
            { optionId: NO, label: c.noOption.label, votes: votes(c.id, c.noOption.id) },
          ],
        };
      case 'ranked-choice': {
        const choices = c.candidates.map((k) => k.id as string);
        const papers = input.papers.filter((p) => c.id in p.marks);
        const rankings = new Int32Array(papers.length * c.ranks).fill(SKIPPED);
        papers.forEach((p, b) => {
          (p.marks[c.id] ?? []).slice(0, c.ranks).forEach((id, r) => {
            const code = choices.indexOf(id);
            rankings[b * c.ranks + r] = code >= 0 ? code : OVERVOTED;
          });
        });
        const irv = instantRunoff({
          contestId: c.id,
          choices,
          ranks: c.ranks,
          rankings,
          ballots: papers.length,
          tieBreakSeed: input.tieBreakSeed,
        });
        return {
          contestId: c.id,
          title: c.title,
          type: c.type,
          // First choices, from the homomorphic tally of the rank-1 contest.
          options: c.candidates.map((k) => ({
            optionId: k.id,
            label: k.name,
            votes: votes(rankContestId(c.id, 1), rankSelectionId(k.id, 1)),
          })),
          ranked: {
            source: 'paper-ballot-records',
            ballots: papers.length,
            winner: irv.winner ?? null,
            rounds: irv.rounds,
          },
        };
      }
    }
  });
  return { contests, castCount: input.castCount };
}

function stepDetail(s: StepReport): string {
  if (s.failures.length > 0) return s.failures.slice(0, 5).join('; ');
  const notes = s.notes.length > 0 ? `; ${s.notes.join('; ')}` : '';
  return `${s.checked} item${s.checked === 1 ? '' : 's'} checked${notes}`;
}

export function verificationView(report: VerificationReport): VerificationView {
  return {
    ok: report.ok,
    steps: report.steps.map((s) => ({
      id: s.step,
      title: s.title,
      status: s.status,
      detail: stepDetail(s),
    })),
    millis: Math.round(report.millis),
    ballots: report.ballots,
  };
}
