import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRecord } from '@vigil/ballots';
import { runVigil } from '../testing.ts';
import { createProgress } from './progress.ts';
import { runDemo, type DemoSummary } from './run.ts';
import { formatSummary } from './summary.ts';

/**
 * `vigil demo --voters 12`: a whole small election through the HTTP API, and the
 * invariants its summary must keep whatever the seed: every planted duplicate caught,
 * every check-in accounted for, every credential spent on exactly one cast ballot, every
 * cast ballot counted, the record accepted by the verifier, the audit at its risk limit
 * and the ledger verified.
 */

let parent: string;
let summary: DemoSummary;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'vigil-demo-test-'));
  summary = await runDemo({
    voters: 12,
    seed: 7,
    dataDir: join(parent, 'data'),
    progress: createProgress({ bars: false, silent: true }),
  });
}, 600_000);

afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

describe('vigil demo --voters 12', () => {
  it('imports the roll and enrols every record, catching every planted duplicate', () => {
    const { roll, enrolment } = summary;
    expect(roll.registered).toBe(12 + enrolment.duplicatesPlanted);
    expect(enrolment.enrolled).toBe(roll.registered);
    expect(enrolment.fingers).toBe(2 * enrolment.enrolled);
    expect(enrolment.duplicatesPlanted).toBeGreaterThan(0);
    expect(enrolment.duplicatesCaught).toBe(enrolment.duplicatesPlanted);
    expect(enrolment.blocked).toBe(enrolment.duplicatesCaught);
    expect(enrolment.reviewsRaised).toBe(enrolment.blocked + enrolment.falseAlarms);
  });

  it('accounts for every arrival at the polling stations', () => {
    const c = summary.checkIns;
    const checkedIn = c.matchedFirstTry + c.matchedAfterRetry + c.overridden + c.impostorsAccepted;
    const refused =
      c.impostorsRefused +
      c.alreadyVoted +
      c.blockedDuplicates +
      Object.values(c.otherRefusals).reduce((a, b) => a + b, 0);
    expect(checkedIn + refused).toBe(c.arrivals);
    expect(c.credentials).toBe(checkedIn);
    expect(c.impostorsRefused).toBeGreaterThan(0);
    // Every planted duplicate who tried their second record was refused at the desk.
    expect(c.blockedDuplicates).toBe(summary.enrolment.duplicatesPlanted);
    expect(c.noShows + c.arrivals).toBeGreaterThanOrEqual(12);
  });

  it('casts one ballot per credential, counts every cast ballot and verifies the record', async () => {
    const { voting, tally } = summary;
    expect(voting.ballotsCast).toBe(summary.checkIns.credentials);
    expect(voting.ballotsChallenged).toBeGreaterThan(0);
    expect(voting.challengesChecked).toBe(voting.ballotsChallenged);
    expect(new Set(voting.confirmationCodes).size).toBe(voting.ballotsCast);
    expect(tally.castCount).toBe(voting.ballotsCast);
    expect(tally.challengedCount).toBe(voting.ballotsChallenged);
    expect(tally.sharesReleased).toHaveLength(2);
    // The governor's race (vote for one) has at most one vote per cast ballot.
    const governor = tally.results.find((r) => r.contestId === 'governor');
    const votes = governor?.options.reduce((a, o) => a + o.votes, 0) ?? -1;
    expect(votes).toBeGreaterThan(0);
    expect(votes).toBeLessThanOrEqual(tally.castCount);
    expect(tally.serverVerification.ok).toBe(true);
    expect(tally.recordVerification.ok, tally.recordVerification.failures.join('\n')).toBe(true);
    // The folder is there for `vigil eg verify <dir>`, and that verifier accepts it.
    const dir = tally.recordVerification.recordDir;
    expect(existsSync(join(dir, 'election_config.json'))).toBe(true);
    expect(
      (await verifyRecord(dir, { workers: 1, only: { ballotIds: [], decryptions: false } })).ok,
    ).toBe(true);
  });

  it('audits the paper ballots to the risk limit, by hand when the election is this small', () => {
    const audit = summary.audit;
    expect(audit.paperBallots).toBe(summary.voting.ballotsCast);
    expect(audit.limitMet).toBe(true);
    if (audit.status === 'confirmed') {
      expect(audit.finalRisk).toBeLessThanOrEqual(0.05);
    } else {
      // BRAVO needs more ballots than ten voters cast: it escalates to a full hand count
      // at once, and the paper ballots, counted, agree with the decrypted tally.
      expect(audit.status).toBe('full-hand-count');
      expect(audit.handCount).toMatchObject({
        ballots: summary.voting.ballotsCast,
        outcomeConfirmed: true,
        countsMatch: true,
      });
    }
  });

  it('signs the ledger head and verifies the whole ledger', () => {
    const { ledger } = summary;
    expect(ledger.verified, ledger.problems.join('\n')).toBe(true);
    expect(ledger.entriesChecked).toBe(ledger.size);
    expect(ledger.headsChecked).toBeGreaterThan(0);
    expect(ledger.checkpoint.split('\n')[1]).toBe(String(ledger.size));
    expect(ledger.root).toMatch(/^[0-9a-f]{64}$/);
    // The codes voters looked up are on the bulletin board, each proof to a signed head.
    expect(ledger.bulletin.looked).toBeGreaterThan(0);
    expect(ledger.bulletin.included).toBe(ledger.bulletin.looked);
  });

  it('prints a summary of every stage', () => {
    const text = formatSummary(summary);
    for (const stage of ['Roll:', 'Enrolment:', 'Check-ins:', 'Ledger:', 'Elapsed:']) {
      expect(text).toContain(stage);
    }
    expect(Object.keys(summary.elapsed)).toEqual(
      expect.arrayContaining(['roll', 'enrolment', 'polling', 'ledger', 'total']),
    );
  });

  it('refuses a bad voter count and a data folder that is not empty, saying what to do', async () => {
    const zero = await runVigil(['demo', '--voters', '0']);
    expect(zero.code).toBe(1);
    expect(zero.stderr).toMatch(/--voters.*whole number from 1 to 100000/);
    const used = await runVigil(['demo', '--voters', '3', '--data-dir', parent]);
    expect(used.code).toBe(1);
    expect(used.stderr).toMatch(/is not empty.*name a new or empty one/);
  });
});
