import { seededRandom } from '@vigil/core';
import { thin } from '../extract.ts';
import { MinutiaKind } from '../template.ts';
import {
  drawClass,
  drawLayout,
  insideFinger,
  orientationAt,
  periodAt,
  type FingerLayout,
  type FingerprintClass,
} from './orientation.ts';
import { mixSeed, smoothField } from './random.ts';

/**
 * The master fingerprint image of SFinGe (Cappelli, Maio and Maltoni 2000; Handbook of
 * Fingerprint Recognition, 2nd ed., ch. 6.4): ridges grown from a few random seeds by
 * iterative space-variant Gabor filtering. Each iteration filters the image with an even
 * Gabor kernel tuned to the local ridge orientation and period of the model
 * (orientation.ts) and clips the result to [-1, 1]; the pattern spreads from the seeds
 * until the silhouette is covered and the image no longer changes. Where growth fronts
 * of different phase meet, and where the flow bends or the period changes, the filter
 * can only keep the period by starting or ending a ridge: minutiae appear by themselves,
 * as in SFinGe, and are read back from the result (the ground truth).
 */

/** A minutia of the master, in master canvas pixels (500 dpi). */
export interface MasterMinutia {
  readonly x: number;
  readonly y: number;
  /** Radians in [0, 2pi), image coordinates, the extractor's convention (along the ridge). */
  readonly direction: number;
  readonly kind: MinutiaKind;
}

export interface MasterFingerprint {
  readonly layout: FingerLayout;
  readonly width: number;
  readonly height: number;
  /** 1 on ridge pixels inside the fingertip, 0 elsewhere. */
  readonly ridges: Uint8Array;
  /** The ground truth: minutiae of the master ridge pattern. */
  readonly minutiae: readonly MasterMinutia[];
  /** Filtering iterations the growth took. */
  readonly iterations: number;
}

export interface MasterImageOptions {
  /** Class of the finger (default: drawn with the natural frequencies). */
  readonly fingerClass?: FingerprintClass;
  /** Master canvas, 500 dpi pixels (default 360 x 480: a whole fingertip, 18 x 24 mm). */
  readonly width?: number;
  readonly height?: number;
  /** Seeds the ridges grow from (default 6 to 12, drawn). */
  readonly seeds?: number;
  /** Most filtering iterations (default 200). */
  readonly maxIterations?: number;
}

/** Orientations in the filter bank: pi/36 = 5 degrees apart, below what a ridge shows. */
const ORIENTATIONS = 36;
/** Periods in the filter bank, from 6 px in steps of 0.25 px. */
const PERIOD_MIN = 6;
const PERIOD_STEP = 0.25;
const PERIODS = 29;
/** Gain of the filter on a ridge pattern it is tuned to: above 1, so ridges grow to full
 * contrast and saturate at the clip, which makes the image nearly binary. */
const GAIN = 2.5;
/** Amplitude of the extra smooth variation of the ridge period. */
const PERIOD_VARIATION = 0.15;
/** Growth has stopped when fewer than this share of pixels change sign in an iteration. */
const STABLE = 2e-4;
/** Share of the silhouette the ridges must reach before the growth may stop. */
const COVERED = 0.97;
/** Iterations allowed for settling once the silhouette is covered. */
const SETTLE = 8;
/** Most iterations: a safety net; growth from 6 seeds covers a fingertip in about 40. */
const MAX_ITERATIONS = 200;

interface FilterBank {
  /** Largest kernel radius. */
  readonly radius: number;
  /** Kernel k's taps are off/weight[start[k] .. start[k + 1]). */
  readonly start: Int32Array;
  /** Pixel offsets (dy x width + dx) of the taps, for the canvas width the bank was made for. */
  readonly off: Int32Array;
  readonly weight: Float32Array;
}

/**
 * Even Gabor kernels (Hong, Wan and Jain 1998), one per orientation and period in the
 * bank: an isotropic Gaussian envelope of sigma = 0.42 x period (a ridge and its valley
 * inside +-sigma) cut at 2 sigma, made zero-mean so flat regions stay flat, and scaled
 * so a ridge pattern it is tuned to is amplified by GAIN. Kernel index: o x PERIODS + p.
 */
