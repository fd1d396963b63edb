import { err, InvalidInputError, ok, type Err, type Result } from '@vigil/core';
import type { GrayImage } from './image.ts';
import { quantizeDirection } from './iso.ts';
import { coarseOrientationField } from './orientation-field.ts';
import { MinutiaKind, type FingerprintTemplate } from './template.ts';

/**
 * Minutiae extraction, every stage at 500 dpi (the caller resamples first):
 *
 * 1. gradients (Sobel) summed into 8x8 blocks;
 * 2. segmentation: blocks whose oriented gradient energy stands clear of the image's own
 *    contrast and of an absolute floor, cleaned to one hole-free region;
 * 3. orientation field by the gradient-tensor method (Kass and Witkin 1987; Bazen and
 *    Gerez 2002), smoothed as doubled-angle vectors, with its coherence;
 * 4. ridge period from the autocorrelation of an oriented "x-signature" across the ridges
 *    (after Hong, Wan and Jain 1998);
 * 5. enhancement with an even Gabor filter tuned to the local orientation and period
 *    (Hong, Wan and Jain 1998), binarised by its sign;
 * 6. thinning (Zhang and Suen 1984, plus removal of staircase pixels);
 * 7. minutiae by the crossing number (Arcelli and Baja), direction from tracing the
 *    skeleton and snapping to the orientation field;
 * 8. removal of false minutiae: border, spurs, short ridges, bridges, holes, broken ridges
 *    and dense clusters (the rules of Ratha et al. 1995 and Maio and Maltoni 1997).
 */

export const BLOCK = 8;

/** Intermediate fields, exposed for tests and diagnostics. */
export interface ExtractionFields {
  readonly width: number;
  readonly height: number;
  readonly blocksX: number;
  readonly blocksY: number;
  /** 1 where the block holds fingerprint. */
  readonly mask: Uint8Array;
  /** Ridge orientation per block, radians in [0, pi), image coordinates (y down). */
  readonly orientation: Float32Array;
  /** Coherence of the gradient tensor per block, 0..1. */
  readonly coherence: Float32Array;
  /** Ridge period per block, pixels. */
  readonly period: Float32Array;
  /** 1 on ridge pixels after enhancement and binarisation. */
  readonly ridges: Uint8Array;
  /** 1 on skeleton pixels. */
  readonly skeleton: Uint8Array;
}

export interface Extraction {
  readonly template: FingerprintTemplate;
  readonly fields: ExtractionFields;
}

/** Absolute floor of the RMS oriented gradient (Sobel units) for a block to be skin. */
const MIN_RIDGE_ENERGY = 6;
/** A block must also reach this fraction of the strong (90th percentile) blocks. */
const RELATIVE_RIDGE_ENERGY = 0.15;
/** Minimum fingerprint area, pixels at 500 dpi: about 5 x 5 mm of skin. */
const MIN_AREA = 100 * 100;
/** Fewer reliable minutiae than this cannot support a comparison. */
const MIN_MINUTIAE = 8;
/** Ridge periods outside this range (pixels at 500 dpi) are not ridges. */
const MIN_PERIOD = 4.5;
const MAX_PERIOD = 16;
/** Most minutiae kept: 24 + 4 + 6 x 90 + 2 = 570 bytes of ISO record, which leaves room
 * for the orientation field's extended data (at most 4 + 9 + 420 bytes) under 1 KB. The
 * FVC2002 images give at most 55 after filtering. */
export const MAX_MINUTIAE = 90;

type ExtractResult = Result<Extraction, InvalidInputError>;

const unusable = (why: string): Err<InvalidInputError> =>
  err(
    new InvalidInputError(`No usable fingerprint: ${why}`, {
      hint: 'Clean the scanner glass and capture the finger again, pressing flat.',
    }),
  );

