import { seededRandom } from '@vigil/core';
import type { GrayImage } from '../image.ts';
import type { MasterFingerprint, MasterMinutia } from './master.ts';
import { gaussian, mixSeed, smoothField } from './random.ts';

/**
 * Impressions of a master fingerprint image, after SFinGe (Handbook of Fingerprint
 * Recognition, 2nd ed., ch. 6.5-6.6):
 *
 * 1. the finger lands on the sensor displaced and rotated;
 * 2. only an elliptical contact region touches the glass (partial contact), larger when
 *    the finger presses harder;
 * 3. the skin stretches elastically (Cappelli, Maio and Maltoni, "Modelling plastic
 *    distortion in fingerprint images", ICAPR 2001): a close-contact region that does not
 *    move, a transition band where a displacement and a small rotation are braked in
 *    smoothly, and free skin beyond it that follows them fully;
 * 4. pressure and dryness change the ridges: a wet or hard-pressed finger thickens them
 *    (morphological dilation), a dry or light one thins them (erosion) and breaks them
 *    with small white blobs, varying over the print;
 * 5. the sensor renders ridges dark on a light background with uneven contrast, blur and
 *    noise, at the requested resolution.
 *
 * Deterministic from (seed, impression): the same inputs give the same bytes.
 */

export interface ImpressionImageOptions {
  /** Output resolution in dots per inch (default 500). The sensor's size in mm is fixed. */
  readonly dpi?: number;
  /** Sensor size in pixels at 500 dpi (default 288 x 384, FVC2002 DB4's). */
  readonly width?: number;
  readonly height?: number;
  /** Standard deviation of the rotation, radians (default 10 degrees, clipped at 30). */
  readonly rotationSigma?: number;
  /** Standard deviation of the displacement, 500 dpi px (default 22, clipped at 60). */
  readonly displacementSigma?: number;
  /**
   * `fvc2002` (default): impression k follows the FVC2002 acquisition protocol (Maio et
   * al., ICPR 2002), repeated every 8: 1-2 plain; 3-4 exaggerated displacement; 5-6
   * exaggerated rotation (up to 35 degrees); 7 dry finger, 8 moistened finger.
   * `plain`: every impression as 1-2.
   */
  readonly protocol?: 'fvc2002' | 'plain';
  /**
   * Standard deviation of where on the finger the contact region is centred, px (default
   * 40 = 2 mm; 1.2 times that along the finger): how the finger's roll and pitch vary.
   */
  readonly contactJitter?: number;
  /** Amount of SFinGe's white-blob noise on the ridges, relative to the default (1). */
  readonly blobNoise?: number;
  /** Largest blob radius, px (default 1.6). */
  readonly blobRadius?: number;
}

/** How one impression was taken: the ground truth needed to map the master into it. */
export interface ImpressionPose {
  /** Master point (500 dpi px) that lands at the sensor's centre before distortion. */
  readonly originX: number;
  readonly originY: number;
  /** Rotation of the finger on the sensor, radians (clockwise in image coordinates). */
  readonly rotation: number;
  /** Elastic distortion outside the close-contact region: shift (px) and twist (radians). */
  readonly shiftX: number;
  readonly shiftY: number;
  readonly twist: number;
  /** Pressure, a standard normal draw: below 0 dry or light (thin, broken ridges), above 0 wet or hard. */
  readonly pressure: number;
}

export interface SyntheticImpression {
  /** 8-bit grayscale, at `dpi`. */
  readonly image: GrayImage;
  readonly dpi: number;
  readonly pose: ImpressionPose;
  /** The master's minutiae that fall inside the contact region, in this image's pixels. */
  readonly minutiae: readonly MasterMinutia[];
}

const DEG = Math.PI / 180;

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** One step of binary erosion (value 0) or dilation (value 1) with a 3x3 cross. */
function morph(src: Uint8Array, width: number, height: number, value: 0 | 1): Uint8Array {
  const out = Uint8Array.from(src);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (src[i] === value) continue;
      if (
        src[i - 1] === value ||
        src[i + 1] === value ||
        src[i - width] === value ||
        src[i + width] === value
      ) {
        out[i] = value;
      }
    }
  }
  return out;
}

/**
 * Impression `impression` of `master`, deterministic from (`seed`, `impression`).
 *
 * @example
 *   const master = synthesizeMasterFingerprint(7);
 *   const { image } = renderImpression(master, 7, 1);   // 288 x 384, 500 dpi
 */
