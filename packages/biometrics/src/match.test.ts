import { describe, expect, it } from 'vitest';
import { randomTemplate } from './testing.ts';
import { matchDetails, matchPrepared, prepareTemplate } from './match.ts';
import { FMR_CALIBRATION, scoreToFmr, thresholdForFmr } from './score.ts';
import type { FingerprintTemplate } from './template.ts';

/** Rotates and shifts a template, with a little position noise (skin is not rigid). */
function moved(t: FingerprintTemplate, angle: number, dx: number, dy: number): FingerprintTemplate {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const n = t.x.length;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const direction = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const jitter = ((i * 7) % 5) - 2;
    x[i] = c * t.x[i]! - s * t.y[i]! + dx + jitter;
    y[i] = s * t.x[i]! + c * t.y[i]! + dy - jitter;
    direction[i] = (t.direction[i]! + angle + 2 * Math.PI) % (2 * Math.PI);
  }
  return { ...t, x, y, direction };
}

describe('matching', () => {
  const a = randomTemplate(11, 40);

  it('is invariant to rotation and translation', () => {
    const self = matchPrepared(prepareTemplate(a), prepareTemplate(a));
    for (const [angle, dx, dy] of [
      [0.5, 30, -20],
      [-1.2, -50, 80],
      [Math.PI, 400, 400],
    ] as const) {
      const score = matchPrepared(prepareTemplate(a), prepareTemplate(moved(a, angle, dx, dy)));
      expect(score).toBeGreaterThan(0.6 * self);
    }
  });

  it('tells different fingers apart', () => {
    const pa = prepareTemplate(a);
    const genuine = matchPrepared(pa, prepareTemplate(moved(a, 0.3, 10, 10)));
    for (let seed = 100; seed < 130; seed++) {
      const other = matchPrepared(pa, prepareTemplate(randomTemplate(seed, 40)));
      expect(other).toBeLessThan(thresholdForFmr(1e-3));
      expect(other).toBeLessThan(genuine / 3);
    }
    expect(genuine).toBeGreaterThan(thresholdForFmr(1e-4));
  });

  it('pairs the right minutiae', () => {
    const d = matchDetails(prepareTemplate(a), prepareTemplate(moved(a, 0.2, 5, 5)));
    const right = d.pairs.filter(([p, c]) => p === c).length;
    expect(right).toBeGreaterThan(0.8 * d.pairedMinutiae);
    expect(d.pairedMinutiae).toBeGreaterThan(25);
  });

  it('handles tiny templates', () => {
    const tiny = randomTemplate(3, 1);
    expect(matchPrepared(prepareTemplate(tiny), prepareTemplate(a))).toBe(0);
    expect(matchPrepared(prepareTemplate(randomTemplate(3, 0)), prepareTemplate(a))).toBe(0);
  });

  it('maps scores to false match rates monotonically', () => {
    expect(scoreToFmr(0)).toBe(1);
    let prev = 1;
    for (let s = 0; s < 60; s += 0.5) {
      const f = scoreToFmr(s);
      expect(f).toBeLessThanOrEqual(prev);
      prev = f;
    }
    const last = FMR_CALIBRATION[FMR_CALIBRATION.length - 1]!;
    expect(scoreToFmr(last[0])).toBeCloseTo(last[1], 6);
    expect(scoreToFmr(thresholdForFmr(1e-4))).toBeCloseTo(1e-4, 6);
  });
});