/** Every stage up to the filtered minutiae, without the final usability rules. */
export function extractFeatures(
  image: GrayImage,
): Result<{ fields: ExtractionFields; minutiae: RawMinutia[] }, InvalidInputError> {
  const { width, height } = image;
  const bx = Math.floor(width / BLOCK);
  const by = Math.floor(height / BLOCK);
  if (bx < 6 || by < 6) return unusable('the image is too small to hold a fingerprint.');
  const nb = bx * by;

  // 1. Gradients summed per block.
  const gxx = new Float64Array(nb);
  const gyy = new Float64Array(nb);
  const gxy = new Float64Array(nb);
  const px = image.pixels;
  for (let y = 1; y < by * BLOCK && y < height - 1; y++) {
    const rowBlock = Math.floor(y / BLOCK) * bx;
    for (let x = 1; x < bx * BLOCK && x < width - 1; x++) {
      const i = y * width + x;
      const a = px[i - width - 1]!;
      const b = px[i - width]!;
      const c = px[i - width + 1]!;
      const d = px[i - 1]!;
      const f = px[i + 1]!;
      const g = px[i + width - 1]!;
      const h = px[i + width]!;
      const k = px[i + width + 1]!;
      const dx = c + 2 * f + k - a - 2 * d - g;
      const dy = g + 2 * h + k - a - 2 * b - c;
      const bi = rowBlock + Math.floor(x / BLOCK);
      gxx[bi] = gxx[bi]! + dx * dx;
      gyy[bi] = gyy[bi]! + dy * dy;
      gxy[bi] = gxy[bi]! + dx * dy;
    }
  }

  // 2-3. Tensor over a 3x3-block window (24 px, about 2.5 ridge periods).
  const wx = new Float64Array(nb);
  const wy = new Float64Array(nb);
  const we = new Float64Array(nb);
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      let sx = 0;
      let sy = 0;
      let se = 0;
      for (let v = Math.max(0, j - 1); v <= Math.min(by - 1, j + 1); v++) {
        for (let u = Math.max(0, i - 1); u <= Math.min(bx - 1, i + 1); u++) {
          const q = v * bx + u;
          sx += gxx[q]! - gyy[q]!;
          sy += 2 * gxy[q]!;
          se += gxx[q]! + gyy[q]!;
        }
      }
      const q = j * bx + i;
      wx[q] = sx;
      wy[q] = sy;
      we[q] = se;
    }
  }
  // Oriented energy per pixel: the anisotropic part of the tensor, robust to flat noise.
  const energy = new Float32Array(nb);
  for (let q = 0; q < nb; q++) {
    const cells = countWindow(q % bx, Math.floor(q / bx), bx, by) * BLOCK * BLOCK;
    energy[q] = Math.sqrt(Math.hypot(wx[q]!, wy[q]!) / cells);
  }
  const strong = percentile(energy, 0.9);
  const threshold = Math.max(MIN_RIDGE_ENERGY, RELATIVE_RIDGE_ENERGY * strong);
  let mask: Uint8Array = new Uint8Array(nb);
  for (let q = 0; q < nb; q++) mask[q] = energy[q]! >= threshold ? 1 : 0;
  mask = cleanMask(mask, bx, by);
  let area = 0;
  for (let q = 0; q < nb; q++) area += mask[q]!;
  if (area * BLOCK * BLOCK < MIN_AREA) {
    return unusable('too little ridge structure was found (blank, smudged or not a finger).');
  }

  // Orientation smoothed as doubled-angle vectors over a Gaussian of 1.5 blocks.
  const orientation = new Float32Array(nb);
  const coherence = new Float32Array(nb);
  const sx2 = gaussianBlocks(wx, mask, bx, by);
  const sy2 = gaussianBlocks(wy, mask, bx, by);
  const se2 = gaussianBlocks(we, mask, bx, by);
  for (let q = 0; q < nb; q++) {
    // The gradient is across the ridges; the ridge runs at a right angle to it.
    let t = 0.5 * Math.atan2(sy2[q]!, sx2[q]!) + Math.PI / 2;
    if (t >= Math.PI) t -= Math.PI;
    orientation[q] = t;
    coherence[q] = se2[q]! > 0 ? Math.min(1, Math.hypot(sx2[q]!, sy2[q]!) / se2[q]!) : 0;
  }

  // 4. Ridge period.
  const period = ridgePeriods(image, mask, orientation, bx, by);

  // 5. Enhancement and binarisation.
  const ridges = gaborBinarise(image, mask, orientation, period, bx, by);

  // 6. Thinning.
  const skeleton = thin(ridges, width, height);

  const fields: ExtractionFields = {
    width,
    height,
    blocksX: bx,
    blocksY: by,
    mask,
    orientation,
    coherence,
    period,
    ridges,
    skeleton,
  };

  // 7-8. Minutiae and their filtering.
  return ok({ fields, minutiae: findMinutiae(fields) });
}

