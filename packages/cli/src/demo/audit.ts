import { seededRandom } from '@vigil/core';
import { mixSeed } from '@vigil/biometrics';
import type { Caller, DemoApi } from './api.ts';
import type { ContestResult, PaperBallotManifestView, PaperBallotView } from '@vigil/server';

/**
 * The risk-limiting audit of the paper ballots (the VVPAT slips the booths kept), through
 * the audits API as an audit board runs it: a ballot-polling audit (BRAVO, Lindeman,
 * Stark and Yates 2012) of one contest, against the reported results; rounds are drawn
 * from the ballot manifest with a public seed, each sampled slip is read from the paper
 * record and entered, and rounds go on until the risk is at most the limit, or the audit
 * escalates to a full hand count. BRAVO escalates at once when the sample it would need
 * is as large as the election (a few dozen ballots, or a close contest): then every
 * paper ballot is counted by hand, and the hand count, not the machine count, says
 * whether the reported outcome stands (it leaves no risk when it agrees).
 */

export interface AuditFigures {
  readonly auditId: string;
  readonly contestId: string;
  readonly riskLimit: number;
  readonly seed: string;
  readonly paperBallots: number;
  readonly status: string;
  readonly rounds: readonly {
    readonly round: number;
    readonly size: number;
    readonly risk: number | null;
  }[];
  readonly ballotsExamined: number;
  /** The measured risk after the last round (null when no round closed). */
  readonly finalRisk: number | null;
  /** The full hand count, when the audit escalated to one. */
  readonly handCount?: HandCount;
  /** The outcome confirmed within the risk limit: by BRAVO, or by an agreeing hand count. */
  readonly limitMet: boolean;
}

export interface HandCount {
  readonly ballots: number;
  readonly votes: Readonly<Record<string, number>>;
  /** The hand count's winners are the reported winners. */
  readonly outcomeConfirmed: boolean;
  /** Every option's hand count equals its reported count. */
  readonly countsMatch: boolean;
}

interface AuditState {
  readonly status: string;
  readonly nextRoundSize: number;
  readonly rounds: {
    readonly round: number;
    readonly risk: number | null;
    readonly ballots: {
      readonly ballotId: string;
      readonly position: number;
      readonly entry: unknown;
    }[];
  }[];
}

/** A public seed of 20 decimal digits (in a real audit: twenty dice rolled in public). */
function publicSeed(seed: number): string {
  const random = seededRandom(mixSeed(seed, 0x617564));
  return Array.from({ length: 20 }, () => String(Math.floor(random() * 10))).join('');
}

/** Where each ballot of the manifest's one batch is: position j is the j-th paper id. */
const BATCH = 'ballot-box';

export async function auditPaperBallots(
  api: DemoApi,
  administrator: Caller,
  contest: ContestResult,
  options: {
    readonly riskLimit: number;
    readonly seed: number;
    readonly numWinners: number;
    readonly maxRounds?: number;
  },
): Promise<AuditFigures> {
  const paper = await api.get<PaperBallotManifestView>('/api/paper-ballots', administrator);
  const paperIds = [...paper.paperIds].sort();
  const seed = publicSeed(options.seed);
  const auditId = `demo-${contest.contestId}`;
  const votes = Object.fromEntries(contest.options.map((o) => [o.optionId, o.votes]));
  let state = await api.post<AuditState>(
    '/api/audits',
    {
      auditId,
      method: 'ballot-polling',
      contest: {
        id: contest.contestId,
        votes,
        ballots: paperIds.length,
        numWinners: options.numWinners,
      },
      riskLimit: options.riskLimit,
      seed,
      manifestCsv: `Batch Name,Number of Ballots\n${BATCH},${paperIds.length}\n`,
    },
    administrator,
  );
  const read = new Map<string, Record<string, number>>();
  const readSlip = async (paperId: string): Promise<Record<string, number>> => {
    const slip = await api.get<PaperBallotView>(
      `/api/paper-ballots/${encodeURIComponent(paperId)}`,
      administrator,
    );
    return Object.fromEntries((slip.marks[contest.contestId] ?? []).map((id) => [id, 1]));
  };
  const maxRounds = options.maxRounds ?? 10;
  while (state.status === 'in-progress' && state.rounds.length < maxRounds) {
    state = await api.post<AuditState>(`/api/audits/${auditId}/rounds`, {}, administrator);
    const round = state.rounds.at(-1)!;
    for (const ballot of round.ballots) {
      if (ballot.entry !== null) continue;
      let entry = read.get(ballot.ballotId);
      if (entry === undefined) {
        const paperId = paperIds[ballot.position - 1];
        if (paperId === undefined) throw new Error(`the manifest has no ballot ${ballot.ballotId}`);
        entry = await readSlip(paperId);
        read.set(ballot.ballotId, entry);
      }
      await api.expect(
        200,
        'PUT',
        `/api/audits/${auditId}/ballots/${encodeURIComponent(ballot.ballotId)}`,
        {
          ...administrator,
          body: { kind: 'votes', votes: entry },
        },
      );
    }
    state = await api.post<AuditState>(
      `/api/audits/${auditId}/rounds/current/close`,
      {},
      administrator,
      200,
    );
  }
  const finalRisk = state.rounds.at(-1)?.risk ?? null;
  let handCount: HandCount | undefined;
  if (state.status === 'full-hand-count') {
    const counted: Record<string, number> = {};
    for (const paperId of paperIds) {
      for (const [id, n] of Object.entries(await readSlip(paperId)))
        counted[id] = (counted[id] ?? 0) + n;
    }
    const winners = (tally: Readonly<Record<string, number>>) =>
      Object.entries(tally)
        .sort(([, a], [, b]) => b - a)
        .slice(0, options.numWinners)
        .map(([id]) => id)
        .sort()
        .join(',');
    handCount = {
      ballots: paperIds.length,
      votes: counted,
      outcomeConfirmed: winners(counted) === winners(votes),
      countsMatch: contest.options.every((o) => (counted[o.optionId] ?? 0) === o.votes),
    };
  }
  return {
    auditId,
    contestId: contest.contestId,
    riskLimit: options.riskLimit,
    seed,
    paperBallots: paperIds.length,
    status: state.status,
    rounds: state.rounds.map((r) => ({ round: r.round, size: r.ballots.length, risk: r.risk })),
    ballotsExamined: read.size,
    finalRisk,
    ...(handCount === undefined ? {} : { handCount }),
    limitMet:
      (state.status === 'confirmed' && finalRisk !== null && finalRisk <= options.riskLimit) ||
      handCount?.outcomeConfirmed === true,
  };
}
