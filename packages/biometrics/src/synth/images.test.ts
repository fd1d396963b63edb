import { describe, expect, it } from 'vitest';
import { extractMinutiae } from '../extract.ts';
import { decodeImage } from '../image.ts';
import { matchPrepared, prepareTemplate } from '../match.ts';
import type { FingerprintTemplate } from '../template.ts';
import { renderImpression } from './impression.ts';
import { synthesizeMasterFingerprint, type MasterFingerprint } from './master.ts';
import { FINGERPRINT_CLASSES, insideFinger, type FingerprintClass } from './orientation.ts';
import { encodeGrayImage, synthesizeFinger } from './set.ts';

// Growing a master takes a few seconds of CPU: each class is grown once and shared.
const masters = new Map<FingerprintClass, MasterFingerprint>();
function master(c: FingerprintClass): MasterFingerprint {
  let m = masters.get(c);
  if (m === undefined) {
    m = synthesizeMasterFingerprint(40 + FINGERPRINT_CLASSES.indexOf(c), { fingerClass: c });
    masters.set(c, m);
  }
  return m;
}

function template(m: MasterFingerprint, seed: number, impression: number): FingerprintTemplate {
  const r = extractMinutiae(renderImpression(m, seed, impression).image);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.template;
}

describe('synthetic fingerprint images', () => {
  it('grows ridges over the fingertip, with a plausible number of minutiae per class', () => {
    for (const c of FINGERPRINT_CLASSES) {
      const m = master(c);
      expect(m.layout.fingerClass).toBe(c);
      // Ridges cover about half of the fingertip (ridge and valley equally wide) and
      // nothing outside it.
      let inside = 0;
      let ridge = 0;
      let outside = 0;
      for (let y = 0; y < m.height; y++) {
        for (let x = 0; x < m.width; x++) {
          const on = m.ridges[y * m.width + x] === 1;
          if (insideFinger(m.layout, x, y)) {
            inside++;
            if (on) ridge++;
          } else if (on) outside++;
        }
      }
      expect(outside).toBe(0);
      expect(ridge / inside).toBeGreaterThan(0.35);
      expect(ridge / inside).toBeLessThan(0.65);
      // A whole fingertip holds tens of minutiae; arches, with the smoothest flow, fewest.
      const least = c === 'arch' || c === 'tented-arch' ? 5 : 15;
      expect(m.minutiae.length, c).toBeGreaterThanOrEqual(least);
      expect(m.minutiae.length, c).toBeLessThanOrEqual(120);
      const endings = m.minutiae.filter((x) => x.kind === 1).length;
      expect(endings).toBeGreaterThan(0);
      expect(endings).toBeLessThan(m.minutiae.length);
    }
  });

  it('is deterministic: the same seed gives the same bytes', () => {
    const again = synthesizeMasterFingerprint(40, { fingerClass: 'arch' });
    expect(Buffer.from(again.ridges).equals(Buffer.from(master('arch').ridges))).toBe(true);
    const a = encodeGrayImage(renderImpression(again, 9, 3).image, 'png');
    const b = encodeGrayImage(renderImpression(master('arch'), 9, 3).image, 'png');
    const c = encodeGrayImage(renderImpression(master('arch'), 9, 4).image, 'png');
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('renders at the requested resolution with the sensor size fixed in millimetres', () => {
    const m = master('whorl');
    for (const [dpi, w, h] of [
      [500, 288, 384],
      [250, 144, 192],
      [1000, 576, 768],
    ] as const) {
      const { image } = renderImpression(m, 1, 1, { dpi });
      expect([image.width, image.height, image.pixels.length]).toEqual([w, h, w * h]);
    }
    const png = decodeImage(encodeGrayImage(renderImpression(m, 1, 1).image, 'png'));
    const tif = decodeImage(encodeGrayImage(renderImpression(m, 1, 1).image, 'tif'));
    expect(png.ok && tif.ok).toBe(true);
    if (png.ok && tif.ok) expect(Buffer.from(png.value.pixels).equals(tif.value.pixels)).toBe(true);
  });

  it('gives the extractor a template whose minutiae lie on the ground truth', () => {
    const m = master('right-loop');
    const impression = renderImpression(m, 5, 1);
    const r = extractMinutiae(impression.image);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const t = r.value.template;
    expect(t.x.length).toBeGreaterThanOrEqual(10);
    expect(t.x.length).toBeLessThanOrEqual(60);
    // Most extracted minutiae are true ones: a master minutia mapped through the same
    // placement and distortion lies within a ridge period of them.
    let near = 0;
    for (let i = 0; i < t.x.length; i++) {
      if (impression.minutiae.some((g) => Math.hypot(g.x - t.x[i]!, g.y - t.y[i]!) <= 9)) near++;
    }
    expect(near / t.x.length).toBeGreaterThan(0.5);
  });

  it('matches impressions of the same finger above impressions of different fingers', () => {
    const a = master('left-loop');
    const b = master('right-loop');
    const a1 = prepareTemplate(template(a, 1, 1));
    const a2 = prepareTemplate(template(a, 1, 2));
    const b1 = prepareTemplate(template(b, 2, 1));
    const b2 = prepareTemplate(template(b, 2, 2));
    const genuine = Math.min(matchPrepared(a1, a2), matchPrepared(b1, b2));
    const impostor = Math.max(
      matchPrepared(a1, b1),
      matchPrepared(a1, b2),
      matchPrepared(a2, b1),
      matchPrepared(a2, b2),
    );
    expect(genuine).toBeGreaterThan(impostor);
  });

  it('names files as FVC does and keeps the ground truth of each impression', () => {
    const f = synthesizeFinger(3, 12, { impressions: 2, format: 'tif' });
    expect(f.files.map((x) => x.name)).toEqual(['12_1.tif', '12_2.tif']);
    expect(f.truth.finger).toBe(12);
    expect(f.truth.minutiae.length).toBeGreaterThan(0);
    expect(f.truth.impressions.map((i) => i.file)).toEqual(['12_1.tif', '12_2.tif']);
    for (const m of f.truth.minutiae) {
      expect(m.directionDegrees).toBeGreaterThanOrEqual(0);
      expect(m.directionDegrees).toBeLessThan(360);
    }
  });
}, 240_000);
