import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { verifyRecord } from '@vigil/ballots';
import type {
  BallotBoxStatus,
  CeremonyView,
  ContestResult,
  PublishedKeys,
  ResultsView,
  ShareReleased,
  VerificationView,
} from '@vigil/server';
import { problemOf, type Caller, type DemoApi } from './api.ts';
import { signIn, type DemoOffice } from './office.ts';

/**
 * The ballot box's administration through its HTTP API: the key ceremony (each guardian
 * in their own session), opening and closing the polls, the tally, the guardians'
 * decryption shares, the published results and the verifier's report; then the record
 * folder checked again with the same verifier as `vigil eg verify`.
 */

export interface CeremonyFigures {
  readonly guardians: number;
  readonly quorum: number;
  readonly proofsValid: boolean;
  readonly jointKey: string;
  readonly extendedBaseHash: string;
}

export interface Guardian {
  readonly guardianId: string;
  readonly session: Caller;
}

/** Stops with the server's reason when it does not offer the ballot box (GET /api/ballot-box/status). */
export async function requireBallotBox(api: DemoApi): Promise<void> {
  const answer = await api.call('GET', '/api/ballot-box/status');
  if (answer.status !== 200) {
    const why = problemOf(answer.body)?.detail ?? `status ${answer.status}`;
    throw new Error(`the server's ballot box is not available: ${why}`);
  }
}

/** Three guardians (n), quorum k: created by the administrator, each signs in and publishes. */
export async function keyCeremony(
  api: DemoApi,
  office: DemoOffice,
  n: number,
  quorum: number,
): Promise<{ figures: CeremonyFigures; guardians: Guardian[] }> {
  const guardians: Guardian[] = [];
  for (let g = 1; g <= n; g++) {
    const official = await office.hire(`guardian-${g}`, `Guardian ${g}`, 'guardian');
    // Each guardian in their own session, as in their own browser.
    guardians.push({ guardianId: official.officialId, session: await signIn(api, official) });
  }
  await api.post(
    '/api/ceremony',
    { guardianIds: guardians.map((g) => g.guardianId), quorum },
    office.administrator,
  );
  for (const g of guardians) await api.post<PublishedKeys>('/api/ceremony/keys', {}, g.session);
  const ceremony = await api.get<CeremonyView>('/api/ceremony');
  if (ceremony.jointKey === undefined || ceremony.extendedBaseHash === undefined) {
    throw new Error(
      `the key ceremony did not finish: the ballot box is in phase ${ceremony.phase}`,
    );
  }
  return {
    guardians,
    figures: {
      guardians: n,
      quorum,
      proofsValid: ceremony.guardians.every((g) => g.proofsValid),
      jointKey: ceremony.jointKey,
      extendedBaseHash: ceremony.extendedBaseHash,
    },
  };
}

export async function openPolls(api: DemoApi, administrator: Caller): Promise<void> {
  await api.post('/api/polls/open', {}, administrator, 200);
}

export interface TallyFigures {
  readonly castCount: number;
  readonly challengedCount: number;
  readonly sharesReleased: readonly string[];
  readonly phase: string;
  readonly results: readonly ContestResult[];
  /** The server's verification (GET /api/verification). */
  readonly serverVerification: VerificationView;
  /** `vigil eg verify <dataDir>/records/<electionId>`: the same verifier, run again here. */
  readonly recordVerification: {
    readonly recordDir: string;
    readonly ok: boolean;
    readonly steps: readonly {
      readonly step: string;
      readonly status: string;
      readonly checked: number;
    }[];
    readonly failures: readonly string[];
    readonly seconds: number;
  };
}

/** Polls closed, tally, `present` guardians release their shares, results and verification. */
export async function closeAndCount(
  api: DemoApi,
  office: DemoOffice,
  guardians: readonly Guardian[],
  present: number,
): Promise<TallyFigures> {
  await api.post('/api/polls/close', {}, office.administrator, 200);
  await api.post('/api/tally', {}, office.administrator, 200);
  const released: string[] = [];
  for (const g of guardians.slice(0, present)) {
    await api.post<ShareReleased>('/api/tally/shares', {}, g.session);
    released.push(g.guardianId);
  }
  const status = await api.get<BallotBoxStatus>('/api/ballot-box/status');
  const results = await api.get<ResultsView>('/api/results');
  const verification = await api.get<VerificationView>('/api/verification');
  const recordDir = join(office.dataDir, 'records', status.electionId);
  const started = performance.now();
  const report = await verifyRecord(recordDir, { workers: availableParallelism() });
  return {
    castCount: status.castCount,
    challengedCount: status.challengedCount,
    sharesReleased: released,
    phase: status.phase,
    results: results.contests,
    serverVerification: verification,
    recordVerification: {
      recordDir,
      ok: report.ok,
      steps: report.steps.map((s) => ({ step: s.step, status: s.status, checked: s.checked })),
      failures: report.steps.flatMap((s) => s.failures.map((f) => `${s.step}: ${f}`)),
      seconds: (performance.now() - started) / 1000,
    },
  };
}
