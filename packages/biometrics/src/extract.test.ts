import { describe, expect, it } from 'vitest';
import { BLOCK, extractFeatures, thin } from './extract.ts';
import { ridgeImage } from './testing.ts';

function angleGap(a: number, b: number, period: number): number {
  const d = Math.abs(a - b) % period;
  return Math.min(d, period - d);
}

describe('extraction stages on synthetic ridges', () => {
  it('finds the orientation, period and foreground of parallel ridges', () => {
    for (const angle of [0, Math.PI / 6, Math.PI / 2, (3 * Math.PI) / 4]) {
      for (const period of [7, 10]) {
        // One dislocation so the print has a minutia; the fields hold everywhere else.
        const r = extractFeatures(ridgeImage({ angle, period, minutia: { x: 128, y: 128 } }));
        expect(r.ok).toBe(true);
        if (!r.ok) continue;
        const f = r.value.fields;
        const q = 4 * f.blocksX + 4; // away from the dislocation
        expect(f.mask[q]).toBe(1);
        expect(angleGap(f.orientation[q]!, angle, Math.PI)).toBeLessThan(0.1);
        expect(f.coherence[q]).toBeGreaterThan(0.8);
        expect(Math.abs(f.period[q]! - period)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('binarises ridges at the right period and thins them to one pixel', () => {
    const r = extractFeatures(ridgeImage({ period: 9, minutia: { x: 128, y: 128 } }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const { ridges, skeleton, width } = r.value.fields;
    // Along a column far from the dislocation, a ridge every 9 px, each 1 px wide after thinning.
    let ridgeRuns = 0;
    let skeletonPixels = 0;
    for (let y = 40; y < 220; y++) {
      const i = y * width + 40;
      if (ridges[i] === 1 && ridges[i - width] === 0) ridgeRuns++;
      skeletonPixels += skeleton[i]!;
    }
    expect(ridgeRuns).toBe(20);
    expect(skeletonPixels).toBe(20);
  });

  it('detects the minutia of a phase dislocation where it is, along the ridges', () => {
    for (const angle of [0, 1]) {
      const r = extractFeatures(ridgeImage({ angle, minutia: { x: 130, y: 120 } }));
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      const found = r.value.minutiae;
      // Exactly one minutia, where the dislocation is, pointing along the ridges.
      expect(found).toHaveLength(1);
      const m = found[0]!;
      expect(Math.hypot(m.x - 130, m.y - 120)).toBeLessThan(BLOCK);
      expect(angleGap(m.direction, angle, Math.PI)).toBeLessThan(0.3);
    }
  });

  it('thins a thick bar to a one-pixel line', () => {
    const w = 40;
    const h = 20;
    const bar = new Uint8Array(w * h);
    for (let y = 7; y < 13; y++) for (let x = 5; x < 35; x++) bar[y * w + x] = 1;
    const s = thin(bar, w, h);
    for (let x = 10; x < 30; x++) {
      let column = 0;
      for (let y = 0; y < h; y++) column += s[y * w + x]!;
      expect(column).toBe(1);
    }
  });
});
