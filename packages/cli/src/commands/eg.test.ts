import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVigilSync, type VigilRun } from '../testing.ts';

const workDir = mkdtempSync(join(tmpdir(), 'vigil-eg-cli-'));

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function vigil(...args: string[]): VigilRun {
  return runVigilSync(args, { timeoutMs: 120_000 });
}

describe('vigil eg', () => {
  it('runs the workflow step by step, verifies it, and rejects a tampered tally', () => {
    const dir = join(workDir, 'steps');
    expect(vigil('eg', 'ceremony', '--guardians', '3', '--quorum', '2', '-o', dir).code).toBe(0);
    const enc = vigil('eg', 'encrypt', dir, '--random', '3', '--device', 'station-7');
    expect(enc.stdout).toMatch(/encrypted 3 ballots on station-7: 3 cast/);
    expect(vigil('eg', 'tally', dir).code).toBe(0);
    const tooFew = vigil('eg', 'decrypt', dir, '--guardians', 'guardian2');
    expect(tooFew.code).toBe(1);
    expect(tooFew.stderr).toMatch(/quorum is 2/);
    expect(vigil('eg', 'decrypt', dir, '--guardians', 'guardian1,guardian3').code).toBe(0);

    const ok = vigil('eg', 'verify', dir);
    expect(ok.stdout).toMatch(/VALID: 0 steps failed/);
    expect(ok.stdout).toMatch(/speed-up/);
    expect(ok.code).toBe(0);

    const tally = JSON.parse(readFileSync(join(dir, 'tally.json'), 'utf8')) as {
      contests: { selections: { tally: number }[] }[];
    };
    const first = tally.contests[0]?.selections[0];
    if (first === undefined) throw new Error('empty tally');
    first.tally += 1;
    writeFileSync(join(dir, 'tally.json'), JSON.stringify(tally));
    const bad = vigil('eg', 'verify', dir, '--json');
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as {
      ok: boolean;
      steps: { step: string; status: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.step === 'V9')?.status).toBe('fail');
  }, 150_000);

  it('simulates an election with 5 guardians, quorum 3, 3 present', () => {
    const dir = join(workDir, 'sim');
    const run = vigil(
      'eg',
      'simulate',
      '--ballots',
      '5',
      '--guardians',
      '5',
      '--quorum',
      '3',
      '--present',
      '3',
      '-o',
      dir,
    );
    expect(run.stdout).toMatch(/decrypted tally equals the plaintext sum/);
    expect(run.stdout).toMatch(/VALID/);
    expect(run.code).toBe(0);
  }, 120_000);

  it('says clearly what is wrong with a missing folder or bad numbers', () => {
    const missing = vigil('eg', 'verify', join(workDir, 'nowhere'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/is not a folder/);
    const bad = vigil(
      'eg',
      'ceremony',
      '--guardians',
      '2',
      '--quorum',
      '3',
      '-o',
      join(workDir, 'x'),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/quorum 3 is larger/);
  });
});