export function renderImpression(
  master: MasterFingerprint,
  seed: number,
  impression: number,
  options: ImpressionImageOptions = {},
): SyntheticImpression {
  const random = seededRandom(mixSeed(mixSeed(seed, 0x6970), impression));
  const dpi = options.dpi ?? 500;
  const width = options.width ?? 288;
  const height = options.height ?? 384;
  const { layout, width: mw, height: mh } = master;

  // 1. Placement. The sensor is centred a little above the fingertip's centre, where the
  // core usually is (Handbook ch. 6.6: "the finger is placed on the sensor").
  const step = options.protocol === 'plain' ? 1 : ((impression - 1) % 8) + 1;
  const exaggeratedMove = step === 3 || step === 4;
  const exaggeratedTurn = step === 5 || step === 6;
  const rotationSigma = (options.rotationSigma ?? 10 * DEG) * (exaggeratedTurn ? 2 : 1);
  const maxTurn = exaggeratedTurn ? 35 * DEG : 30 * DEG;
  const rotation = clamp(gaussian(random) * rotationSigma, -maxTurn, maxTurn);
  const dSigma = (options.displacementSigma ?? 22) * (exaggeratedMove ? 2 : 1);
  const maxMove = exaggeratedMove ? 120 : 60;
  const originX = layout.centre.x + clamp(gaussian(random) * dSigma, -maxMove, maxMove);
  const originY =
    layout.centre.y - 0.1 * layout.semiAxisY + clamp(gaussian(random) * dSigma, -maxMove, maxMove);
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);

  // 2. Contact region: an ellipse of the finger's own skin (it moves and turns with the
  // finger, so a displaced finger is partly off the sensor), larger when the finger is
  // pressed harder.
  const pressure = gaussian(random) + (step === 7 ? -1.2 : step === 8 ? 1.2 : 0);
  const jitter = options.contactJitter ?? 40;
  const c0x = layout.centre.x + gaussian(random) * jitter;
  const c0y = layout.centre.y - 0.1 * layout.semiAxisY + gaussian(random) * jitter * 1.2;
  const spread = clamp(0.8 + 0.08 * pressure + 0.1 * (random() - 0.5), 0.62, 0.97);
  const ax = layout.semiAxisX * spread * (0.95 + 0.1 * random());
  const ay = layout.semiAxisY * spread * (0.9 + 0.1 * random());
  /** Where (master) skin point (x, y) sits in the contact ellipse: 1 on its edge. */
  const contact = (x: number, y: number): number => Math.hypot((x - c0x) / ax, (y - c0y) / ay);
  const toMasterX = (x: number, y: number) =>
    cos * (x - width / 2) + sin * (y - height / 2) + originX;
  const toMasterY = (x: number, y: number) =>
    -sin * (x - width / 2) + cos * (y - height / 2) + originY;
  // The contact centre on the sensor: the centre of the distortion's twist.
  const cx = cos * (c0x - originX) - sin * (c0y - originY) + width / 2;
  const cy = sin * (c0x - originX) + cos * (c0y - originY) + height / 2;

  // 3. Elastic distortion (Cappelli, Maio and Maltoni 2001). The close-contact region is
  // the inner part of the contact ellipse; the brake rises as a raised cosine across a
  // band of `band` px, as in the paper.
  const close = 0.45 + 0.2 * random();
  const band = 40 + 50 * random();
  const shiftX = gaussian(random) * 5;
  const shiftY = gaussian(random) * 5;
  const twist = gaussian(random) * 1.5 * DEG;
  const tc = Math.cos(twist);
  const ts = Math.sin(twist);
  const brakeAt = (x: number, y: number): number => {
    const r = contact(toMasterX(x, y), toMasterY(x, y));
    const d = (r - close) * Math.min(ax, ay);
    if (d <= 0) return 0;
    if (d >= band) return 1;
    return 0.5 * (1 - Math.cos((Math.PI * d) / band));
  };
  /** The displacement the skin undergoes at undistorted sensor point (x, y). */
  const displacement = (x: number, y: number): [number, number] => {
    const b = brakeAt(x, y);
    if (b === 0) return [0, 0];
    const rx = x - cx;
    const ry = y - cy;
    return [b * (tc * rx - ts * ry + cx + shiftX - x), b * (ts * rx + tc * ry + cy + shiftY - y)];
  };

  // 4. Pressure and dryness on the master's ridges, varying smoothly over the print.
  const level = smoothField(random, 4);
  const dilated = morph(master.ridges, mw, mh, 1);
  const eroded = morph(master.ridges, mw, mh, 0);
  const ink = new Float32Array(mw * mh);
  for (let y = 0; y < mh; y++) {
    for (let x = 0; x < mw; x++) {
      const i = y * mw + x;
      const l = pressure + 0.7 * level(x, y);
      ink[i] = l > 0.9 ? dilated[i]! : l < -0.9 ? eroded[i]! : master.ridges[i]!;
    }
  }
  // Noise as SFinGe adds it (Handbook ch. 6.6): small white blobs of random shape break
  // the ridges, more where the skin is drier and toward the edge of the contact region,
  // where the finger presses least.
  const candidates = Math.round(((mw * mh) / 150) * (options.blobNoise ?? 1));
  for (let b = 0; b < candidates; b++) {
    const x0 = random() * mw;
    const y0 = random() * mh;
    const r = Math.min(1, contact(x0, y0));
    const dry = clamp(0.45 - 0.35 * (pressure + 0.7 * level(x0, y0)), 0, 1);
    if (random() > dry * (0.35 + 0.65 * r * r)) continue;
    // One to three overlapping disks of radius 0.7 to 1.6 px.
    const parts = 1 + Math.floor(random() * 3);
    for (let part = 0; part < parts; part++) {
      const bx = x0 + (random() - 0.5) * 3;
      const by = y0 + (random() - 0.5) * 3;
      const radius = 0.7 + ((options.blobRadius ?? 1.6) - 0.7) * random();
      const rr = Math.ceil(radius);
      for (let y = Math.floor(by) - rr; y <= Math.floor(by) + rr; y++) {
        for (let x = Math.floor(bx) - rr; x <= Math.floor(bx) + rr; x++) {
          if (x < 0 || y < 0 || x >= mw || y >= mh) continue;
          if ((x - bx) ** 2 + (y - by) ** 2 <= radius * radius) ink[y * mw + x] = 0;
        }
      }
    }
  }

  // 5. Render. Each output pixel is mapped back to the master: output -> sensor (500 dpi)
  // -> undo the distortion (fixed-point iteration; the displacement is smooth and small,
  // so three steps converge to well under a pixel) -> undo the placement.
  const outW = Math.round((width * dpi) / 500);
  const outH = Math.round((height * dpi) / 500);
  const scale = 500 / dpi;
  const background = 185 + 30 * random();
  const contrast = 120 + 60 * random();
  const shade = smoothField(random, 3);
  const blotch = smoothField(random, 5);
  const value = new Float32Array(outW * outH);
  for (let j = 0; j < outH; j++) {
    for (let i = 0; i < outW; i++) {
      const sx = (i + 0.5) * scale - 0.5;
      const sy = (j + 0.5) * scale - 0.5;
      let px = sx;
      let py = sy;
      for (let k = 0; k < 3; k++) {
        const [ux, uy] = displacement(px, py);
        px = sx - ux;
        py = sy - uy;
      }
      const mx = toMasterX(px, py);
      const my = toMasterY(px, py);
      // Contact: inside the ellipse, faded over its last 10 px.
      const r = contact(mx, my);
      const edge = clamp(((1 - r) * Math.min(ax, ay)) / 10, 0, 1);
      let v = background + 8 * blotch(sx, sy);
      if (edge > 0) {
        const local = contrast * (0.8 + 0.2 * shade(mx, my)) * edge;
        v -= local * sample(ink, mw, mh, mx, my);
      }
      value[j * outW + i] = v;
    }
  }
  // Sensor blur (sigma 0.7 px at 500 dpi) and noise.
  const blurred = gaussianBlur(value, outW, outH, 0.7 / scale);
  const noise = 4 + 6 * random();
  const pixels = new Uint8Array(outW * outH);
  for (let i = 0; i < pixels.length; i++) {
    pixels[i] = clamp(Math.round(blurred[i]! + noise * gaussian(random)), 0, 255);
  }

  // Ground truth in this impression: the master's minutiae mapped forward, kept when they
  // lie 12 px inside the contact region and the sensor (the extractor's own margin).
  const minutiae: MasterMinutia[] = [];
  for (const m of master.minutiae) {
    const qx = m.x - originX;
    const qy = m.y - originY;
    const x0 = cos * qx - sin * qy + width / 2;
    const y0 = sin * qx + cos * qy + height / 2;
    const [ux, uy] = displacement(x0, y0);
    const x = x0 + ux;
    const y = y0 + uy;
    const r = Math.hypot((m.x - c0x) / (ax - 12), (m.y - c0y) / (ay - 12));
    if (r > 1 || x < 12 || y < 12 || x >= width - 12 || y >= height - 12) continue;
    let direction = m.direction + rotation + twist * brakeAt(x0, y0);
    direction = ((direction % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
    minutiae.push({
      x: Math.round(x / scale),
      y: Math.round(y / scale),
      direction,
      kind: m.kind,
    });
  }

  return {
    image: { width: outW, height: outH, pixels },
    dpi,
    pose: { originX, originY, rotation, shiftX, shiftY, twist, pressure },
    minutiae,
  };
}

/** Bilinear sample of a master-sized map; 0 outside it. */
function sample(map: Float32Array, width: number, height: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  if (x0 < 0 || y0 < 0 || x0 >= width - 1 || y0 >= height - 1) return 0;
  const fx = x - x0;
  const fy = y - y0;
  const i = y0 * width + x0;
  const top = map[i]! + (map[i + 1]! - map[i]!) * fx;
  const bottom = map[i + width]! + (map[i + width + 1]! - map[i + width]!) * fx;
  return top + (bottom - top) * fy;
}

/** Separable Gaussian blur, edges clamped. */
function gaussianBlur(
  src: Float32Array,
  width: number,
  height: number,
  sigma: number,
): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let d = -r; d <= r; d++) {
    k[d + r] = Math.exp(-(d * d) / (2 * sigma * sigma));
    sum += k[d + r]!;
  }
  for (let d = 0; d < k.length; d++) k[d] = k[d]! / sum;
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let d = -r; d <= r; d++) acc += k[d + r]! * src[y * width + clamp(x + d, 0, width - 1)]!;
      tmp[y * width + x] = acc;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let d = -r; d <= r; d++)
        acc += k[d + r]! * tmp[clamp(y + d, 0, height - 1) * width + x]!;
      out[y * width + x] = acc;
    }
  }
  return out;
}
