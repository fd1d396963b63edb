import type { Election } from '@vigil/core';
import type { ContestResult, PaperBallotManifest } from './ballot-box-api.ts';

/**
 * Turning the published results and the paper-ballot manifest into a ballot-polling
 * audit plan for `POST /api/audits` (BRAVO, Lindeman, Stark and Yates 2012), and the
 * sampled ballot ids back into paper ids.
 *
 * The paper records (the VVPAT slips) form one batch, in the order the manifest lists
 * them; the sampler names a ballot `<batch>:<1-based position>` (Arlo's convention), so
 * the k-th paper id is `booth-paper:k`.
 */
export const PAPER_BATCH = 'booth-paper';

export function manifestCsv(manifest: PaperBallotManifest): string {
  return `Batch Name,Number of Ballots\n${PAPER_BATCH},${manifest.count}\n`;
}

/** The paper id a sampled ballot id points at, or undefined for an id of another batch. */
export function paperIdOf(manifest: PaperBallotManifest, ballotId: string): string | undefined {
  const match = /^(.*):(\d+)$/.exec(ballotId);
  if (match?.[1] !== PAPER_BATCH) return undefined;
  return manifest.paperIds[Number(match[2]) - 1];
}

/** Contests a ballot-polling audit can check: plurality (vote-for-N) and yes/no measures. */
export function auditableContests(results: readonly ContestResult[]): ContestResult[] {
  return results.filter((c) => c.type === 'candidate' || c.type === 'yesno');
}

/** Winners the contest declares: vote-for N of a candidate contest, one for a measure. */
export function winnersOf(election: Election | undefined, contestId: string): number {
  const contest = election?.contests.find((c) => c.id === contestId);
  return contest?.type === 'candidate' ? contest.voteFor : 1;
}

export interface AuditPlanBody {
  auditId: string;
  method: 'ballot-polling';
  contest: { id: string; votes: Record<string, number>; ballots: number; numWinners: number };
  riskLimit: number;
  seed: string;
  manifestCsv: string;
}

/**
 * The plan: the reported votes of the contest, and as its ballot count every paper ballot
 * in the manifest, since the sample is drawn from all of them (a ballot without the
 * contest counts as no vote for anyone, which BRAVO handles).
 */
export function auditPlan(options: {
  auditId: string;
  contest: ContestResult;
  numWinners: number;
  riskLimit: number;
  seed: string;
  manifest: PaperBallotManifest;
}): AuditPlanBody {
  return {
    auditId: options.auditId,
    method: 'ballot-polling',
    contest: {
      id: options.contest.contestId,
      votes: Object.fromEntries(options.contest.options.map((o) => [o.optionId, o.votes])),
      ballots: options.manifest.count,
      numWinners: options.numWinners,
    },
    riskLimit: options.riskLimit,
    seed: options.seed,
    manifestCsv: manifestCsv(options.manifest),
  };
}
