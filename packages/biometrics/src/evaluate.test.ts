import { describe, expect, it } from 'vitest';
import {
  detSvg,
  errorRates,
  lowQualityShareOfFailures,
  parseImpressionName,
  protocolPairs,
  type Impression,
} from './evaluate.ts';

describe('evaluation', () => {
  it('computes EER and FNMR at fixed FMR', () => {
    const genuine = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    const impostor = Array.from({ length: 1000 }, (_, i) => i / 20); // 0..49.95
    const r = errorRates(genuine, impostor);
    // FMR 1% needs threshold > 49.45: genuine below 49.5 fail -> 49%.
    expect(r.fmr100).toBeCloseTo(0.49, 2);
    expect(r.zeroFmr).toBeCloseTo(0.49, 2);
    expect(r.eer).toBeGreaterThan(0.3);
    expect(r.eer).toBeLessThan(0.35);
    const perfect = errorRates([10, 11], [1, 2]);
    expect(perfect.eer).toBe(0);
    expect(perfect.zeroFmr).toBe(0);
  });

  it('builds the FVC2002 and all-pairs protocols', () => {
    const impressions: Impression[] = [];
    for (let f = 101; f <= 110; f++) {
      for (let i = 1; i <= 8; i++) impressions.push(parseImpressionName(`${f}_${i}.tif`)!);
    }
    const fvc = protocolPairs(impressions, 'fvc');
    expect(fvc.genuine).toHaveLength(280);
    expect(fvc.impostor).toHaveLength(45);
    const all = protocolPairs(impressions, 'all');
    expect(all.genuine).toHaveLength(280);
    expect(all.impostor).toHaveLength(2880);
    expect(parseImpressionName('notes.txt')).toBeUndefined();
  });

  it('measures how much of the failure the low-quality tenth holds', () => {
    const q = [10, 90, 90, 90, 90, 90, 90, 90, 90, 90];
    const pairs: [number, number][] = [
      [0, 1],
      [2, 3],
      [4, 5],
    ];
    const r = lowQualityShareOfFailures(q, pairs, [1, 1, 50], 10);
    expect(r).toEqual({ failures: 2, inLowestTenth: 1, share: 0.5 });
  });

  it('draws a DET curve', () => {
    const svg = detSvg([{ label: 'a<b', points: [{ threshold: 1, fmr: 0.01, fnmr: 0.1 }] }]);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('a&#60;b');
  });
});
