import { availableParallelism, loadavg } from 'node:os';
import { seededRandom, type Election } from '@vigil/core';
import { mixSeed } from '@vigil/biometrics';
import { auditPaperBallots, type AuditFigures } from './audit.ts';
import {
  closeAndCount,
  keyCeremony,
  openPolls,
  requireBallotBox,
  type CeremonyFigures,
  type TallyFigures,
} from './ballot-box.ts';
import type { ContestResult } from '@vigil/server';
import { vote, type VotingFigures } from './booth.ts';
import { ledgerHead, type LedgerFigures } from './ledger.ts';
import { openOffice } from './office.ts';
import { makePopulation, type DemoPopulation, type DemoRecord } from './people.ts';
import { credentialKeys, planDay, runPollingDay, type CheckInFigures } from './polling.ts';
import type { Progress } from './progress.ts';
import {
  enrolEveryone,
  importDemoRoll,
  resolveReviews,
  type EnrolmentFigures,
  type RollFigures,
} from './registry-stages.ts';

/**
 * `vigil demo`: a whole election, from the roll to the ledger head, driven through the
 * server's HTTP API on a fresh data folder, and what happened at each stage.
 */

export interface DemoOptions {
  readonly voters: number;
  readonly seed: number;
  /** The data folder (must be new or empty); a temporary one when omitted. */
  readonly dataDir?: string;
  readonly riskLimit?: number;
  readonly guardians?: number;
  readonly quorum?: number;
  readonly progress: Progress;
}

export interface DemoSummary {
  readonly electionId: string;
  readonly title: string;
  readonly dataDir: string;
  readonly seed: number;
  readonly voters: number;
  readonly machine: {
    readonly cpus: number;
    /** 1-minute load average when the demo started and when it ended. */
    readonly loadStart: number;
    readonly loadEnd: number;
  };
  readonly roll: RollFigures;
  readonly enrolment: EnrolmentFigures;
  readonly checkIns: CheckInFigures;
  readonly ceremony: CeremonyFigures;
  readonly voting: VotingFigures;
  readonly tally: TallyFigures;
  readonly audit: AuditFigures;
  readonly ledger: LedgerFigures;
  readonly requests: number;
  /** Wall-clock seconds of each stage, and in all. */
  readonly elapsed: Readonly<Record<string, number>>;
  /**
   * CPU seconds of this process (every thread: the server's match and verifier workers
   * too) in each stage: on a shared machine, the wall time over the CPU time shows how
   * much of the time went to waiting for a core.
   */
  readonly cpu: Readonly<Record<string, number>>;
}

const cpuSeconds = (): number => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};