/** Extracts minutiae from a 500 dpi grayscale image. */
export function extractMinutiae(image: GrayImage): ExtractResult {
  const features = extractFeatures(image);
  if (!features.ok) return features;
  const { fields, minutiae: found } = features.value;
  if (found.length < MIN_MINUTIAE) {
    return unusable(
      `only ${found.length} reliable minutiae were found; at least ${MIN_MINUTIAE} are needed.`,
    );
  }
  const kept = [...found].sort((a, b) => b.reliability - a.reliability).slice(0, MAX_MINUTIAE);
  const n = kept.length;
  const template: FingerprintTemplate = {
    width: fields.width,
    height: fields.height,
    quality: qualityScore(fields, n),
    x: Float32Array.from(kept, (m) => m.x),
    y: Float32Array.from(kept, (m) => m.y),
    // Quantised as ISO/IEC 19794-2 stores them, so the ISO round trip changes nothing.
    direction: Float32Array.from(kept, (m) => quantizeDirection(m.direction)),
    kind: Uint8Array.from(kept, (m) => m.kind),
    reliability: Float32Array.from(kept, (m) => Math.round(m.reliability * 100) / 100),
    ...orientationFieldOf(fields),
  };
  return ok({ template, fields });
}

function orientationFieldOf(f: ExtractionFields): Pick<FingerprintTemplate, 'orientationField'> {
  const field = coarseOrientationField(f);
  return field === undefined ? {} : { orientationField: field };
}

function countWindow(i: number, j: number, bx: number, by: number): number {
  const w = Math.min(bx - 1, i + 1) - Math.max(0, i - 1) + 1;
  const h = Math.min(by - 1, j + 1) - Math.max(0, j - 1) + 1;
  return w * h;
}

function percentile(values: Float32Array, p: number): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/**
 * Morphological cleanup of the block mask: a 3x3 majority vote, then only the largest
 * 8-connected region, with its holes filled (ridges inside a print are skin even where a
 * scar or a pore flattens the gradient).
 */
function cleanMask(mask: Uint8Array, bx: number, by: number): Uint8Array {
  const voted = new Uint8Array(mask.length);
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      let s = 0;
      let c = 0;
      for (let v = j - 1; v <= j + 1; v++) {
        for (let u = i - 1; u <= i + 1; u++) {
          if (u < 0 || v < 0 || u >= bx || v >= by) continue;
          s += mask[v * bx + u]!;
          c++;
        }
      }
      voted[j * bx + i] = 2 * s > c ? 1 : 0;
    }
  }
  const label = new Int32Array(mask.length).fill(-1);
  const stack: number[] = [];
  let best = -1;
  let bestSize = 0;
  let next = 0;
  for (let q = 0; q < voted.length; q++) {
    if (voted[q] === 0 || label[q] !== -1) continue;
    let size = 0;
    label[q] = next;
    stack.push(q);
    while (stack.length > 0) {
      const p = stack.pop()!;
      size++;
      const pi = p % bx;
      const pj = (p - pi) / bx;
      for (let v = pj - 1; v <= pj + 1; v++) {
        for (let u = pi - 1; u <= pi + 1; u++) {
          if (u < 0 || v < 0 || u >= bx || v >= by) continue;
          const r = v * bx + u;
          if (voted[r] === 1 && label[r] === -1) {
            label[r] = next;
            stack.push(r);
          }
        }
      }
    }
    if (size > bestSize) {
      bestSize = size;
      best = next;
    }
    next++;
  }
  if (best === -1) return new Uint8Array(mask.length);
  // Background reachable from the image edge stays background; every other block is skin.
  const outside = new Uint8Array(mask.length);
  for (let q = 0; q < voted.length; q++) {
    const i = q % bx;
    const j = (q - i) / bx;
    const edge = i === 0 || j === 0 || i === bx - 1 || j === by - 1;
    if (edge && label[q] !== best) {
      outside[q] = 1;
      stack.push(q);
    }
  }
  while (stack.length > 0) {
    const p = stack.pop()!;
    const pi = p % bx;
    const pj = (p - pi) / bx;
    const around = [p - 1, p + 1, p - bx, p + bx];
    const ok4 = [pi > 0, pi < bx - 1, pj > 0, pj < by - 1];
    for (let k = 0; k < 4; k++) {
      const r = around[k]!;
      if (ok4[k] === true && outside[r] === 0 && label[r] !== best) {
        outside[r] = 1;
        stack.push(r);
      }
    }
  }
  const out = new Uint8Array(mask.length);
  for (let q = 0; q < out.length; q++) out[q] = outside[q] === 1 ? 0 : 1;
  return out;
}