function filterBank(width: number): FilterBank {
  const starts: number[] = [0];
  const off: number[] = [];
  const weight: number[] = [];
  let radius = 0;
  for (let o = 0; o < ORIENTATIONS; o++) {
    const theta = (o * Math.PI) / ORIENTATIONS;
    // Normal to the ridges: the filter oscillates across them.
    const nx = -Math.sin(theta);
    const ny = Math.cos(theta);
    for (let p = 0; p < PERIODS; p++) {
      const period = PERIOD_MIN + p * PERIOD_STEP;
      const sigma = 0.42 * period;
      const r = Math.ceil(2 * sigma);
      radius = Math.max(radius, r);
      const taps: { o: number; env: number; wave: number }[] = [];
      let sum = 0;
      let envSum = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          if (dx * dx + dy * dy > 4 * sigma * sigma) continue;
          const env = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
          const wave = Math.cos((2 * Math.PI * (dx * nx + dy * ny)) / period);
          taps.push({ o: dy * width + dx, env, wave });
          sum += env * wave;
          envSum += env;
        }
      }
      // Zero mean (subtract the envelope-weighted mean), then unit response to the tuned
      // pattern times GAIN.
      const mean = sum / envSum;
      let response = 0;
      for (const t of taps) response += (t.env * t.wave - mean * t.env) * t.wave;
      for (const t of taps) {
        off.push(t.o);
        weight.push(((t.env * t.wave - mean * t.env) * GAIN) / response);
      }
      starts.push(off.length);
    }
  }
  return {
    radius,
    start: Int32Array.from(starts),
    off: Int32Array.from(off),
    weight: Float32Array.from(weight),
  };
}

