import { describe, expect, it } from 'vitest';
import { parseManifestCsv, startAudit, startRound } from '@vigil/tally';
import { auditPlan, auditableContests, paperIdOf } from './audit-plan.ts';
import type { ContestResult, PaperBallotManifest } from './ballot-box-api.ts';

/**
 * The audit panel's plan goes through @vigil/tally's own audit (as the server replays it),
 * and every ballot the sampler draws names a paper record of the manifest.
 */

const manifest: PaperBallotManifest = {
  count: 200,
  paperIds: Array.from({ length: 200 }, (_, i) => `paper-${String(i).padStart(3, '0')}`),
};
const governor: ContestResult = {
  contestId: 'governor',
  title: 'Governor',
  type: 'candidate',
  options: [
    { optionId: 'okafor', label: 'Okafor', votes: 150 },
    { optionId: 'marsh', label: 'Marsh', votes: 50 },
  ],
};

describe('the ballot-polling audit plan of the audit panel', () => {
  it('is accepted by the audit model and draws ballots that are paper records', () => {
    const plan = auditPlan({
      auditId: 'rla-governor',
      contest: governor,
      numWinners: 1,
      riskLimit: 0.1,
      seed: '31415926535897932384',
      manifest,
    });
    expect(plan.contest).toEqual({
      id: 'governor',
      votes: { okafor: 150, marsh: 50 },
      ballots: 200,
      numWinners: 1,
    });
    const parsed = parseManifestCsv(plan.manifestCsv);
    if (!parsed.ok) throw parsed.error;
    const started = startAudit({ ...plan, manifest: parsed.value });
    if (!started.ok) throw started.error;
    const round = startRound(started.value, 6);
    if (!round.ok) throw round.error;
    const drawn = round.value.rounds[0]!.ballots;
    expect(drawn).toHaveLength(6);
    for (const ballot of drawn)
      expect(manifest.paperIds).toContain(paperIdOf(manifest, ballot.ballotId));
  });

  it('maps positions to paper ids, and nothing else', () => {
    expect(paperIdOf(manifest, 'booth-paper:1')).toBe('paper-000');
    expect(paperIdOf(manifest, 'booth-paper:200')).toBe('paper-199');
    expect(paperIdOf(manifest, 'booth-paper:201')).toBeUndefined();
    expect(paperIdOf(manifest, 'other:1')).toBeUndefined();
  });

  it('offers plurality contests and measures, not ranked choice', () => {
    const ranked: ContestResult = { ...governor, contestId: 'mayor', type: 'ranked-choice' };
    expect(auditableContests([governor, ranked]).map((c) => c.contestId)).toEqual(['governor']);
  });
});