/** Gaussian smoothing (sigma 1.5 blocks) of a block field, over foreground blocks only. */
function gaussianBlocks(
  field: Float64Array,
  mask: Uint8Array,
  bx: number,
  by: number,
): Float64Array {
  const r = 3;
  const w = new Float64Array(2 * r + 1);
  for (let k = -r; k <= r; k++) w[k + r] = Math.exp(-(k * k) / (2 * 1.5 * 1.5));
  const tmp = new Float64Array(field.length);
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      let s = 0;
      for (let k = -r; k <= r; k++) {
        const u = i + k;
        if (u < 0 || u >= bx) continue;
        const q = j * bx + u;
        if (mask[q] === 1) s += w[k + r]! * field[q]!;
      }
      tmp[j * bx + i] = s;
    }
  }
  const out = new Float64Array(field.length);
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      let s = 0;
      for (let k = -r; k <= r; k++) {
        const v = j + k;
        if (v < 0 || v >= by) continue;
        s += w[k + r]! * tmp[v * bx + i]!;
      }
      out[j * bx + i] = s;
    }
  }
  return out;
}

/**
 * Ridge period per block: the gray levels along a 32 px line across the ridges, each
 * averaged over 16 px along the ridge (the "x-signature"), autocorrelated; the first
 * autocorrelation peak in [MIN_PERIOD, MAX_PERIOD] is the period. Blocks without a clear
 * peak take the average of their neighbours, then the median of the print.
 */
function ridgePeriods(
  image: GrayImage,
  mask: Uint8Array,
  orientation: Float32Array,
  bx: number,
  by: number,
): Float32Array {
  const { width, height, pixels } = image;
  const raw = new Float32Array(bx * by);
  const sig = new Float64Array(32);
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      const q = j * bx + i;
      if (mask[q] === 0) continue;
      const t = orientation[q]!;
      const ax = Math.cos(t);
      const ay = Math.sin(t);
      // Normal to the ridges.
      const nx = -ay;
      const ny = ax;
      const cx = i * BLOCK + BLOCK / 2;
      const cy = j * BLOCK + BLOCK / 2;
      let mean = 0;
      for (let k = 0; k < 32; k++) {
        let s = 0;
        let c = 0;
        for (let l = -8; l < 8; l += 2) {
          const x = Math.round(cx + (k - 16) * nx + l * ax);
          const y = Math.round(cy + (k - 16) * ny + l * ay);
          if (x < 0 || y < 0 || x >= width || y >= height) continue;
          s += pixels[y * width + x]!;
          c++;
        }
        sig[k] = c > 0 ? s / c : 0;
        mean += sig[k]!;
      }
      mean /= 32;
      let r0 = 0;
      for (let k = 0; k < 32; k++) {
        sig[k] = sig[k]! - mean;
        r0 += sig[k]! * sig[k]!;
      }
      if (r0 <= 0) continue;
      let prev = 1;
      let rising = false;
      for (let lag = 3; lag <= MAX_PERIOD + 1; lag++) {
        let r = 0;
        for (let k = 0; k + lag < 32; k++) r += sig[k]! * sig[k + lag]!;
        r = (r / r0) * (32 / (32 - lag));
        if (r > prev) rising = true;
        else if (rising && r < prev) {
          const p = lag - 1;
          if (p >= MIN_PERIOD && prev > 0.15) raw[q] = p;
          break;
        }
        prev = r;
      }
    }
  }
  // Smooth over valid neighbours (5x5 blocks), fall back to the median.
  const valid: number[] = [];
  for (const p of raw) if (p > 0) valid.push(p);
  valid.sort((a, b) => a - b);
  const median = valid.length > 0 ? valid[Math.floor(valid.length / 2)]! : 9;
  const out = new Float32Array(bx * by);
  for (let j = 0; j < by; j++) {
    for (let i = 0; i < bx; i++) {
      let s = 0;
      let c = 0;
      for (let v = Math.max(0, j - 2); v <= Math.min(by - 1, j + 2); v++) {
        for (let u = Math.max(0, i - 2); u <= Math.min(bx - 1, i + 2); u++) {
          const p = raw[v * bx + u]!;
          if (p > 0) {
            s += p;
            c++;
          }
        }
      }
      out[j * bx + i] = c >= 3 ? s / c : median;
    }
  }
  return out;
}

