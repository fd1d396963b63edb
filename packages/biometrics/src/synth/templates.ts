import { seededRandom } from '@vigil/core';
import { quantizeDirection } from '../iso.ts';
import { MinutiaKind, type FingerprintTemplate } from '../template.ts';
import {
  drawClass,
  drawLayout,
  insideFinger,
  orientationAt,
  type FingerLayout,
  type FingerprintClass,
} from './orientation.ts';
import { gaussian, mixSeed } from './random.ts';

/**
 * Synthetic templates without images, for tests at the scale of a voter roll: a master
 * set of minutiae per finger, and impressions of it with the faults a real capture and
 * extraction bring (Handbook of Fingerprint Recognition, 2nd ed., ch. 6.5-6.6; Cappelli,
 * Maio and Maltoni 2001 for the skin distortion):
 *
 * - the finger is placed on the sensor shifted and rotated;
 * - only an elliptical contact region is captured (partial contact);
 * - the skin stretches elastically outside the region pressed hardest;
 * - the extractor misses some minutiae, invents others, moves them by a pixel or two,
 *   turns their direction a little and confuses endings with bifurcations.
 *
 * The default rates below are the ones measured on templates extracted from this
 * package's synthetic images (see `templateStatistics` and README.md); a test keeps the
 * two in agreement.
 */

/** A master: the finger's true minutiae, on its own canvas (500 dpi pixels). */
export interface MasterMinutiae {
  readonly layout: FingerLayout;
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** Radians in [0, 2pi), image coordinates. */
  readonly direction: Float32Array;
  readonly kind: Uint8Array;
}

export interface MasterOptions {
  /** Class of the finger (default: drawn with the natural frequencies). */
  readonly fingerClass?: FingerprintClass;
  /** Master canvas, 500 dpi pixels (default 360 x 480, a whole fingertip). */
  readonly width?: number;
  readonly height?: number;
  /** True minutiae per 10,000 px^2 (default 5.6, about 2.2 per mm^2... see README). */
  readonly density?: number;
}

/** Closest two true minutiae may lie (px): closer pairs are a single feature to any extractor. */
const MIN_SPACING = 9;
/** Share of ridge endings among true minutiae (bifurcations are the rest). */
const ENDING_SHARE = 0.67;

/** Draws the true minutiae of one finger, deterministic from `seed`. */
export function synthesizeMasterMinutiae(
  seed: number,
  options: MasterOptions = {},
): MasterMinutiae {
  const random = seededRandom(mixSeed(seed, 0x6d61));
  const width = options.width ?? 360;
  const height = options.height ?? 480;
  const fingerClass = options.fingerClass ?? drawClass(random);
  const layout = drawLayout(random, fingerClass, width, height);
  const density = options.density ?? 5.6;
  const area = Math.PI * layout.semiAxisX * layout.semiAxisY;
  const target = Math.round((area / 10000) * density);
  const xs: number[] = [];
  const ys: number[] = [];
  // Dart throwing with a minimum spacing: a Poisson-disk-like pattern, as minutiae are
  // (they are rarely closer than a ridge period).
  const cell = MIN_SPACING;
  const cols = Math.ceil(width / cell);
  const rows = Math.ceil(height / cell);
  const grid = new Int32Array(cols * rows).fill(-1);
  let attempts = 0;
  while (xs.length < target && attempts < target * 30) {
    attempts++;
    const x = random() * width;
    const y = random() * height;
    if (!insideFinger(layout, x, y)) continue;
    const gx = Math.floor(x / cell);
    const gy = Math.floor(y / cell);
    let free = true;
    for (let j = Math.max(0, gy - 1); j <= Math.min(rows - 1, gy + 1) && free; j++) {
      for (let i = Math.max(0, gx - 1); i <= Math.min(cols - 1, gx + 1); i++) {
        const k = grid[j * cols + i]!;
        if (k >= 0 && Math.hypot(xs[k]! - x, ys[k]! - y) < MIN_SPACING) {
          free = false;
          break;
        }
      }
    }
    if (!free) continue;
    grid[gy * cols + gx] = xs.length;
    xs.push(x);
    ys.push(y);
  }
  const n = xs.length;
  const direction = new Float32Array(n);
  const kind = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // A minutia points along its ridge, one way or the other.
    const theta = orientationAt(layout, xs[i]!, ys[i]!) + (random() < 0.5 ? 0 : Math.PI);
    direction[i] = theta;
    kind[i] = random() < ENDING_SHARE ? MinutiaKind.Ending : MinutiaKind.Bifurcation;
  }
  return { layout, x: Float32Array.from(xs), y: Float32Array.from(ys), direction, kind };
}

