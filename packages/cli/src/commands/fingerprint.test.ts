import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runInProcess, type VigilRun } from '../testing.ts';
import { encodeBmp } from '@vigil/biometrics';
import { registerFingerprintCommands } from './fingerprint.ts';

// The commands run in-process on a program of their own, so this test does not depend on
// which groups main.ts registers. Output is captured from process.stdout and stderr.
const workDir = mkdtempSync(join(tmpdir(), 'vigil-fingerprint-cli-'));
const dataRoot = join(
  process.env.VIGIL_SHARED_DATA ?? join(import.meta.dirname, '../../../../../shared/data'),
  'fingerprints',
);
const db1 = join(dataRoot, 'FVC2002_DB1_B');
const haveData = existsSync(db1);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function vigil(...args: string[]): Promise<VigilRun> {
  return runInProcess(registerFingerprintCommands, args);
}

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(workDir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('vigil fingerprint', () => {
  it('refuses bad input with a message, never a crash', async () => {
    const cases: [string, RegExp][] = [
      [file('notes.txt', 'this is a text file, not a fingerprint\n'), /not a TIFF, PNG or BMP/],
      [
        file(
          'white.bmp',
          encodeBmp({ width: 300, height: 300, pixels: new Uint8Array(90000).fill(255) }),
        ),
        /No usable fingerprint/,
      ],
      [join(workDir, 'missing.tif'), /no such file/],
    ];
    for (const [path, expected] of cases) {
      const r = await vigil('fingerprint', 'extract', path);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(expected);
    }
    const badDpi = await vigil('fingerprint', 'extract', cases[0]![0], '--dpi', 'lots');
    expect(badDpi.stderr).toMatch(/--dpi between 250 and 1000/);
  });

  it.skipIf(!haveData)(
    'extracts, writes ISO and JSON, and matches images and templates',
    async () => {
      const iso = join(workDir, 'a.iso');
      const json = join(workDir, 'a.json');
      const a = join(db1, '101_1.tif');
      const b = join(db1, '101_2.tif');
      const r1 = await vigil('fingerprint', 'extract', a, '-o', iso);
      expect(r1.code).toBe(0);
      expect(r1.stdout).toMatch(/minutiae, quality \d+, \d+ bytes as ISO/);
      expect(readFileSync(iso).subarray(0, 3).toString()).toBe('FMR');
      await vigil('fingerprint', 'extract', a, '-o', json);
      const parsed = JSON.parse(readFileSync(json, 'utf8')) as { minutiae: unknown[] };
      expect(parsed.minutiae.length).toBeGreaterThan(5);
      const fromImages = await vigil('fingerprint', 'match', a, b);
      const fromTemplate = await vigil('fingerprint', 'match', iso, b);
      expect(fromImages.stdout).toMatch(/^score \d+\.\d\d /);
      expect(fromTemplate.stdout).toBe(fromImages.stdout);
      const badIso = file('bad.iso', readFileSync(iso).subarray(0, 30));
      const r2 = await vigil('fingerprint', 'match', badIso, b);
      expect(r2.code).toBe(1);
      expect(r2.stderr).toMatch(/Not a valid ISO\/IEC 19794-2:2005 template/);
    },
  );

  it.skipIf(!haveData)(
    'evaluates a folder with the FVC protocol as JSON and plots the DET',
    async () => {
      const plot = join(workDir, 'det.svg');
      const r = await vigil(
        'fingerprint',
        'eval',
        db1,
        '--protocol',
        'fvc',
        '--json',
        '--plot',
        plot,
      );
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout) as Record<string, number>;
      expect(Object.keys(summary).sort()).toEqual(
        [
          'eer',
          'extractMs',
          'failedExtractions',
          'fmr100',
          'fmr1000',
          'genuinePairs',
          'impostorPairs',
          'matchesPerSecond',
          'templateBytes',
          'zeroFmr',
        ].sort(),
      );
      expect(summary.genuinePairs).toBe(280);
      expect(summary.impostorPairs).toBe(45);
      expect(readFileSync(plot, 'utf8')).toMatch(/^<svg/);
    },
  );
});