const GABOR_RADIUS = 8;
const GABOR_ANGLES = 16;
const GABOR_MIN_PERIOD = 5;
const GABOR_MAX_PERIOD = 15;
const kernelCache = new Map<number, Float32Array>();

/**
 * Even-symmetric Gabor kernel across the ridges (cosine of the local period), Gaussian
 * envelope sigma = period / 2.2 across (about 4 px at a 9 px period) and 4 px along the
 * ridges: sigma_x = sigma_y = 4, the values Hong, Wan and Jain (1998) give for 500 dpi
 * images. The envelope along the ridges is what bridges the gaps of dry and worn
 * ridges; zero mean, so the sign of the response is independent of local brightness.
 */
function gaborKernel(angleIndex: number, period: number): Float32Array {
  const key = angleIndex * 100 + period;
  const cached = kernelCache.get(key);
  if (cached !== undefined) return cached;
  const size = 2 * GABOR_RADIUS + 1;
  const k = new Float32Array(size * size);
  const t = (angleIndex * Math.PI) / GABOR_ANGLES;
  const ax = Math.cos(t);
  const ay = Math.sin(t);
  const sAcross = period / 2.2;
  const sAlong = 4;
  let sum = 0;
  let wsum = 0;
  const env = new Float32Array(size * size);
  for (let v = -GABOR_RADIUS; v <= GABOR_RADIUS; v++) {
    for (let u = -GABOR_RADIUS; u <= GABOR_RADIUS; u++) {
      const along = u * ax + v * ay;
      const across = -u * ay + v * ax;
      const e = Math.exp(
        -0.5 * ((along * along) / (sAlong * sAlong) + (across * across) / (sAcross * sAcross)),
      );
      const idx = (v + GABOR_RADIUS) * size + u + GABOR_RADIUS;
      env[idx] = e;
      const value = e * Math.cos((2 * Math.PI * across) / period);
      k[idx] = value;
      sum += value;
      wsum += e;
    }
  }
  for (let i = 0; i < k.length; i++) k[i] = k[i]! - (sum / wsum) * env[i]!;
  kernelCache.set(key, k);
  return k;
}

function gaborBinarise(
  image: GrayImage,
  mask: Uint8Array,
  orientation: Float32Array,
  period: Float32Array,
  bx: number,
  by: number,
): Uint8Array {
  const { width, height, pixels } = image;
  const r = GABOR_RADIUS;
  const pw = width + 2 * r;
  const ph = height + 2 * r;
  // Edge-replicated padding, so the kernel loop needs no bounds checks.
  const padded = new Float32Array(pw * ph);
  for (let y = 0; y < ph; y++) {
    const sy = Math.min(height - 1, Math.max(0, y - r));
    for (let x = 0; x < pw; x++) {
      const sx = Math.min(width - 1, Math.max(0, x - r));
      padded[y * pw + x] = pixels[sy * width + sx]!;
    }
  }
  const out = new Uint8Array(width * height);
  const size = 2 * r + 1;
  for (let y = 0; y < by * BLOCK; y++) {
    const j = Math.floor(y / BLOCK);
    for (let x = 0; x < bx * BLOCK; x++) {
      const q = j * bx + Math.floor(x / BLOCK);
      if (mask[q] === 0) continue;
      let ai = Math.round((orientation[q]! * GABOR_ANGLES) / Math.PI);
      if (ai >= GABOR_ANGLES) ai -= GABOR_ANGLES;
      const p = Math.min(GABOR_MAX_PERIOD, Math.max(GABOR_MIN_PERIOD, Math.round(period[q]!)));
      const k = gaborKernel(ai, p);
      let s = 0;
      let ki = 0;
      for (let v = 0; v < size; v++) {
        let pi = (y + v) * pw + x;
        for (let u = 0; u < size; u++) s += k[ki++]! * padded[pi++]!;
      }
      // Ridges are dark: a negative response centred on a ridge.
      out[y * width + x] = s < 0 ? 1 : 0;
    }
  }
  return out;
}

// Neighbour order around p: N, NE, E, SE, S, SW, W, NW (clockwise from north).
const DX: readonly number[] = [0, 1, 1, 1, 0, -1, -1, -1];
const DY: readonly number[] = [-1, -1, 0, 1, 1, 1, 0, -1];

