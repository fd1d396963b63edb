/**
 * The ridge-flow model of a synthetic master fingerprint, after SFinGe (Cappelli, Maio and
 * Maltoni, "Synthetic fingerprint-image generation", ICPR 2000; Maltoni et al., Handbook
 * of Fingerprint Recognition, 2nd ed., ch. 6): the Sherlock and Monro (1993) zero-pole
 * model around the singular points, with the Vizcaya and Gerhardt (1996) correction that
 * bends each singular point's angular contribution smoothly, and a ridge-frequency map.
 *
 * Angles are in image coordinates (x right, y down), radians; a ridge orientation is
 * defined modulo pi.
 */

/** The five Henry classes SFinGe generates (Handbook ch. 6.3). */
export const FINGERPRINT_CLASSES = [
  'arch',
  'tented-arch',
  'left-loop',
  'right-loop',
  'whorl',
] as const;
export type FingerprintClass = (typeof FINGERPRINT_CLASSES)[number];

/**
 * How often each class occurs in nature (Wilson, Candela and Watson 1994, as SFinGe uses
 * them): arch 3.7%, tented arch 2.9%, left loop 33.8%, right loop 31.7%, whorl 27.9%.
 */
export const CLASS_FREQUENCIES: Readonly<Record<FingerprintClass, number>> = {
  arch: 0.037,
  'tented-arch': 0.029,
  'left-loop': 0.338,
  'right-loop': 0.317,
  whorl: 0.279,
};

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A master fingerprint's shape and flow: everything the image and template makers share. */
export interface FingerLayout {
  readonly fingerClass: FingerprintClass;
  /** Canvas of the master, 500 dpi pixels. */
  readonly width: number;
  readonly height: number;
  /** The fingertip silhouette: an ellipse (SFinGe's four-arc shape, simplified). */
  readonly centre: Point;
  readonly semiAxisX: number;
  readonly semiAxisY: number;
  readonly cores: readonly Point[];
  readonly deltas: readonly Point[];
  /** Vizcaya-Gerhardt correction: sin/cos amplitudes of the angular warp per point. */
  readonly coreWarp: readonly (readonly number[])[];
  readonly deltaWarp: readonly (readonly number[])[];
  /** Arch only: amplitude and width of the ridge hump. */
  readonly archHeight: number;
  /** Mean ridge period in pixels (adult skin at 500 dpi: 7 to 12 px). */
  readonly period: number;
  /** Low-frequency variation of the period (coefficients of a smooth field). */
  readonly periodWaves: readonly (readonly [kx: number, ky: number, phase: number, amp: number])[];
}

/** Picks a class with the natural frequencies. */
export function drawClass(random: () => number): FingerprintClass {
  let u = random();
  for (const c of FINGERPRINT_CLASSES) {
    u -= CLASS_FREQUENCIES[c];
    if (u <= 0) return c;
  }
  return 'whorl';
}

function between(random: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * random();
}

function warp(random: () => number): number[] {
  // Small amplitudes keep g(alpha) = alpha + sum a_k sin(k alpha) monotone, as the
  // Vizcaya-Gerhardt piecewise-linear correction is.
  return [between(random, -0.12, 0.12), between(random, -0.08, 0.08)];
}

/**
 * Draws a master layout of class `fingerClass` on a `width` x `height` canvas. Singular
 * points are placed as in real prints: the core in the upper middle of the fingertip,
 * deltas 80 to 140 px (about 9 to 15 ridges) below and to the side of it.
 */
