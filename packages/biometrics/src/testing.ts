import type { GrayImage } from './image.ts';
import { quantizeDirection } from './iso.ts';
import { MinutiaKind, type FingerprintTemplate } from './template.ts';

/**
 * Synthetic inputs for tests: ridge patterns with a known orientation and period, a
 * minutia made as a phase dislocation, and hand-built TIFF files (8-bit, 16-bit, colour,
 * truncated, or claiming an enormous size).
 */

export interface RidgeOptions {
  readonly width?: number;
  readonly height?: number;
  /** Ridge orientation, radians (0 = ridges run along x). */
  readonly angle?: number;
  /** Ridge period in pixels. */
  readonly period?: number;
  /** Place one minutia (a phase dislocation, Larkin and Fletcher 2007) here. */
  readonly minutia?: { readonly x: number; readonly y: number };
}

/** Parallel ridges, 128 +- 90 gray levels, dark ridges. */
export function ridgeImage(options: RidgeOptions = {}): GrayImage {
  const width = options.width ?? 256;
  const height = options.height ?? 256;
  const angle = options.angle ?? 0;
  const period = options.period ?? 9;
  const pixels = new Uint8Array(width * height);
  const nx = -Math.sin(angle);
  const ny = Math.cos(angle);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let phase = (2 * Math.PI * (x * nx + y * ny)) / period;
      if (options.minutia !== undefined) {
        phase += Math.atan2(y - options.minutia.y, x - options.minutia.x);
      }
      pixels[y * width + x] = Math.round(128 + 90 * Math.cos(phase));
    }
  }
  return { width, height, pixels };
}

/** A uniform image. */
export function flatImage(width: number, height: number, level: number): GrayImage {
  return { width, height, pixels: new Uint8Array(width * height).fill(level) };
}

export interface TiffOptions {
  readonly bitsPerSample?: number;
  readonly samplesPerPixel?: number;
  /** Header width and height to claim instead of the image's own. */
  readonly claimWidth?: number;
  readonly claimHeight?: number;
  /** Leave out the pixel data (header only). */
  readonly omitPixels?: boolean;
}

/** A baseline uncompressed little-endian TIFF with one strip. */
export function tiffBytes(image: GrayImage, options: TiffOptions = {}): Uint8Array {
  const bits = options.bitsPerSample ?? 8;
  const samples = options.samplesPerPixel ?? 1;
  const width = options.claimWidth ?? image.width;
  const height = options.claimHeight ?? image.height;
  const bytesPerPixel = (bits / 8) * samples;
  const pixelBytes = options.omitPixels === true ? 0 : image.width * image.height * bytesPerPixel;
  const tags: [number, number, number][] = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, bits],
    [259, 3, 1],
    [262, 3, samples === 3 ? 2 : 1],
    [273, 4, 0], // strip offset, patched below
    [277, 3, samples],
    [278, 4, height],
    [279, 4, width * height * bytesPerPixel],
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + tags.length * 12 + 4;
  const dataOffset = ifdOffset + ifdSize;
  const out = new Uint8Array(dataOffset + pixelBytes);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0], 0);
  v.setUint32(4, ifdOffset, true);
  v.setUint16(ifdOffset, tags.length, true);
  tags.forEach(([tag, type, value], k) => {
    const p = ifdOffset + 2 + k * 12;
    v.setUint16(p, tag, true);
    v.setUint16(p + 2, type, true);
    v.setUint32(p + 4, 1, true);
    if (type === 3) v.setUint16(p + 8, value, true);
    else v.setUint32(p + 8, tag === 273 ? dataOffset : value, true);
  });
  v.setUint32(ifdOffset + 2 + tags.length * 12, 0, true);
  for (let i = 0; i < image.width * image.height && pixelBytes > 0; i++) {
    for (let b = 0; b < bytesPerPixel; b++)
      out[dataOffset + i * bytesPerPixel + b] = image.pixels[i]!;
  }
  return out;
}

/** A template as the extractor makes them: integer positions, ISO-quantised angles. */
export function randomTemplate(seed: number, count = 40): FingerprintTemplate {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return {
    width: 400,
    height: 400,
    quality: 70,
    x: Float32Array.from({ length: count }, () => Math.round(20 + rnd() * 360)),
    y: Float32Array.from({ length: count }, () => Math.round(20 + rnd() * 360)),
    direction: Float32Array.from({ length: count }, () => quantizeDirection(rnd() * 2 * Math.PI)),
    kind: Uint8Array.from({ length: count }, () =>
      rnd() < 0.5 ? MinutiaKind.Ending : MinutiaKind.Bifurcation,
    ),
    reliability: Float32Array.from({ length: count }, () => Math.round(rnd() * 100) / 100),
  };
}