function neighbourCode(img: Uint8Array, i: number, w: number): number {
  let c = 0;
  for (let k = 0; k < 8; k++) if (img[i + DY[k]! * w + DX[k]!] === 1) c |= 1 << k;
  return c;
}

function transitions(code: number): number {
  let a = 0;
  for (let k = 0; k < 8; k++) {
    const p = (code >> k) & 1;
    const q = (code >> ((k + 1) & 7)) & 1;
    if (p === 0 && q === 1) a++;
  }
  return a;
}

function popcount8(code: number): number {
  let b = 0;
  for (let k = 0; k < 8; k++) b += (code >> k) & 1;
  return b;
}

/** Zhang-Suen deletion tables for the two sub-iterations. */
const THIN_TABLES = ((): [Uint8Array, Uint8Array] => {
  const t1 = new Uint8Array(256);
  const t2 = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    const b = popcount8(c);
    const a = transitions(c);
    const n = c & 1;
    const e = (c >> 2) & 1;
    const s = (c >> 4) & 1;
    const w = (c >> 6) & 1;
    if (b >= 2 && b <= 6 && a === 1) {
      if (n * e * s === 0 && e * s * w === 0) t1[c] = 1;
      if (n * e * w === 0 && n * s * w === 0) t2[c] = 1;
    }
  }
  return [t1, t2];
})();

/** Thins the ridges to one-pixel 8-connected lines. */
export function thin(ridges: Uint8Array, width: number, height: number): Uint8Array {
  const img = Uint8Array.from(ridges);
  // Clear the frame so neighbour reads stay inside the image.
  for (let x = 0; x < width; x++) {
    img[x] = 0;
    img[(height - 1) * width + x] = 0;
  }
  for (let y = 0; y < height; y++) {
    img[y * width] = 0;
    img[y * width + width - 1] = 0;
  }
  const del: number[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (const table of THIN_TABLES) {
      for (let y = 1; y < height - 1; y++) {
        for (let x = 1; x < width - 1; x++) {
          const i = y * width + x;
          if (img[i] === 1 && table[neighbourCode(img, i, width)] === 1) del.push(i);
        }
      }
      if (del.length > 0) changed = true;
      for (const i of del) img[i] = 0;
      del.length = 0;
    }
  }
  // Staircase pixels: a pixel whose two set 4-neighbours form an L with nothing on the
  // opposite side only thickens the line; removing it keeps the line connected.
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (img[i] === 0) continue;
      const c = neighbourCode(img, i, width);
      for (let k = 0; k < 8; k += 2) {
        const a = 1 << k;
        const b = 1 << ((k + 2) & 7);
        const opp = (1 << ((k + 4) & 7)) | (1 << ((k + 5) & 7)) | (1 << ((k + 6) & 7));
        if ((c & a) !== 0 && (c & b) !== 0 && (c & opp) === 0) {
          img[i] = 0;
          break;
        }
      }
    }
  }
  return img;
}

/** A minutia as found, before the template's quantisation. */
export interface RawMinutia {
  x: number;
  y: number;
  direction: number;
  kind: MinutiaKind;
  reliability: number;
  removed: boolean;
}

function crossingNumber(code: number): number {
  return transitions(code);
}

/** Trace length for direction and for the spur/bridge tests: about 1.5 ridge periods. */
const TRACE = 14;

interface Trace {
  /** End point of the trace. */
  x: number;
  y: number;
  /** Steps walked. */
  length: number;
  /** Pixel index of a minutia met on the way, or -1. */
  hit: number;
}

function traceFrom(
  skel: Uint8Array,
  cn: Uint8Array,
  width: number,
  start: number,
  first: number,
  maxSteps: number,
  stamp: Int32Array,
  mark: number,
): Trace {
  let prev = start;
  let cur = first;
  stamp[start] = mark;
  let steps = 1;
  while (true) {
    stamp[cur] = mark;
    const c = cn[cur]!;
    if (c !== 2) return { x: cur % width, y: Math.floor(cur / width), length: steps, hit: cur };
    if (steps >= maxSteps) break;
    let next = -1;
    // Prefer 4-neighbours: on an 8-connected line they are the true continuation.
    for (let k = 0; k < 8 && next === -1; k += 2) {
      const n = cur + DY[k]! * width + DX[k]!;
      if (n !== prev && skel[n] === 1 && stamp[n] !== mark) next = n;
    }
    for (let k = 1; k < 8 && next === -1; k += 2) {
      const n = cur + DY[k]! * width + DX[k]!;
      if (n !== prev && skel[n] === 1 && stamp[n] !== mark) next = n;
    }
    if (next === -1) break;
    prev = cur;
    cur = next;
    steps++;
  }
  return { x: cur % width, y: Math.floor(cur / width), length: steps, hit: -1 };
}