/** Draws a master fingerprint and grows its ridges, deterministic from `seed`. */
export function synthesizeMasterFingerprint(
  seed: number,
  options: MasterImageOptions = {},
): MasterFingerprint {
  const random = seededRandom(mixSeed(seed, 0x6d67));
  const width = options.width ?? 360;
  const height = options.height ?? 480;
  const fingerClass = options.fingerClass ?? drawClass(random);
  const layout = drawLayout(random, fingerClass, width, height);
  const { radius, start, off, weight } = filterBank(width);
  // Ridge spacing varies over a fingertip by about a tenth either way beyond the model's
  // own variation (Handbook ch. 3.5: 0.4 to 0.5 mm between ridges); where it changes,
  // ridges must end or fork to keep the spacing, which gives the smooth-flowed arches
  // their share of minutiae.
  const spacing = smoothField(random, 4);

  // Where ridges grow: the silhouette a little enlarged, so the ridges are cut cleanly by
  // its edge rather than bending along it.
  const grow = new Uint8Array(width * height);
  const kernelOf = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (
        x < radius ||
        y < radius ||
        x >= width - radius ||
        y >= height - radius ||
        !insideFinger(layout, x, y, 1.06)
      ) {
        continue;
      }
      grow[i] = 1;
      const o = Math.round((orientationAt(layout, x, y) / Math.PI) * ORIENTATIONS) % ORIENTATIONS;
      const period = periodAt(layout, x, y) * (1 + PERIOD_VARIATION * spacing(x, y));
      const p = Math.max(0, Math.min(PERIODS - 1, Math.round((period - PERIOD_MIN) / PERIOD_STEP)));
      kernelOf[i] = o * PERIODS + p;
    }
  }

  let image = new Float32Array(width * height);
  let next = new Float32Array(width * height);
  const seeds = options.seeds ?? 6 + Math.floor(random() * 7);
  for (let s = 0, tries = 0; s < seeds && tries < 1000; tries++) {
    const x = Math.floor(random() * width);
    const y = Math.floor(random() * height);
    if (!insideFinger(layout, x, y, 0.8)) continue;
    image[y * width + x] = 1;
    s++;
  }

  // Only blocks next to a block that changed in the last iteration need filtering: the
  // rest (still empty, or grown and saturated) would come out the same. Blocks are larger
  // than the kernel radius, so a block's neighbours hold every pixel that can reach it.
  const B = 16;
  const bx = Math.ceil(width / B);
  const by = Math.ceil(height / B);
  let dirty = new Uint8Array(bx * by);
  let dirtyNext = new Uint8Array(bx * by);
  for (let i = 0; i < image.length; i++) {
    if (image[i] !== 0)
      dirty[Math.floor(Math.floor(i / width) / B) * bx + Math.floor((i % width) / B)] = 1;
  }
  const active = new Uint8Array(bx * by);
  let inside = 0;
  for (const g of grow) inside += g;
  const maxIterations = options.maxIterations ?? MAX_ITERATIONS;
  let iterations = 0;
  let settling = 0;
  while (iterations < maxIterations) {
    iterations++;
    active.fill(0);
    for (let j = 0; j < by; j++) {
      for (let i = 0; i < bx; i++) {
        if (dirty[j * bx + i] === 0) continue;
        for (let v = Math.max(0, j - 1); v <= Math.min(by - 1, j + 1); v++) {
          for (let u = Math.max(0, i - 1); u <= Math.min(bx - 1, i + 1); u++)
            active[v * bx + u] = 1;
        }
      }
    }
    dirtyNext.fill(0);
    next.set(image);
    let flipped = 0;
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y / B) * bx;
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const q = row + Math.floor(x / B);
        if (grow[i] === 0 || active[q] === 0) continue;
        const k = kernelOf[i]!;
        let acc = 0;
        for (let t = start[k]!, end = start[k + 1]!; t < end; t++) {
          acc += weight[t]! * image[i + off[t]!]!;
        }
        const v = acc > 1 ? 1 : acc < -1 ? -1 : acc;
        const before = image[i]!;
        next[i] = v;
        if (Math.abs(v - before) > 0.02) dirtyNext[q] = 1;
        if (v > 0 !== before > 0) flipped++;
      }
    }
    [image, next] = [next, image];
    [dirty, dirtyNext] = [dirtyNext, dirty];
    let covered = 0;
    for (let i = 0; i < image.length; i++) {
      if (grow[i] === 1 && (image[i]! > 0.05 || image[i]! < -0.05)) covered++;
    }
    if (covered < COVERED * inside) continue;
    // Grown over the silhouette: stop once stable, or after a few settling iterations
    // (a pixel or two may keep flickering at a singular point).
    settling++;
    if (flipped < STABLE * inside || settling >= SETTLE) break;
  }

  const ridges = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (image[i]! > 0 && insideFinger(layout, x, y)) ridges[i] = 1;
    }
  }
  return {
    layout,
    width,
    height,
    ridges,
    minutiae: masterMinutiae(layout, ridges, width, height),
    iterations,
  };
}

const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, 1, 1, 1, 0, -1, -1, -1];

/** Crossing number (Arcelli and Baja 1985): half the 0-1 transitions around a pixel. */
function crossing(skel: Uint8Array, i: number, width: number): number {
  let t = 0;
  for (let k = 0; k < 8; k++) {
    const a = skel[i + DY[k]! * width + DX[k]!]!;
    const b = skel[i + DY[(k + 1) & 7]! * width + DX[(k + 1) & 7]!]!;
    if (a === 0 && b === 1) t++;
  }
  return t;
}

/** Steps along a skeleton line for a minutia's direction: about a ridge period and a half. */
const TRACE = 12;

/**
 * Walks the skeleton from `from` through `first` for up to TRACE steps, stopping at any
 * pixel whose crossing number is not 2. Returns the end point and whether another
 * minutia was met before the walk was long enough (a spur or a short ridge).
 */
function walk(
  skel: Uint8Array,
  cn: Uint8Array,
  width: number,
  from: number,
  first: number,
): { x: number; y: number; short: boolean } {
  let prev = from;
  let cur = first;
  const seen = new Set<number>([from]);
  for (let steps = 1; steps < TRACE; steps++) {
    seen.add(cur);
    if (cn[cur] !== 2) return { x: cur % width, y: Math.floor(cur / width), short: true };
    let nextPixel = -1;
    for (let k = 0; k < 8 && nextPixel === -1; k++) {
      const n = cur + DY[k]! * width + DX[k]!;
      if (n !== prev && skel[n] === 1 && !seen.has(n)) nextPixel = n;
    }
    if (nextPixel === -1) return { x: cur % width, y: Math.floor(cur / width), short: true };
    prev = cur;
    cur = nextPixel;
  }
  return { x: cur % width, y: Math.floor(cur / width), short: false };
}

