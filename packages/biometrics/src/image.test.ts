import fc from 'fast-check';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { extractTemplate } from './fingerprint.ts';
import { decodeImage, encodeBmp, resampleTo500 } from './image.ts';
import { flatImage, ridgeImage, tiffBytes } from './testing.ts';

const message = (r: { ok: boolean; error?: { message: string } }) =>
  r.ok ? 'ok' : (r.error?.message ?? '');

describe('decodeImage', () => {
  const ridges = ridgeImage({ width: 120, height: 100 });

  it('reads an 8-bit grayscale TIFF, PNG and BMP to the same pixels', () => {
    const tiff = decodeImage(tiffBytes(ridges));
    const png = new PNG({ width: 120, height: 100, colorType: 0, inputColorType: 0, bitDepth: 8 });
    png.data = Buffer.from(ridges.pixels);
    const pngBytes = PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8 });
    const fromPng = decodeImage(pngBytes);
    const bmp = decodeImage(encodeBmp(ridges));
    for (const r of [tiff, fromPng, bmp]) {
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r.value.width).toBe(120);
        expect(r.value.height).toBe(100);
        expect(Array.from(r.value.pixels.subarray(0, 300))).toEqual(
          Array.from(ridges.pixels.subarray(0, 300)),
        );
      }
    }
  });

  it('refuses bad inputs with a clear message', () => {
    const good = tiffBytes(ridges);
    expect(message(decodeImage(good.subarray(0, good.length - 500)))).toMatch(/truncated/);
    expect(message(decodeImage(tiffBytes(ridges, { bitsPerSample: 16 })))).toMatch(/16 bits/);
    expect(message(decodeImage(tiffBytes(ridges, { samplesPerPixel: 3 })))).toMatch(/colour/);
    expect(message(decodeImage(tiffBytes(flatImage(1, 1, 0))))).toMatch(/1x1 pixels.*too small/);
    expect(message(decodeImage(new TextEncoder().encode('hello, this is not an image\n')))).toMatch(
      /not a TIFF, PNG or BMP/,
    );
    const huge = tiffBytes(flatImage(1, 1, 0), {
      claimWidth: 20000,
      claimHeight: 20000,
      omitPixels: true,
    });
    expect(huge.length).toBeLessThan(200);
    expect(message(decodeImage(huge))).toMatch(/20000x20000.*largest accepted/);
    expect(message(decodeImage(new Uint8Array(3)))).toMatch(/too short/);
  });

  it('refuses colour PNG and BMP', () => {
    const png = new PNG({ width: 40, height: 40 });
    png.data.fill(200);
    expect(message(decodeImage(PNG.sync.write(png)))).toMatch(/colour/);
    const bmp = encodeBmp(flatImage(40, 40, 10));
    bmp[54] = 7; // first palette entry no longer gray
    expect(message(decodeImage(bmp))).toMatch(/colour palette/);
    expect(message(decodeImage(encodeBmp(flatImage(40, 40, 10)).subarray(0, 1200)))).toMatch(
      /truncated/,
    );
  });

  it('says "no usable fingerprint" for blank and noise images', () => {
    const white = extractTemplate(tiffBytes(flatImage(300, 300, 255)));
    expect(message(white)).toMatch(/No usable fingerprint: too little ridge structure/);
    let seed = 1;
    const noise = flatImage(300, 300, 0);
    for (let i = 0; i < noise.pixels.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      noise.pixels[i] = 120 + ((seed >>> 16) % 8);
    }
    expect(message(extractTemplate(tiffBytes(noise)))).toMatch(/No usable fingerprint/);
  });

  it('survives hostile TIFF directories and mutated files (fuzz)', () => {
    const valid = tiffBytes(ridgeImage({ width: 40, height: 40 }));
    // A directory whose "next directory" points at itself: utif2 alone would loop forever.
    const loop = Uint8Array.from(valid);
    new DataView(loop.buffer).setUint32(8 + 2 + 9 * 12, 8, true);
    expect(decodeImage(loop).ok).toBe(true);
    // A tag claiming four billion values.
    const greedy = Uint8Array.from(valid);
    new DataView(greedy.buffer).setUint32(8 + 2 + 2 * 12 + 4, 0xffffffff, true);
    expect(message(decodeImage(greedy))).toMatch(/damaged/);
    const png = new PNG({ width: 40, height: 40, colorType: 0, inputColorType: 0, bitDepth: 8 });
    png.data = Buffer.from(ridgeImage({ width: 40, height: 40 }).pixels);
    const samples = [
      valid,
      encodeBmp(ridgeImage({ width: 40, height: 40 })),
      new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8 })),
    ];
    fc.assert(
      fc.property(
        fc.nat(samples.length - 1),
        fc.array(fc.tuple(fc.nat(4000), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(4000),
        (which, edits, cut) => {
          const bytes = Uint8Array.from(samples[which]!);
          for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
          const r = decodeImage(bytes.subarray(0, Math.max(8, Math.min(bytes.length, cut))));
          if (r.ok) expect(r.value.pixels.length).toBe(r.value.width * r.value.height);
          else expect(r.error.message.length).toBeGreaterThan(10);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('resamples to 500 dpi', () => {
    const r = resampleTo500(ridgeImage({ width: 569, height: 100 }), 569);
    expect(r.width).toBe(500);
    expect(r.height).toBe(88);
    expect(resampleTo500(ridges, 500)).toBe(ridges);
  });
});