function angleDiff(a: number, b: number): number {
  let d = Math.abs(a - b) % (2 * Math.PI);
  if (d > Math.PI) d = 2 * Math.PI - d;
  return d;
}

function findMinutiae(f: ExtractionFields): RawMinutia[] {
  const { width, height, skeleton: skel, blocksX: bx, blocksY: by, mask } = f;
  const cn = new Uint8Array(width * height);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (skel[i] === 1) cn[i] = crossingNumber(neighbourCode(skel, i, width));
    }
  }
  // Minutiae must lie at least 1.5 blocks (12 px) inside the print: ridges cut by the
  // edge of the print or of the sensor end there without being endings. The mask comes
  // from a 3x3-block window, which spills one block past the skin; erode it by that block.
  const core = new Uint8Array(mask.length);
  for (let j = 1; j < by - 1; j++) {
    for (let i = 1; i < bx - 1; i++) {
      let all = 1;
      for (let v = j - 1; v <= j + 1 && all === 1; v++) {
        for (let u = i - 1; u <= i + 1; u++) {
          if (mask[v * bx + u] === 0) {
            all = 0;
            break;
          }
        }
      }
      core[j * bx + i] = all;
    }
  }
  const inside = (x: number, y: number): boolean => {
    const m = 12;
    for (const [dx, dy] of [
      [0, 0],
      [-m, 0],
      [m, 0],
      [0, -m],
      [0, m],
      [-m, -m],
      [m, m],
      [-m, m],
      [m, -m],
    ] as const) {
      const u = Math.floor((x + dx) / BLOCK);
      const v = Math.floor((y + dy) / BLOCK);
      if (u < 0 || v < 0 || u >= bx || v >= by || mask[v * bx + u] === 0) return false;
    }
    return true;
  };

  const stamp = new Int32Array(width * height);
  let mark = 0;
  const found: RawMinutia[] = [];
  const byPixel = new Map<number, number>();
  const pairsToRemove: [number, number][] = [];

  for (let y = 2; y < height - 2; y++) {
    for (let x = 2; x < width - 2; x++) {
      const i = y * width + x;
      const c = cn[i]!;
      if (c !== 1 && c !== 3) continue;
      if (!inside(x, y)) continue;
      const q = Math.floor(y / BLOCK) * bx + Math.floor(x / BLOCK);
      const field = f.orientation[q]!;
      const coh = f.coherence[q]!;
      let dirX = 0;
      let dirY = 0;
      let valid = true;
      if (c === 1) {
        let first = -1;
        for (let k = 0; k < 8 && first === -1; k++) {
          const n = i + DY[k]! * width + DX[k]!;
          if (skel[n] === 1) first = n;
        }
        const t = traceFrom(skel, cn, width, i, first, TRACE, stamp, ++mark);
        if (t.hit !== -1 || t.length < TRACE) {
          // A ridge shorter than the trace, or one ending in a bifurcation: a dot, a
          // short line or a spur. Drop it, and the minutia it runs into.
          valid = false;
          if (t.hit !== -1) pairsToRemove.push([i, t.hit]);
        }
        dirX = t.x - x;
        dirY = t.y - y;
      } else {
        // The three branches: one pixel from each run of set neighbours.
        const code = neighbourCode(skel, i, width);
        const starts: number[] = [];
        for (let k = 0; k < 8; k++) {
          const on = (code >> k) & 1;
          const before = (code >> ((k + 7) & 7)) & 1;
          if (on === 1 && before === 0) {
            // Prefer the 4-neighbour in the run.
            let pick = k;
            if (k % 2 === 1 && ((code >> ((k + 1) & 7)) & 1) === 1) pick = (k + 1) & 7;
            starts.push(i + DY[pick]! * width + DX[pick]!);
          }
        }
        if (starts.length !== 3) continue;
        const ends: { x: number; y: number }[] = [];
        mark++;
        for (const s of starts) {
          stamp[i] = mark;
          const t = traceFrom(skel, cn, width, i, s, TRACE, stamp, mark);
          if (t.hit !== -1 || t.length < TRACE) {
            valid = false;
            if (t.hit !== -1 && t.hit !== i) pairsToRemove.push([i, t.hit]);
          }
          ends.push({ x: t.x - x, y: t.y - y });
        }
        // The two branches closest in angle are the fork; the direction bisects them.
        const ang = ends.map((e) => Math.atan2(e.y, e.x));
        let best = 0;
        let bestD = Infinity;
        for (let a = 0; a < 3; a++) {
          const d = angleDiff(ang[a]!, ang[(a + 1) % 3]!);
          if (d < bestD) {
            bestD = d;
            best = a;
          }
        }
        const e1 = ends[best]!;
        const e2 = ends[(best + 1) % 3]!;
        const l1 = Math.hypot(e1.x, e1.y) || 1;
        const l2 = Math.hypot(e2.x, e2.y) || 1;
        dirX = e1.x / l1 + e2.x / l2;
        dirY = e1.y / l1 + e2.y / l2;
      }
      let dir = Math.atan2(dirY, dirX);
      // Snap to the smoothed ridge orientation when the trace agrees with it: the field
      // is averaged over 24 px and is steadier than a 14 px trace.
      const d0 = angleDiff(dir, field);
      const d1 = angleDiff(dir, field + Math.PI);
      const snapped = d0 < d1 ? field : field + Math.PI;
      if (Math.min(d0, d1) < Math.PI / 6) dir = snapped;
      if (dir < 0) dir += 2 * Math.PI;
      if (dir >= 2 * Math.PI) dir -= 2 * Math.PI;
      byPixel.set(i, found.length);
      found.push({
        x,
        y,
        direction: dir,
        kind: c === 1 ? MinutiaKind.Ending : MinutiaKind.Bifurcation,
        reliability: Math.min(1, coh / 0.7),
        removed: !valid,
      });
    }
  }
  for (const [a, b] of pairsToRemove) {
    const ia = byPixel.get(a);
    const ib = byPixel.get(b);
    if (ia !== undefined) found[ia]!.removed = true;
    if (ib !== undefined) found[ib]!.removed = true;
  }
  // Broken ridges: two endings closer than a ridge period and a half, facing each other.
  // Clusters: three or more minutiae within a ridge period are noise, not skin.
  const n = found.length;
  const close = new Uint8Array(n);
  const breaks: [number, number][] = [];
  for (let a = 0; a < n; a++) {
    const ma = found[a]!;
    for (let b = a + 1; b < n; b++) {
      const mb = found[b]!;
      const dx = mb.x - ma.x;
      const dy = mb.y - ma.y;
      if (Math.abs(dx) > 16 || Math.abs(dy) > 16) continue;
      const d = Math.hypot(dx, dy);
      if (d < 10) {
        close[a] = close[a]! + 1;
        close[b] = close[b]! + 1;
      }
      if (
        d < 16 &&
        ma.kind === MinutiaKind.Ending &&
        mb.kind === MinutiaKind.Ending &&
        angleDiff(ma.direction, mb.direction) > (3 * Math.PI) / 4
      ) {
        breaks.push([a, b]);
      }
      if (d < 6) breaks.push([a, b]);
    }
  }
  for (const [a, b] of breaks) {
    found[a]!.removed = true;
    found[b]!.removed = true;
  }
  for (let a = 0; a < n; a++) if (close[a]! >= 2) found[a]!.removed = true;
  return found.filter((m) => !m.removed);
}

/**
 * Quality 0..100: how much matchable evidence the print offers. The matcher's evidence is
 * pairs of minutiae, so quality is the number of reliable minutiae found, weighted by
 * the mean coherence of the ridge flow over the print (blurred, dry, smudged or scarred
 * skin has low coherence and unreliable minutiae), relative to a good print: 40 minutiae
 * at coherence 0.7. Small, partial, dry and smudged prints, the ones that fail to match,
 * score low (NFIQ 2 uses the same two kinds of features: minutiae count and orientation
 * certainty, ISO/IEC 29794-4).
 */
function qualityScore(f: ExtractionFields, minutiae: number): number {
  let fg = 0;
  let cohSum = 0;
  for (let q = 0; q < f.mask.length; q++) {
    if (f.mask[q] === 0) continue;
    fg++;
    cohSum += f.coherence[q]!;
  }
  if (fg === 0) return 0;
  const clarity = cohSum / fg / 0.7;
  return Math.round(100 * Math.min(1, (minutiae / 40) * clarity));
}