/**
 * The master's minutiae: crossing number on the thinned ridge pattern (1 = ending, 3 =
 * bifurcation), away from the silhouette's edge (where ridges are cut, not ended), without
 * spurs and short ridges (a skeleton artefact, not a feature of the pattern). Directions
 * follow the extractor's convention (extract.ts): an ending points along its ridge, a
 * bifurcation between its two closer branches, snapped to the model's orientation.
 */
function masterMinutiae(
  layout: FingerLayout,
  ridges: Uint8Array,
  width: number,
  height: number,
): MasterMinutia[] {
  const skel = thin(ridges, width, height);
  const cn = new Uint8Array(width * height);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (skel[i] === 1) cn[i] = crossing(skel, i, width);
    }
  }
  // 12 px inside the edge, as the extractor requires of its own minutiae.
  const margin = 1 - 12 / Math.min(layout.semiAxisX, layout.semiAxisY);
  const found: { m: MasterMinutia; keep: boolean }[] = [];
  for (let y = 2; y < height - 2; y++) {
    for (let x = 2; x < width - 2; x++) {
      const i = y * width + x;
      const c = cn[i]!;
      if ((c !== 1 && c !== 3) || !insideFinger(layout, x, y, margin)) continue;
      const branches: number[] = [];
      for (let k = 0; k < 8; k++) {
        const n = i + DY[k]! * width + DX[k]!;
        const before = i + DY[(k + 7) & 7]! * width + DX[(k + 7) & 7]!;
        if (skel[n] === 1 && skel[before] === 0) branches.push(n);
      }
      if (branches.length !== c) continue;
      const ends = branches.map((b) => walk(skel, cn, width, i, b));
      let dx: number;
      let dy: number;
      if (c === 1) {
        dx = ends[0]!.x - x;
        dy = ends[0]!.y - y;
      } else {
        const ang = ends.map((e) => Math.atan2(e.y - y, e.x - x));
        let best = 0;
        let bestD = Infinity;
        for (let a = 0; a < 3; a++) {
          const d = angleBetween(ang[a]!, ang[(a + 1) % 3]!);
          if (d < bestD) {
            bestD = d;
            best = a;
          }
        }
        dx = Math.cos(ang[best]!) + Math.cos(ang[(best + 1) % 3]!);
        dy = Math.sin(ang[best]!) + Math.sin(ang[(best + 1) % 3]!);
      }
      const traced = Math.atan2(dy, dx);
      const flow = orientationAt(layout, x, y);
      let direction = angleBetween(traced, flow) < Math.PI / 2 ? flow : flow + Math.PI;
      if (direction >= 2 * Math.PI) direction -= 2 * Math.PI;
      found.push({
        m: { x, y, direction, kind: c === 1 ? MinutiaKind.Ending : MinutiaKind.Bifurcation },
        keep: !ends.some((e) => e.short),
      });
    }
  }
  // Two minutiae closer than half a ridge period are one skeleton knot, not two features.
  for (let a = 0; a < found.length; a++) {
    for (let b = a + 1; b < found.length; b++) {
      const fa = found[a]!;
      const fb = found[b]!;
      if (Math.abs(fa.m.y - fb.m.y) > 6) continue;
      if (Math.hypot(fa.m.x - fb.m.x, fa.m.y - fb.m.y) < 5) {
        fa.keep = false;
        fb.keep = false;
      }
    }
  }
  return found.filter((f) => f.keep).map((f) => f.m);
}

function angleBetween(a: number, b: number): number {
  let d = Math.abs(a - b) % (2 * Math.PI);
  if (d > Math.PI) d = 2 * Math.PI - d;
  return d;
}