/** Planted duplicates: one in a hundred voters, at least two. */
const duplicatesFor = (voters: number) => Math.max(2, Math.round(voters / 100));
/** One voter in this many challenges a ballot before casting (the first always does). */
const CHALLENGE_EVERY = 33;

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const { progress } = options;
  const loadStart = loadavg()[0] ?? 0;
  const elapsed: Record<string, number> = {};
  const cpu: Record<string, number> = {};
  const began = performance.now();
  const cpuBegan = cpuSeconds();
  let mark = began;
  let cpuMark = cpuBegan;
  const lap = (stage: string) => {
    const now = performance.now();
    const cpuNow = cpuSeconds();
    elapsed[stage] = Math.round(now - mark) / 1000;
    cpu[stage] = Math.round((cpuNow - cpuMark) * 1000) / 1000;
    mark = now;
    cpuMark = cpuNow;
  };

  progress.line('Setting up the election office: data folder, sample election, staff, stations');
  const office = await openOffice(
    options.dataDir === undefined ? {} : { dataDir: options.dataDir },
  );
  try {
    const { api, election } = office;
    lap('setup');

    // 1. The roll.
    const population = makePopulation(
      election,
      options.seed,
      options.voters,
      duplicatesFor(options.voters),
    );
    const roll = await importDemoRoll(
      api,
      office.registrar,
      population,
      election.jurisdiction.state,
    );
    progress.line(
      `Roll imported: ${roll.registered} records (${population.duplicates.length} of them a second record of someone)`,
    );
    lap('roll');

    // 2. Enrolment with de-duplication.
    const order = enrolmentOrder(population, options.seed);
    const enrolBar = progress.bar('Enrolment (2 fingers each)', order.length);
    const enrolled = await enrolEveryone(
      api,
      office.registrar,
      population,
      { seed: options.seed, order, parallel: 2 },
      enrolBar,
    );
    const reviewed = await resolveReviews(api, office.registrar, population);
    const enrolment: EnrolmentFigures = {
      ...enrolled,
      duplicatesPlanted: population.duplicates.length,
      ...reviewed,
    };
    progress.line(
      `Review queue: ${enrolment.duplicatesCaught} of ${enrolment.duplicatesPlanted} planted duplicates caught, ${enrolment.falseAlarms} false alarm(s)`,
    );
    lap('enrolment');

    // 3. The key ceremony; then the polls open.
    await requireBallotBox(api);
    const ceremony = await keyCeremony(api, office, options.guardians ?? 3, options.quorum ?? 2);
    progress.line(
      `Key ceremony: ${ceremony.figures.guardians} guardians, quorum ${ceremony.figures.quorum}, joint key published`,
    );
    await openPolls(api, office.administrator);
    lap('ceremony');

    // 4. Election day: check-ins, and each voter checked in goes to the booth.
    const plan = planDay(population, options.seed);
    const keys = await credentialKeys(api);
    const dayBar = progress.bar('Check-in and voting', plan.arrivals.length);
    const codes: string[] = [];
    let sessions = 0;
    let challenged = 0;
    let challengesChecked = 0;
    const checkIns = await runPollingDay(
      api,
      { places: office.places, keys, seed: options.seed },
      plan,
      {
        booths: 2 * office.places.size,
        vote: async (voter) => {
          const challenge = sessions++ % CHALLENGE_EVERY === 0;
          const cast = await vote(api, voter, { seed: options.seed, challenge });
          codes.push(cast.confirmationCode);
          if (cast.challenged) challenged++;
          if (cast.checked) challengesChecked++;
        },
      },
      dayBar,
    );
    const voting: VotingFigures = {
      boothSessions: sessions,
      ballotsCast: codes.length,
      ballotsChallenged: challenged,
      challengesChecked,
      confirmationCodes: codes,
    };
    lap('polling');

    // 5. Tally, decryption, the record and its verification.
    progress.line('Polls closed; tallying, decrypting with 2 of 3 guardians, verifying the record');
    const tally = await closeAndCount(api, office, ceremony.guardians, options.quorum ?? 2);
    progress.line(
      `Record ${tally.recordVerification.ok ? 'verified' : 'FAILED verification'} (${tally.recordVerification.steps.length} verifier steps)`,
    );
    lap('tally');

    // 6. The risk-limiting audit of the paper ballots.
    const target = auditedContest(tally.results, election);
    const audit = await auditPaperBallots(api, office.administrator, target.result, {
      riskLimit: options.riskLimit ?? 0.05,
      seed: options.seed,
      numWinners: target.numWinners,
    });
    progress.line(
      audit.handCount === undefined
        ? `Audit of ${audit.contestId}: ${audit.status} after ${audit.rounds.length} round(s) and ${audit.ballotsExamined} ballots, risk ${audit.finalRisk?.toExponential(2) ?? 'n/a'}`
        : `Audit of ${audit.contestId}: escalated to a full hand count of ${audit.handCount.ballots} paper ballots, outcome ${audit.handCount.outcomeConfirmed ? 'confirmed' : 'NOT confirmed'}`,
    );
    lap('audit');

    // 7. The ledger head.
    const ledger = await ledgerHead(api, office.store, office.ledgerKey, codes);
    progress.line(
      `Ledger: ${ledger.size} entries, root ${ledger.root}, ${ledger.verified ? 'verified' : 'FAILED'}`,
    );
    lap('ledger');
    elapsed.total = Math.round(performance.now() - began) / 1000;
    cpu.total = Math.round((cpuSeconds() - cpuBegan) * 1000) / 1000;

    return {
      electionId: election.id,
      title: election.title,
      dataDir: office.dataDir,
      seed: options.seed,
      voters: options.voters,
      machine: { cpus: availableParallelism(), loadStart, loadEnd: loadavg()[0] ?? 0 },
      roll,
      enrolment,
      checkIns,
      ceremony: ceremony.figures,
      voting,
      tally,
      audit,
      ledger,
      requests: api.requests,
      elapsed,
      cpu,
    };
  } finally {
    await office.close();
  }
}

/**
 * The contest the audit targets: the first contest on every ballot style (the top of
 * the ticket), as reported, with its number of winners.
 */
function auditedContest(
  results: readonly ContestResult[],
  election: Election,
): { result: ContestResult; numWinners: number } {
  const everywhere = election.contests.find(
    (c) =>
      c.type !== 'ranked-choice' && election.ballotStyles.every((s) => s.contestIds.includes(c.id)),
  );
  const result = results.find((r) => r.contestId === everywhere?.id);
  if (everywhere === undefined || result === undefined) {
    throw new Error(
      'the election has no contest on every ballot style with published results, so there is no contest to audit',
    );
  }
  return { result, numWinners: everywhere.type === 'candidate' ? everywhere.voteFor : 1 };
}

/**
 * The order of enrolment: everyone in a seeded random order, each planted duplicate
 * somewhere after the person's first record (the second registration is the fraud).
 */
function enrolmentOrder(population: DemoPopulation, seed: number): DemoRecord[] {
  const random = seededRandom(mixSeed(seed, 0x656e72));
  const order = [...population.voters];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const twin of population.duplicates) {
    const first = order.findIndex((r) => r.person === twin.person);
    const at = first + 1 + Math.floor(random() * (order.length - first));
    order.splice(at, 0, twin);
  }
  return order;
}
