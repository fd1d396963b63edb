import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSampleElection, parseElectionDefinition, unwrap } from '@vigil/core';
import { lagrangeCoefficient, runKeyCeremony } from './ceremony.ts';
import { encryptBallot } from './encrypt.ts';
import { manifestFromElection, syntheticManifest } from './manifest.ts';
import { checkEncryptedBallot } from './checks.ts';
import { modQ } from './group.ts';
import { simulateElection } from './workflow.ts';
import { verifyRecord } from './verify.ts';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

describe('the ElectionGuard workflow', () => {
  it('converts the sample election: candidate contests, measures, ranked choice per rank', () => {
    const { election } = unwrap(parseElectionDefinition(loadSampleElection()));
    const { manifest } = manifestFromElection(election);
    const ids = manifest.contests.map((c) => c.contestId);
    expect(ids).toContain('governor');
    expect(ids).toContain('library-levy');
    expect(ids).toContain('millbrook-mayor-rank-1');
    expect(manifest.contests.find((c) => c.contestId === 'county-commission')?.votesAllowed).toBe(
      2,
    );
    expect(manifest.contests.find((c) => c.contestId === 'library-levy')?.selections).toHaveLength(
      2,
    );
  });

  it('Lagrange coefficients over any quorum recombine the secret', () => {
    // Σ w_ℓ·P(ℓ) = P(0) for a polynomial of degree < k.
    const coefficients = [11n, 22n, 33n];
    const at = (x: bigint): bigint =>
      modQ(coefficients[0]! + coefficients[1]! * x + coefficients[2]! * x * x);
    for (const present of [
      [1, 2, 3],
      [2, 4, 5],
      [1, 3, 5],
    ]) {
      let sum = 0n;
      for (const x of present) sum = modQ(sum + lagrangeCoefficient(x, present) * at(BigInt(x)));
      expect(sum).toBe(11n);
    }
  });

  it('encrypts a 100-selection ballot whose proofs verify', () => {
    const { bytes, manifest } = syntheticManifest(20, 5);
    const ceremony = runKeyCeremony({ numberOfGuardians: 1, quorum: 1, manifestBytes: bytes });
    const ctx = { jointKey: ceremony.jointKey, extendedBaseHash: ceremony.extendedBaseHash };
    const votes = Object.fromEntries(
      manifest.contests.map((c) => [c.contestId, [c.selections[0]!.selectionId]]),
    );
    const ballot = encryptBallot(
      ctx,
      manifest,
      { ballotId: 'b1', ballotStyleId: 'ballotStyle', votes },
      { deviceId: 'd', baux0: Buffer.from('x') },
      Buffer.alloc(32),
    );
    const limits = new Map(manifest.contests.map((c) => [c.contestId, c.votesAllowed]));
    const result = checkEncryptedBallot(ctx, ballot, limits);
    expect(result.selections).toBe(100);
    expect(result.failures).toEqual({ V5: [], V6: [], V7: [] });
  });

  it('simulates 5 guardians, quorum 3, 3 present: the record verifies and the tally is the plaintext sum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-eg-sim-'));
    temps.push(dir);
    const { election } = unwrap(parseElectionDefinition(loadSampleElection()));
    const { bytes, manifest } = manifestFromElection(election);
    const result = await simulateElection({
      dir,
      manifestBytes: bytes,
      manifest,
      ballots: 6,
      guardians: 5,
      quorum: 3,
      present: 3,
    });
    expect(result.present).toHaveLength(3);
    expect(result.tallyMatches).toBe(true);
    expect(result.spoiled).toBe(1);
    const report = await verifyRecord(dir, { workers: 0, strictManifestHash: true });
    expect(report.steps.filter((s) => s.status === 'fail')).toEqual([]);
    expect(report.steps.find((s) => s.step === 'V1')?.status).toBe('pass');
    expect(report.ok).toBe(true);

    // One byte of a field no other check reads (the election's name): only H_M sees it.
    const manifestPath = join(dir, 'manifest.json');
    const original = readFileSync(manifestPath, 'utf8');
    const name = /"([A-Z])([a-z]+ County)/.exec(original);
    expect(name).not.toBeNull();
    writeFileSync(
      manifestPath,
      original.replace(name![0], `"${name![1]!.toLowerCase()}${name![2]!}`),
    );
    const only = { ballotIds: [], decryptions: false };
    const strict = await verifyRecord(dir, { workers: 0, strictManifestHash: true, only });
    expect(strict.ok).toBe(false);
    expect(strict.steps.find((s) => s.step === 'V1')?.status).toBe('fail');
    const lenient = await verifyRecord(dir, { workers: 0, only });
    expect(lenient.steps.find((s) => s.step === 'V1')?.status).toBe('warn');
  });
});
