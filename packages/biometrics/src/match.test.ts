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

  it('judges a partial print on the area it shares with the other', () => {
    // The left half of the print, as a small sensor or an off-centre touch would see it.
    const keep = (t: FingerprintTemplate, inside: (i: number) => boolean): FingerprintTemplate => {
      const idx = Array.from(t.x, (_, i) => i).filter(inside);
      return {
        ...t,
        x: Float32Array.from(idx, (i) => t.x[i]!),
        y: Float32Array.from(idx, (i) => t.y[i]!),
        direction: Float32Array.from(idx, (i) => t.direction[i]!),
        kind: Uint8Array.from(idx, (i) => t.kind[i]!),
        reliability: Float32Array.from(idx, (i) => t.reliability[i]!),
      };
    };
    const b = randomTemplate(12, 80);
    const half = prepareTemplate(keep(b, (i) => b.x[i]! < 200));
    const shifted = moved(b, 0.4, 20, -10);
    const alone = matchPrepared(half, prepareTemplate(keep(shifted, (i) => b.x[i]! < 200)));
    // Minutiae of the full print outside the half's area were never seen by the half:
    // they do not count against it (only the edges that cross the cut are lost).
    const full = matchPrepared(half, prepareTemplate(shifted));
    expect(full).toBeGreaterThan(0.7 * alone);
    expect(full).toBeGreaterThan(thresholdForFmr(1e-4));
    // Unpaired minutiae inside the shared area do: the same half with its right half
    // replaced by another finger's minutiae scores lower.
    const other = randomTemplate(13, 80);
    const mixed: FingerprintTemplate = {
      ...b,
      x: Float32Array.from(b.x, (x, i) => (x < 200 ? x : other.x[i]! * 0.5)),
      y: Float32Array.from(b.y, (y, i) => (b.x[i]! < 200 ? y : other.y[i]!)),
    };
    expect(matchPrepared(half, prepareTemplate(mixed))).toBeLessThan(0.9 * full);
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
