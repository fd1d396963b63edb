import type { OrientationField } from './orientation-field.ts';

/** Minutia types, coded as ISO/IEC 19794-2:2005 §7.4.1.1 codes them (2 bits). */
export const MinutiaKind = {
  Other: 0,
  Ending: 1,
  Bifurcation: 2,
} as const;
export type MinutiaKind = (typeof MinutiaKind)[keyof typeof MinutiaKind];

/**
 * A fingerprint template in memory: one minutia per index, in structure-of-arrays form so
 * matching touches only typed arrays. Coordinates are pixels at 500 dpi, origin top left,
 * y down. Direction is in radians in [0, 2pi), measured from the x axis toward +y (image
 * coordinates): a ridge ending points along its ridge, away from the end; a bifurcation
 * points between its two branches. (ISO angles run counter-clockwise, see iso.ts.)
 */
export interface FingerprintTemplate {
  /** Size of the (500 dpi) image the minutiae come from. */
  readonly width: number;
  readonly height: number;
  /** Image quality 0..100 (see README: it predicts matching trouble). */
  readonly quality: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly direction: Float32Array;
  readonly kind: Uint8Array;
  /** Reliability of each minutia, 0..1 (ISO quality / 100). */
  readonly reliability: Float32Array;
  /**
   * Coarse ridge-orientation field (see orientation-field.ts), when the extractor gave
   * one; templates from other extractors have none and are matched on minutiae alone.
   */
  readonly orientationField?: OrientationField;
}

export interface MinutiaRecord {
  readonly x: number;
  readonly y: number;
  /** Radians in [0, 2pi), image coordinates (y down). */
  readonly direction: number;
  readonly kind: 'ending' | 'bifurcation' | 'other';
  readonly reliability: number;
}

const KIND_NAMES = ['other', 'ending', 'bifurcation'] as const;

/** The template as plain JSON-able records (for `extract -o out.json`). */
export function templateToJson(t: FingerprintTemplate): {
  width: number;
  height: number;
  dpi: 500;
  quality: number;
  minutiae: MinutiaRecord[];
} {
  const minutiae: MinutiaRecord[] = [];
  for (let i = 0; i < t.x.length; i++) {
    minutiae.push({
      x: Math.round(t.x[i]! * 10) / 10,
      y: Math.round(t.y[i]! * 10) / 10,
      direction: Math.round(t.direction[i]! * 1000) / 1000,
      kind: KIND_NAMES[t.kind[i]!] ?? 'other',
      reliability: Math.round(t.reliability[i]! * 100) / 100,
    });
  }
  return { width: t.width, height: t.height, dpi: 500, quality: t.quality, minutiae };
}