/** How an impression is taken and extracted. Defaults are this package's measured ones. */
export interface ImpressionOptions {
  /** Sensor image size, 500 dpi pixels (default 288 x 384, FVC2002 DB4). */
  readonly width?: number;
  readonly height?: number;
  /** Standard deviation of the finger's rotation on the sensor, radians (default 10 degrees). */
  readonly rotationSigma?: number;
  /** Standard deviation of the finger's displacement, px (default 22). */
  readonly displacementSigma?: number;
  /** Share of true minutiae the extractor misses, on average (default 0.22). */
  readonly missingRate?: number;
  /** Spurious minutiae per true minutia found (default 0.18). */
  readonly spuriousRate?: number;
  /** Position noise, px (default 1.5). */
  readonly positionSigma?: number;
  /** Direction noise, radians (default 5 degrees). */
  readonly directionSigma?: number;
  /** Share of endings read as bifurcations and the other way round (default 0.12). */
  readonly kindFlipRate?: number;
  /** Most minutiae kept (the extractor keeps its 160 most reliable). */
  readonly maxMinutiae?: number;
}

const DEG = Math.PI / 180;
/** Minutiae this close to the edge of the captured area are dropped (the extractor's rule). */
const BORDER_MARGIN = 12;

/**
 * Impression `impression` of a master, deterministic from (`seed`, `impression`). The
 * result is a template as the extractor makes them: integer pixel positions and
 * ISO-quantised directions.
 */
