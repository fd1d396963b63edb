import type { RgbImage } from './decode.ts';

/** A point in image pixels. */
export interface FacePoint {
  readonly x: number;
  readonly y: number;
}

/** Capture quality, after ISO/IEC 29794-5 in spirit: size, sharpness and pose. */
export interface FaceQuality {
  /** Distance between the eye centres, in pixels (ISO/IEC 19794-5 asks 60+ for enrolment). */
  readonly interEyePixels: number;
  /** Variance of the Laplacian of the face, grey levels squared; low means blurred. */
  readonly sharpness: number;
  /** Head turn left/right in degrees, estimated from the landmarks (0 = frontal). */
  readonly yaw: number;
  /** Head nod up/down in degrees, a coarse estimate from the landmarks (0 = level). */
  readonly pitch: number;
  /** In-plane tilt of the eye line in degrees. */
  readonly roll: number;
  /** Problems found; empty when the capture is fit for comparison. */
  readonly problems: readonly FaceQualityProblem[];
}

export type FaceQualityProblem = 'too-small' | 'blurred' | 'turned-away';

/** Thresholds below which a capture is flagged (see README, "Quality"). */
export const QUALITY_LIMITS = {
  minInterEyePixels: 20,
  minSharpness: 15,
  maxYawDegrees: 45,
  maxPitchDegrees: 35,
  maxRollDegrees: 35,
} as const;

const mean = (pts: readonly FacePoint[]): FacePoint => {
  let x = 0;
  let y = 0;
  for (const p of pts) {
    x += p.x;
    y += p.y;
  }
  return { x: x / Math.max(1, pts.length), y: y / Math.max(1, pts.length) };
};

const deg = (r: number) => (r * 180) / Math.PI;
const clamp1 = (v: number) => Math.max(-1, Math.min(1, v));

/**
 * Pose from the 68 iBUG landmarks (0-16 jaw, 27-35 nose, 36-41 and 42-47 eyes, 48-67
 * mouth). Yaw: where the nose tip sits between the two jaw edges; pitch: where it sits
 * between the eye line and the mouth, against the frontal ratio of about 0.45; roll: the
 * slope of the eye line. Coarse (about 10 degrees) but enough to flag a turned head.
 */
export function poseFromLandmarks(p: readonly FacePoint[]): {
  yaw: number;
  pitch: number;
  roll: number;
} {
  if (p.length < 68) return { yaw: 0, pitch: 0, roll: 0 };
  const leftEye = mean(p.slice(36, 42));
  const rightEye = mean(p.slice(42, 48));
  const nose = p[30]!;
  const mouth = mean(p.slice(48, 68));
  const jawL = p[0]!;
  const jawR = p[16]!;
  const dl = Math.hypot(nose.x - jawL.x, nose.y - jawL.y);
  const dr = Math.hypot(jawR.x - nose.x, jawR.y - nose.y);
  const yaw = deg(Math.asin(clamp1((dl - dr) / Math.max(1e-6, dl + dr))) * 2);
  const eyes = mean([leftEye, rightEye]);
  const span = Math.max(1e-6, Math.hypot(mouth.x - eyes.x, mouth.y - eyes.y));
  const ratio = Math.hypot(nose.x - eyes.x, nose.y - eyes.y) / span;
  const pitch = deg(Math.asin(clamp1((ratio - 0.45) / 0.45)));
  const roll = deg(Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x));
  return { yaw, pitch, roll };
}

/** Variance of the 4-neighbour Laplacian of the grey face region, scaled to 96 px wide. */
export function faceSharpness(
  image: RgbImage,
  box: { x: number; y: number; width: number; height: number },
): number {
  const size = 96;
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const w = Math.min(image.width - x0, Math.ceil(box.width));
  const h = Math.min(image.height - y0, Math.ceil(box.height));
  if (w < 4 || h < 4) return 0;
  // Nearest-neighbour resample to a fixed size so the measure does not depend on scale.
  const g = new Float64Array(size * size);
  for (let j = 0; j < size; j++) {
    const sy = y0 + Math.min(h - 1, Math.floor(((j + 0.5) * h) / size));
    for (let i = 0; i < size; i++) {
      const sx = x0 + Math.min(w - 1, Math.floor(((i + 0.5) * w) / size));
      const o = (sy * image.width + sx) * 3;
      g[j * size + i] =
        0.299 * image.data[o]! + 0.587 * image.data[o + 1]! + 0.114 * image.data[o + 2]!;
    }
  }
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let j = 1; j < size - 1; j++) {
    for (let i = 1; i < size - 1; i++) {
      const k = j * size + i;
      const l = g[k - 1]! + g[k + 1]! + g[k - size]! + g[k + size]! - 4 * g[k]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  const m = sum / n;
  return sum2 / n - m * m;
}

/** The quality record of one capture. */
export function assessQuality(
  image: RgbImage,
  box: { x: number; y: number; width: number; height: number },
  landmarks: readonly FacePoint[],
): FaceQuality {
  const leftEye = mean(landmarks.slice(36, 42));
  const rightEye = mean(landmarks.slice(42, 48));
  const interEyePixels = Math.hypot(rightEye.x - leftEye.x, rightEye.y - leftEye.y);
  const s = faceSharpness(image, box);
  const pose = poseFromLandmarks(landmarks);
  const problems: FaceQualityProblem[] = [];
  const L = QUALITY_LIMITS;
  if (interEyePixels < L.minInterEyePixels) problems.push('too-small');
  if (s < L.minSharpness) problems.push('blurred');
  if (
    Math.abs(pose.yaw) > L.maxYawDegrees ||
    Math.abs(pose.pitch) > L.maxPitchDegrees ||
    Math.abs(pose.roll) > L.maxRollDegrees
  ) {
    problems.push('turned-away');
  }
  return { interEyePixels, sharpness: s, ...pose, problems };
}
