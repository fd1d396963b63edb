import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { decodeImage, type FingerTruth } from '@vigil/biometrics';
import { runInProcess, type VigilRun } from '../testing.ts';
import { registerFingerprintCommands } from './fingerprint.ts';
import { registerFingerprintSynthCommands } from './fingerprint-synth.ts';

const workDir = mkdtempSync(join(tmpdir(), 'vigil-fingerprint-synth-'));

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function vigil(...args: string[]): Promise<VigilRun> {
  return runInProcess((program) => {
    registerFingerprintCommands(program);
    registerFingerprintSynthCommands(program);
  }, args);
}

describe('vigil fingerprint synth', () => {
  it('refuses bad options with a message', async () => {
    const out = join(workDir, 'bad');
    const cases: [string[], RegExp][] = [
      [['--fingers', '0'], /--fingers as a whole number from 1/],
      [['--fingers', '2', '--dpi', '72'], /--dpi as a whole number from 250 to 1000/],
      [['--fingers', '2', '--format', 'jpeg'], /Use --format png or --format tif/],
    ];
    for (const [args, expected] of cases) {
      const r = await vigil('fingerprint', 'synth', ...args, '-o', out);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(expected);
    }
  });

  it('writes FVC-named images and the ground truth, the same bytes on one thread or two', async () => {
    const one = join(workDir, 'one');
    const two = join(workDir, 'two');
    const args = ['--fingers', '2', '--impressions', '2', '--seed', '5'];
    const r1 = await vigil('fingerprint', 'synth', ...args, '--threads', '1', '-o', one);
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    expect(r1.stdout).toMatch(/4 images of 2 fingers written/);
    const r2 = await vigil('fingerprint', 'synth', ...args, '--threads', '2', '-o', two);
    expect(r2.code).toBe(0);
    const names = readdirSync(one).sort();
    expect(names).toEqual(['1_1.png', '1_2.png', '2_1.png', '2_2.png', 'ground-truth.json']);
    for (const name of names) {
      expect(readFileSync(join(two, name)).equals(readFileSync(join(one, name))), name).toBe(true);
    }
    const image = decodeImage(readFileSync(join(one, '2_1.png')));
    expect(image.ok && [image.value.width, image.value.height]).toEqual([288, 384]);
    const truth = JSON.parse(readFileSync(join(one, 'ground-truth.json'), 'utf8')) as {
      seed: number;
      dpi: number;
      fingers: FingerTruth[];
    };
    expect(truth.seed).toBe(5);
    expect(truth.fingers.map((f) => f.finger)).toEqual([1, 2]);
    expect(truth.fingers[0]!.minutiae.length).toBeGreaterThan(0);
    expect(truth.fingers[0]!.impressions.map((i) => i.file)).toEqual(['1_1.png', '1_2.png']);

    // A folder that already holds a set is not mixed with another.
    const again = await vigil('fingerprint', 'synth', ...args, '-o', one);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds fingerprint images/);
  }, 240_000);
});
