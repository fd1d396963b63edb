import { PNG } from 'pngjs';
import type { GrayImage } from '../image.ts';
import { tiffBytes } from '../testing.ts';
import { MinutiaKind } from '../template.ts';
import {
  renderImpression,
  type ImpressionImageOptions,
  type ImpressionPose,
} from './impression.ts';
import { synthesizeMasterFingerprint, type MasterMinutia } from './master.ts';
import type { FingerprintClass } from './orientation.ts';
import { mixSeed } from './random.ts';

/**
 * A synthetic database in the FVC layout: finger n (1-based) and its impressions
 * 1..K as `<n>_<k>.png` or `.tif`, with the ground truth of every master.
 */

export type SyntheticImageFormat = 'png' | 'tif';

export interface FingerSetOptions extends ImpressionImageOptions {
  readonly impressions: number;
  readonly format?: SyntheticImageFormat;
}

/** One impression's ground truth: where the master's minutiae landed in the image. */
export interface ImpressionTruth {
  readonly file: string;
  readonly pose: ImpressionPose;
  readonly minutiae: readonly MinutiaTruth[];
}

/** A minutia as ground-truth JSON holds it: pixels, degrees, ending or bifurcation. */
export interface MinutiaTruth {
  readonly x: number;
  readonly y: number;
  readonly directionDegrees: number;
  readonly kind: 'ending' | 'bifurcation';
}

export interface FingerTruth {
  readonly finger: number;
  readonly fingerClass: FingerprintClass;
  /** Master canvas size, 500 dpi px; master minutiae are on it. */
  readonly masterWidth: number;
  readonly masterHeight: number;
  readonly growthIterations: number;
  readonly minutiae: readonly MinutiaTruth[];
  readonly impressions: readonly ImpressionTruth[];
}

export interface SyntheticFinger {
  readonly truth: FingerTruth;
  readonly files: readonly { readonly name: string; readonly bytes: Uint8Array }[];
}

function truthOf(m: MasterMinutia): MinutiaTruth {
  return {
    x: m.x,
    y: m.y,
    directionDegrees: Math.round((m.direction * 1800) / Math.PI) / 10,
    kind: m.kind === MinutiaKind.Ending ? 'ending' : 'bifurcation',
  };
}

/** An 8-bit grayscale image as PNG (pngjs) or baseline uncompressed TIFF bytes. */
export function encodeGrayImage(image: GrayImage, format: SyntheticImageFormat): Uint8Array {
  switch (format) {
    case 'png': {
      const png = new PNG({
        width: image.width,
        height: image.height,
        colorType: 0,
        inputColorType: 0,
        bitDepth: 8,
      });
      png.data = Buffer.from(image.pixels);
      return new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8 }));
    }
    case 'tif':
      return tiffBytes(image);
  }
}

/**
 * Finger `finger` (1-based) of the database drawn from `seed`: its master and
 * impressions, encoded. Finger n is the same whichever thread or batch makes it.
 */
export function synthesizeFinger(
  seed: number,
  finger: number,
  options: FingerSetOptions,
): SyntheticFinger {
  const fingerSeed = mixSeed(seed, finger);
  const master = synthesizeMasterFingerprint(fingerSeed);
  const format = options.format ?? 'png';
  const files: { name: string; bytes: Uint8Array }[] = [];
  const impressions: ImpressionTruth[] = [];
  for (let k = 1; k <= options.impressions; k++) {
    const impression = renderImpression(master, fingerSeed, k, options);
    const name = `${finger}_${k}.${format}`;
    files.push({ name, bytes: encodeGrayImage(impression.image, format) });
    impressions.push({
      file: name,
      pose: impression.pose,
      minutiae: impression.minutiae.map(truthOf),
    });
  }
  return {
    truth: {
      finger,
      fingerClass: master.layout.fingerClass,
      masterWidth: master.width,
      masterHeight: master.height,
      growthIterations: master.iterations,
      minutiae: master.minutiae.map(truthOf),
      impressions,
    },
    files,
  };
}
