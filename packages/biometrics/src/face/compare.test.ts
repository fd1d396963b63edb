import { describe, expect, it } from 'vitest';
import {
  FACE_FMR_CALIBRATION,
  compareFaces,
  faceScore,
  faceScoreToFmr,
  faceThresholdForFmr,
} from './compare.ts';
import { poseFromLandmarks } from './quality.ts';

const t = (v: number[]) => ({ dlib: Float32Array.from(v) });

describe('face score and its false match rate', () => {
  it('scores identical embeddings 1 and a distance of 0.6 as 0.4', () => {
    expect(faceScore(t([0.1, 0.2]), t([0.1, 0.2]))).toBeCloseTo(1, 6);
    expect(faceScore(t([0, 0]), t([0.6, 0]))).toBeCloseTo(0.4, 6);
    expect(faceScore(t([0, 0]), t([0, 0, 0]))).toBe(-Infinity);
  });
  it('maps scores to FMR through the calibration points, falling monotonically', () => {
    for (const [s, f] of FACE_FMR_CALIBRATION) expect(faceScoreToFmr(s)).toBeCloseTo(f, 6);
    let prev = 1;
    for (let s = -0.5; s <= 1; s += 0.01) {
      const f = faceScoreToFmr(s);
      expect(f).toBeLessThanOrEqual(prev + 1e-12);
      expect(f).toBeGreaterThan(0);
      prev = f;
    }
    expect(faceScoreToFmr(Number.NaN)).toBe(1);
  });
  it('inverts the mapping: the threshold for an FMR gives that FMR', () => {
    for (const fmr of [0.1, 0.01, 1e-3, 1e-4]) {
      expect(faceScoreToFmr(faceThresholdForFmr(fmr))).toBeCloseTo(fmr, 6);
    }
    expect(faceThresholdForFmr(1e-4)).toBeGreaterThan(faceThresholdForFmr(1e-3));
  });
  it('decides at the target FMR', () => {
    const near = compareFaces(t([0, 0]), t([0.2, 0]));
    const far = compareFaces(t([0, 0]), t([0.9, 0]));
    expect(near.match).toBe(true);
    expect(far.match).toBe(false);
    expect(far.fmr).toBeGreaterThan(near.fmr);
  });
});

describe('pose from the 68 landmarks', () => {
  it('reads a frontal synthetic face as near zero and a tilted one as rolled', () => {
    const pts = Array.from({ length: 68 }, () => ({ x: 50, y: 50 }));
    pts[0] = { x: 0, y: 40 };
    pts[16] = { x: 100, y: 40 };
    for (let k = 36; k < 42; k++) pts[k] = { x: 30, y: 40 };
    for (let k = 42; k < 48; k++) pts[k] = { x: 70, y: 40 };
    pts[30] = { x: 50, y: 58 };
    for (let k = 48; k < 68; k++) pts[k] = { x: 50, y: 80 };
    const p = poseFromLandmarks(pts);
    expect(Math.abs(p.yaw)).toBeLessThan(1);
    expect(Math.abs(p.roll)).toBeLessThan(1);
    expect(Math.abs(p.pitch)).toBeLessThan(5);
    pts[30] = { x: 75, y: 58 };
    expect(Math.abs(poseFromLandmarks(pts).yaw)).toBeGreaterThan(20);
  });
});