export function drawLayout(
  random: () => number,
  fingerClass: FingerprintClass,
  width: number,
  height: number,
): FingerLayout {
  const centre = { x: width / 2 + between(random, -8, 8), y: height / 2 + between(random, -8, 8) };
  const semiAxisX = Math.min(width / 2 - 4, between(random, 0.4, 0.47) * width);
  const semiAxisY = Math.min(height / 2 - 4, between(random, 0.42, 0.48) * height);
  const core = {
    x: centre.x + between(random, -0.12, 0.12) * semiAxisX,
    y: centre.y + between(random, -0.35, -0.05) * semiAxisY,
  };
  const drop = between(random, 80, 140);
  const side = between(random, 50, 110);
  let cores: Point[] = [];
  let deltas: Point[] = [];
  switch (fingerClass) {
    case 'arch':
      break;
    case 'tented-arch':
      cores = [core];
      deltas = [{ x: core.x + between(random, -6, 6), y: core.y + between(random, 45, 70) }];
      break;
    case 'left-loop':
      cores = [core];
      deltas = [{ x: core.x + side, y: core.y + drop }];
      break;
    case 'right-loop':
      cores = [core];
      deltas = [{ x: core.x - side, y: core.y + drop }];
      break;
    case 'whorl': {
      const gap = between(random, 15, 35);
      const tilt = between(random, -12, 12);
      cores = [
        { x: core.x + tilt, y: core.y - gap / 2 },
        { x: core.x - tilt, y: core.y + gap / 2 },
      ];
      deltas = [
        { x: core.x - between(random, 75, 120), y: core.y + drop },
        { x: core.x + between(random, 75, 120), y: core.y + drop },
      ];
      break;
    }
  }
  const period = between(random, 8.2, 10.2);
  const periodWaves: [number, number, number, number][] = [];
  for (let k = 0; k < 3; k++) {
    periodWaves.push([
      between(random, -1, 1) / 120,
      between(random, -1, 1) / 120,
      between(random, 0, 2 * Math.PI),
      between(random, 0.02, 0.05),
    ]);
  }
  return {
    fingerClass,
    width,
    height,
    centre,
    semiAxisX,
    semiAxisY,
    cores,
    deltas,
    coreWarp: cores.map(() => warp(random)),
    deltaWarp: deltas.map(() => warp(random)),
    archHeight: between(random, 0.6, 1.2),
    period,
    periodWaves,
  };
}

function warped(alpha: number, w: readonly number[]): number {
  let g = alpha;
  for (let k = 0; k < w.length; k++) g += w[k]! * Math.sin((k + 1) * alpha);
  return g;
}

/**
 * Ridge orientation at (x, y), radians in [0, pi). Zero-pole model (Sherlock and Monro
 * 1993): theta = 1/2 (sum over cores of g(arg(z - c)) - sum over deltas of g(arg(z - d))),
 * with g the Vizcaya-Gerhardt warp. The arch, which has no singular point, follows
 * ridges of the form y = h exp(-x^2 / 2s^2), flattening toward the finger's base.
 */
export function orientationAt(layout: FingerLayout, x: number, y: number): number {
  let theta: number;
  if (layout.cores.length === 0) {
    const s = layout.semiAxisX * 0.55;
    const u = (x - layout.centre.x) / s;
    // Humps are tallest above the centre and fade toward the base of the finger.
    const v = Math.max(
      0,
      Math.min(1, 1 - (y - layout.centre.y + layout.semiAxisY) / (2 * layout.semiAxisY)),
    );
    const slope = layout.archHeight * u * Math.exp(-0.5 * u * u) * (0.25 + v);
    theta = Math.atan(slope);
  } else {
    // Angles are measured with y pointing up so the singular points have their textbook
    // shapes; the sign flip below brings the result back to image coordinates.
    let sum = 0;
    for (let k = 0; k < layout.cores.length; k++) {
      const c = layout.cores[k]!;
      sum += warped(Math.atan2(c.y - y, x - c.x), layout.coreWarp[k]!);
    }
    for (let k = 0; k < layout.deltas.length; k++) {
      const d = layout.deltas[k]!;
      sum -= warped(Math.atan2(d.y - y, x - d.x), layout.deltaWarp[k]!);
    }
    theta = -0.5 * sum;
  }
  theta %= Math.PI;
  return theta < 0 ? theta + Math.PI : theta;
}

/** Ridge period in pixels at (x, y): the mean, varied smoothly, longer near the cores. */
export function periodAt(layout: FingerLayout, x: number, y: number): number {
  let f = 1;
  for (const [kx, ky, phase, amp] of layout.periodWaves) {
    f += amp * Math.sin(2 * Math.PI * (kx * x + ky * y) + phase);
  }
  // Ridges spread out around a core (SFinGe's frequency map does the same).
  for (const c of layout.cores) {
    const d = Math.hypot(x - c.x, y - c.y);
    f += 0.1 * Math.exp(-(d * d) / (2 * 40 * 40));
  }
  return layout.period * f;
}

/** Whether (x, y) lies inside the fingertip silhouette scaled by `scale`. */
export function insideFinger(layout: FingerLayout, x: number, y: number, scale = 1): boolean {
  const u = (x - layout.centre.x) / (layout.semiAxisX * scale);
  const v = (y - layout.centre.y) / (layout.semiAxisY * scale);
  return u * u + v * v <= 1;
}
