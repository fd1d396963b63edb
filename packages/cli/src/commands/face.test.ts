import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runInProcess, type VigilRun } from '../testing.ts';
import { registerBiometricCommands, registerFaceCommands } from './face.ts';

// In-process, on a program of its own; the face models load once for this file.
const workDir = mkdtempSync(join(tmpdir(), 'vigil-face-cli-'));
const faces = join(
  process.env.VIGIL_SHARED_DATA ?? join(import.meta.dirname, '../../../../../shared/data'),
  'faces',
  'LFW_deepfunneled_min20_first8',
);
const haveData = existsSync(faces);
if (!haveData)
  console.warn(`face CLI tests on LFW skipped: ${faces} not found (set VIGIL_SHARED_DATA)`);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function vigil(...args: string[]): Promise<VigilRun> {
  return runInProcess((program) => {
    registerFaceCommands(program);
    registerBiometricCommands(program);
  }, args);
}

describe('vigil face compare: bad input', () => {
  it('explains a text file, a missing file and a 10000 x 10000 image', async () => {
    const text = join(workDir, 'notes.txt');
    writeFileSync(text, 'not a photograph\n');
    const huge = join(workDir, 'huge.jpg');
    writeFileSync(
      huge,
      new Uint8Array([
        0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x27, 0x10, 0x27, 0x10, 0x03, 0x01, 0x22, 0x00,
        0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xd9, 0, 0,
      ]),
    );
    const a = await vigil('face', 'compare', text, text);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/not a JPEG or PNG image/);
    const b = await vigil('face', 'compare', join(workDir, 'absent.jpg'), text);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/no such file/);
    const c = await vigil('face', 'compare', huge, huge);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/10000 x 10000/);
    const d = await vigil('face', 'compare', text, text, '--fmr', 'two');
    expect(d.stderr).toMatch(/not a false match rate/);
  });
});

describe.skipIf(!haveData)('vigil face on shared LFW images', () => {
  const ids = haveData ? readdirSync(faces).sort() : [];
  const file = (id: string, k: number) => join(faces, id, readdirSync(join(faces, id)).sort()[k]!);

  it('compares two photographs and prints the score, decision and PA scores', async () => {
    const r = await vigil('face', 'compare', file(ids[0]!, 0), file(ids[0]!, 1), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      match: boolean;
      score: number;
      a: { presentationAttack: { antispoof: number; liveness: number } };
    };
    expect(j.match).toBe(true);
    expect(j.a.presentationAttack.antispoof).toBeGreaterThanOrEqual(0);
    const text = await vigil('face', 'compare', file(ids[0]!, 0), file(ids[3]!, 0));
    expect(text.stdout).toMatch(/NO MATCH/);
    expect(text.stdout).toMatch(/anti-spoof \d\.\d\d, liveness \d\.\d\d/);
  });

  it('evaluates a small LFW-layout folder with the documented JSON keys', async () => {
    const small = join(workDir, 'lfw');
    for (const id of ids.slice(0, 3)) {
      mkdirSync(join(small, id), { recursive: true });
      for (let k = 0; k < 3; k++) copyFileSync(file(id, k), join(small, id, `${id}_${k}.jpg`));
    }
    writeFileSync(join(small, ids[0]!, 'broken.jpg'), 'not a photograph');
    const r = await vigil('face', 'eval', small, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, number>;
    for (const key of [
      'eer',
      'fmr1000',
      'failureToAcquire',
      'msPerImage',
      'genuinePairs',
      'impostorPairs',
    ]) {
      expect(typeof j[key]).toBe('number');
    }
    expect(j.failureToAcquire).toBeCloseTo(1 / 10, 6);
    expect(j.genuinePairs).toBe(9);
    expect(j.impostorPairs).toBe(27);
  });
});