export function synthesizeImpressionTemplate(
  master: MasterMinutiae,
  seed: number,
  impression: number,
  options: ImpressionOptions = {},
): FingerprintTemplate {
  const random = seededRandom(mixSeed(mixSeed(seed, 0x696d), impression));
  const width = options.width ?? 288;
  const height = options.height ?? 384;
  const layout = master.layout;
  // Per-impression capture quality: dry or smudged captures lose more minutiae.
  const quality = Math.min(1, Math.max(0, 0.75 + 0.2 * gaussian(random)));
  const missing = Math.min(0.9, (options.missingRate ?? 0.22) * (1.6 - 0.8 * quality));
  const spurious = (options.spuriousRate ?? 0.18) * (1.6 - 0.8 * quality);
  const posSigma = options.positionSigma ?? 1.5;
  const dirSigma = options.directionSigma ?? 5 * DEG;
  const flip = options.kindFlipRate ?? 0.12;

  // Rigid placement: the sensor window's centre in master coordinates and the rotation.
  const rotation = clamp(
    gaussian(random) * (options.rotationSigma ?? 10 * DEG),
    -30 * DEG,
    30 * DEG,
  );
  const dSigma = options.displacementSigma ?? 22;
  const ox = layout.centre.x + clamp(gaussian(random) * dSigma, -60, 60);
  const oy = layout.centre.y + clamp(gaussian(random) * dSigma, -60, 60);
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);

  // Contact region in sensor coordinates: an ellipse, smaller on partial contact.
  const cx = width / 2 + gaussian(random) * 10;
  const cy = height / 2 + gaussian(random) * 12;
  const ax = width * (0.36 + 0.14 * random());
  const ay = height * (0.36 + 0.14 * random());

  // Elastic distortion (Cappelli, Maio and Maltoni 2001): inside the close-contact
  // region the skin does not move; outside it, points follow a displacement and a small
  // rotation, braked smoothly across a transition band of width `band`.
  const close = 0.45 + 0.2 * random();
  const band = 40 + 50 * random();
  const shiftX = gaussian(random) * 5;
  const shiftY = gaussian(random) * 5;
  const twist = gaussian(random) * 1.5 * DEG;

  const xs: number[] = [];
  const ys: number[] = [];
  const ds: number[] = [];
  const ks: number[] = [];
  const inContact = (x: number, y: number, margin: number): boolean => {
    const u = (x - cx) / Math.max(1, ax - margin);
    const v = (y - cy) / Math.max(1, ay - margin);
    return (
      u * u + v * v <= 1 && x >= margin && y >= margin && x < width - margin && y < height - margin
    );
  };
  for (let i = 0; i < master.x.length; i++) {
    const px = master.x[i]! - ox;
    const py = master.y[i]! - oy;
    let x = cos * px - sin * py + width / 2;
    let y = sin * px + cos * py + height / 2;
    let d = master.direction[i]! + rotation;
    // Distance outside the close-contact ellipse, in pixels (approximately).
    const r = Math.hypot((x - cx) / ax, (y - cy) / ay);
    const outside = Math.max(0, r - close) * Math.min(ax, ay);
    const brake = 1 - Math.exp(-(outside * outside) / (2 * band * band));
    if (brake > 0) {
      const rx = x - cx;
      const ry = y - cy;
      const tx = Math.cos(twist) * rx - Math.sin(twist) * ry + cx + shiftX;
      const ty = Math.sin(twist) * rx + Math.cos(twist) * ry + cy + shiftY;
      x += (tx - x) * brake;
      y += (ty - y) * brake;
      d += twist * brake;
    }
    if (!inContact(x, y, BORDER_MARGIN)) continue;
    if (random() < missing) continue;
    xs.push(x + gaussian(random) * posSigma);
    ys.push(y + gaussian(random) * posSigma);
    ds.push(d + gaussian(random) * dirSigma);
    const k = master.kind[i]!;
    ks.push(
      random() < flip
        ? k === MinutiaKind.Ending
          ? MinutiaKind.Bifurcation
          : MinutiaKind.Ending
        : k,
    );
  }
  // Spurious minutiae: scattered over the contact region, along the local ridge flow (an
  // extractor's false minutiae sit on ridges: breaks, bridges, spurs).
  const extra = poisson(random, spurious * xs.length);
  for (let e = 0, tries = 0; e < extra && tries < extra * 20; tries++) {
    const x = cx + (2 * random() - 1) * ax;
    const y = cy + (2 * random() - 1) * ay;
    if (!inContact(x, y, BORDER_MARGIN)) continue;
    // Back to master coordinates to read the flow there.
    const mx = cos * (x - width / 2) + sin * (y - height / 2) + ox;
    const my = -sin * (x - width / 2) + cos * (y - height / 2) + oy;
    const flow = insideFinger(layout, mx, my) ? orientationAt(layout, mx, my) : random() * Math.PI;
    xs.push(x);
    ys.push(y);
    ds.push(flow + rotation + (random() < 0.5 ? 0 : Math.PI) + gaussian(random) * 2 * dirSigma);
    ks.push(random() < 0.5 ? MinutiaKind.Ending : MinutiaKind.Bifurcation);
    e++;
  }
  const keep = Math.min(xs.length, options.maxMinutiae ?? 160);
  const n = keep;
  const template: FingerprintTemplate = {
    width,
    height,
    quality: Math.round(100 * Math.min(1, (n / 40) * (0.6 + 0.4 * quality))),
    x: new Float32Array(n),
    y: new Float32Array(n),
    direction: new Float32Array(n),
    kind: new Uint8Array(n),
    reliability: new Float32Array(n),
  };
  for (let i = 0; i < n; i++) {
    template.x[i] = clamp(Math.round(xs[i]!), 0, width - 1);
    template.y[i] = clamp(Math.round(ys[i]!), 0, height - 1);
    template.direction[i] = quantizeDirection(ds[i]!);
    template.kind[i] = ks[i]!;
    template.reliability[i] =
      Math.round(100 * clamp(quality + 0.15 * gaussian(random), 0.05, 1)) / 100;
  }
  return template;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function poisson(random: () => number, mean: number): number {
  // Knuth's method; the means here are small (tens).
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** Summary statistics of a set of templates, to compare synthetic with extracted ones. */
export interface TemplateStatistics {
  readonly templates: number;
  readonly meanMinutiae: number;
  readonly sdMinutiae: number;
  /** Mean distance from each minutia to its nearest neighbour, px. */
  readonly meanNearestNeighbour: number;
  /** Share of ridge endings among endings and bifurcations. */
  readonly endingShare: number;
}

export function templateStatistics(templates: readonly FingerprintTemplate[]): TemplateStatistics {
  const counts = templates.map((t) => t.x.length);
  const mean = counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length);
  const sd = Math.sqrt(
    counts.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, counts.length),
  );
  let nnSum = 0;
  let nnCount = 0;
  let endings = 0;
  let typed = 0;
  for (const t of templates) {
    const n = t.x.length;
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const d = Math.hypot(t.x[i]! - t.x[j]!, t.y[i]! - t.y[j]!);
        if (d < best) best = d;
      }
      if (best < Infinity) {
        nnSum += best;
        nnCount++;
      }
      if (t.kind[i] === MinutiaKind.Ending) endings++;
      if (t.kind[i] !== MinutiaKind.Other) typed++;
    }
  }
  return {
    templates: templates.length,
    meanMinutiae: mean,
    sdMinutiae: sd,
    meanNearestNeighbour: nnCount === 0 ? 0 : nnSum / nnCount,
    endingShare: typed === 0 ? 0 : endings / typed,
  };
}

