import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureFace, nearestCentre } from './capture.ts';
import { compareFaces } from './compare.ts';
import { loadFaceEngine } from './engine.ts';
import { flatPng, jpegHeaderOnly, sharedFaces } from './testing.ts';

// The models load once for this file (about a second); each capture is ~0.2 s.
beforeAll(async () => {
  await loadFaceEngine();
});

describe('captureFace: bad input', () => {
  it('says so when there is no face', async () => {
    const r = await captureFace(flatPng(200, 200));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('No face was found in the image.');
  });
  it('refuses a text file, a 1 x 1 image and a 10000 x 10000 image without throwing', async () => {
    for (const bytes of [
      new TextEncoder().encode('not an image'),
      flatPng(1, 1),
      jpegHeaderOnly(10_000, 10_000),
    ]) {
      const r = await captureFace(bytes);
      expect(r.ok).toBe(false);
    }
  });
});

describe('nearestCentre', () => {
  it('takes the face nearest the centre, not the biggest', () => {
    const faces = [
      { box: [0, 0, 120, 120] as const, id: 'big corner' },
      { box: [80, 80, 40, 40] as const, id: 'small centre' },
    ];
    expect(nearestCentre(faces, 200, 200)?.id).toBe('small centre');
    const none: { box: readonly [number, number, number, number] }[] = [];
    expect(nearestCentre(none, 200, 200)).toBeUndefined();
  });
});

describe.skipIf(sharedFaces === undefined)('captureFace on shared LFW images', () => {
  const dir = sharedFaces ?? '';
  const ids = sharedFaces === undefined ? [] : readdirSync(dir).sort();
  const image = (id: string, k: number) => {
    const files = readdirSync(join(dir, id)).sort();
    return readFileSync(join(dir, id, files[k]!));
  };

  it('detects, embeds and scores presentation attacks; keeps no image by default', async () => {
    const r = await captureFace(image(ids[0]!, 0));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.value;
    expect(c.template.dlib.length).toBe(128);
    expect(c.image).toBeUndefined();
    expect(c.presentationAttack.antispoof).toBeGreaterThanOrEqual(0);
    expect(c.presentationAttack.antispoof).toBeLessThanOrEqual(1);
    expect(c.presentationAttack.liveness).toBeGreaterThanOrEqual(0);
    expect(c.presentationAttack.liveness).toBeLessThanOrEqual(1);
    expect(c.quality.interEyePixels).toBeGreaterThan(20);
    expect(c.quality.sharpness).toBeGreaterThan(0);
    // LFW crops centre the subject: the chosen face covers the image centre.
    expect(c.box.x).toBeLessThan(125);
    expect(c.box.x + c.box.width).toBeGreaterThan(125);
    const kept = await captureFace(image(ids[0]!, 0), { keepImage: true });
    expect(kept.ok && kept.value.image?.width).toBe(250);
  });

  it('matches two images of one person and not of two people at FMR 0.1%', async () => {
    const a = await captureFace(image(ids[1]!, 0));
    const b = await captureFace(image(ids[1]!, 1));
    const c = await captureFace(image(ids[2]!, 0));
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (!a.ok || !b.ok || !c.ok) return;
    const same = compareFaces(a.value.template, b.value.template);
    const other = compareFaces(a.value.template, c.value.template);
    expect(same.score).toBeGreaterThan(other.score);
    expect(same.match).toBe(true);
    expect(other.match).toBe(false);
  });
});

if (sharedFaces === undefined) {
  console.warn('face capture tests on LFW skipped: shared data not found (set VIGIL_SHARED_DATA)');
}
