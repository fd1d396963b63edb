import { describe, expect, it } from 'vitest';
import { chimericUsers, evaluateChimeric } from './chimeric.ts';
import { FMR_FLOOR, fmrToEvidence, fuseFmrs, fusedDecision, productTail } from './fuse.ts';
import { seededRandom } from '@vigil/core';

describe('fusion rule', () => {
  it('turns FMRs into evidence, with a floor', () => {
    expect(fmrToEvidence(1)).toBe(0);
    expect(fmrToEvidence(1e-3)).toBeCloseTo(3, 12);
    expect(fmrToEvidence(0)).toBeCloseTo(-Math.log10(FMR_FLOOR), 12);
    expect(fmrToEvidence(Number.NaN)).toBe(0);
  });
  it('gives the fused FMR of two modalities as p (1 - ln p)', () => {
    const f = fuseFmrs([1e-2, 1e-2]);
    expect(f.evidence).toBeCloseTo(4, 12);
    expect(f.fmr).toBeCloseTo(1e-4 * (1 + Math.log(1e4)), 12);
    expect(fuseFmrs([0.3]).fmr).toBeCloseTo(0.3, 12);
    expect(productTail(1, 2)).toBe(1);
  });
  it('is calibrated: for independent uniform FMRs the fused FMR is uniform too', () => {
    const r = seededRandom(7);
    const n = 200_000;
    for (const target of [0.1, 0.01, 0.001]) {
      let hits = 0;
      for (let k = 0; k < n; k++) if (fusedDecision([r(), r()], target).match) hits++;
      expect(hits / n).toBeGreaterThan(target * 0.85);
      expect(hits / n).toBeLessThan(target * 1.15);
    }
  });
  it('fused EER on synthetic chimeric scores is lower than either modality alone', () => {
    // Two independent matchers whose genuine evidence is -log10 FMR ~ N(mu, 1).
    const r = seededRandom(11);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const users = chimericUsers(
      Array.from({ length: 20 }, (_, k) => `f${k}`),
      Array.from({ length: 25 }, (_, k) => `p${k}`),
    );
    expect(users.length).toBe(20);
    const samples = users.flatMap((u) =>
      Array.from({ length: 6 }, (_, j) => ({ user: u.user, index: j + 1 })),
    );
    const memo = new Map<string, number>();
    const fmrOf = (kind: string, mu: number) => (a: number, b: number) => {
      const key = `${kind}:${a}:${b}`;
      let v = memo.get(key);
      if (v === undefined) {
        const genuine = samples[a]!.user === samples[b]!.user;
        v = genuine ? 10 ** -Math.max(0, mu + gauss()) : r();
        memo.set(key, v);
      }
      return v;
    };
    const e = evaluateChimeric(samples, fmrOf('finger', 2), fmrOf('face', 1.5));
    expect(e.fused.eer).toBeLessThan(e.fingerprint.eer);
    expect(e.fused.eer).toBeLessThan(e.face.eer);
    expect(e.genuinePairs).toBe(20 * 15);
  });
});