/**
 * Impression `impression` of finger `finger` in the population drawn from `seed`: the
 * one-call form used by the scale benchmarks (finger 7 is the same finger whichever
 * thread or batch makes it).
 */
export function synthesizeFingerTemplate(
  seed: number,
  finger: number,
  impression: number,
  options: ImpressionOptions & MasterOptions = {},
): FingerprintTemplate {
  const fingerSeed = mixSeed(seed, finger);
  return synthesizeImpressionTemplate(
    synthesizeMasterMinutiae(fingerSeed, options),
    fingerSeed,
    impression,
    options,
  );
}

/**
 * Finger positions of ISO/IEC 19794-2 (Table 2): 1 right thumb .. 5 right little, 6 left
 * thumb .. 10 left little. In the order a registry enrols them (the two index fingers
 * first, then middle, thumbs, ring, little), so "the first k positions" names the fingers
 * an enrolment of k fingers captures.
 */
export const ENROLMENT_FINGER_ORDER: readonly number[] = [2, 7, 3, 8, 1, 6, 4, 9, 5, 10];

/**
 * Impression `impression` of finger `position` (ISO/IEC 19794-2 position 1..10) of person
 * `person` in the population drawn from `seed`. Each (person, position) has its own
 * master, drawn independently of the person's other fingers: ridge patterns of one
 * person's fingers are not copies of each other, and what little they share (class,
 * ridge density: Handbook of Fingerprint Recognition, 2nd ed., ch. 1.4) a minutiae
 * matcher barely sees, so scores of different fingers of one person behave like
 * impostor scores. That independence is what score fusion over fingers assumes.
 */
export function synthesizePersonFingerTemplate(
  seed: number,
  person: number,
  position: number,
  impression: number,
  options: ImpressionOptions & MasterOptions = {},
): FingerprintTemplate {
  if (!Number.isInteger(position) || position < 1 || position > 10) {
    throw new RangeError(
      `Finger position ${position} is not an ISO/IEC 19794-2 position; give 1 to 10.`,
    );
  }
  // A stream apart from synthesizeFingerTemplate's (salted), so person 7's right index is
  // not finger 7 of the one-finger population.
  const fingerSeed = mixSeed(mixSeed(mixSeed(seed, 0x7065), person), position);
  return synthesizeImpressionTemplate(
    synthesizeMasterMinutiae(fingerSeed, options),
    fingerSeed,
    impression,
    options,
  );
}
