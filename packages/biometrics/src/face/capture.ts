import { err, InvalidInputError, ok, type Result } from '@vigil/core';
import { decodeFaceImage, type RgbImage } from './decode.ts';
import { loadFaceEngine, type FaceEngine, type HumanFace } from './engine.ts';
import {
  assessQuality,
  QUALITY_LIMITS,
  type FaceQuality,
  type FaceQualityProblem,
} from './quality.ts';

/** The identity part of a capture: the embedding, and nothing of the image. */
export interface FaceTemplate {
  /** dlib ResNet-34 metric embedding (face-api), 128 values, compared by distance. */
  readonly dlib: Float32Array;
}

/**
 * Presentation-attack scores of the capture, each a probability in 0..1 that the face
 * is genuine (1) rather than an attack (0). See README, "Presentation attacks": they are
 * signals for the check-in to demand, not a certified PAD decision.
 */
export interface PresentationAttackScores {
  /** Human `antispoof`: real face versus a printed photo or a screen replay. */
  readonly antispoof: number;
  /** Human `liveness`: live face versus a still reproduction. */
  readonly liveness: number;
}

/** One face captured from one image. */
export interface FaceCapture {
  readonly template: FaceTemplate;
  readonly quality: FaceQuality;
  readonly presentationAttack: PresentationAttackScores;
  /** The face used, in image pixels: the detected face nearest the image centre. */
  readonly box: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  };
  /** Detector confidence of that face, 0..1. */
  readonly detectionScore: number;
  /** How many faces the detector found in the image. */
  readonly facesFound: number;
  /** The decoded image, only when the caller asked to keep it (`keepImage`). */
  readonly image?: RgbImage;
}

export interface CaptureOptions {
  /** Keep the decoded image in the result. Default false: only the embeddings are kept. */
  readonly keepImage?: boolean;
}

const NO_FACE_HINT =
  'Retake the photograph facing the camera, with the whole face visible and evenly lit.';

/**
 * Detects the face nearest the centre of a JPEG or PNG photograph, measures its quality,
 * computes the embedding and the presentation-attack scores. Expected failures (not an
 * image, too small, too large, no face) are `err` values with a sentence to show; the
 * image is dropped before returning unless `keepImage` is set.
 *
 * @example
 *   const c = await captureFace(await readFile('voter.jpg'));
 *   if (c.ok) console.log(c.value.quality.problems, c.value.presentationAttack);
 */
export async function captureFace(
  bytes: Uint8Array,
  options: CaptureOptions = {},
): Promise<Result<FaceCapture, InvalidInputError>> {
  const image = decodeFaceImage(bytes);
  if (!image.ok) return image;
  const engine = await loadFaceEngine();
  return captureDecoded(engine, image.value, options);
}

/** The face nearest the image centre (the subject; others are bystanders). */
export function nearestCentre<
  T extends { readonly box: readonly [number, number, number, number] },
>(faces: readonly T[], width: number, height: number): T | undefined {
  let best: T | undefined;
  let bestD = Infinity;
  for (const f of faces) {
    const [x, y, w, h] = f.box;
    const d = (x + w / 2 - width / 2) ** 2 + (y + h / 2 - height / 2) ** 2;
    if (d < bestD) {
      bestD = d;
      best = f;
    }
  }
  return best;
}

async function captureDecoded(
  engine: FaceEngine,
  image: RgbImage,
  options: CaptureOptions,
): Promise<Result<FaceCapture, InvalidInputError>> {
  const { tf, human, faceapi } = engine;
  const input4 = tf.tensor4d(image.data, [1, image.height, image.width, 3], 'int32');
  let faces: HumanFace[];
  try {
    faces = (await human.detect(input4)).face;
  } finally {
    input4.dispose();
  }
  const face = nearestCentre(faces, image.width, image.height);
  if (face === undefined) {
    return err(new InvalidInputError('No face was found in the image.', { hint: NO_FACE_HINT }));
  }
  const [bx, by, bw, bh] = face.box;
  const x = Math.max(0, bx);
  const y = Math.max(0, by);
  const box = {
    x,
    y,
    width: Math.max(1, Math.min(image.width - x, bw)),
    height: Math.max(1, Math.min(image.height - y, bh)),
  };
  // face-api: 68 landmarks on Human's face box, dlib alignment, then the metric network.
  const input3 = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  let dlib: Float32Array;
  let landmarks: { x: number; y: number }[];
  try {
    const [crop] = await faceapi.extractFaceTensors(input3, [
      new faceapi.Rect(box.x, box.y, box.width, box.height),
    ]);
    if (crop === undefined) throw new Error('face-api returned no crop');
    const local = await faceapi.nets.faceLandmark68Net.detectLandmarks(crop);
    crop.dispose();
    const shifted = local.shiftBy(box.x, box.y);
    landmarks = shifted.positions.map((p) => ({ x: p.x, y: p.y }));
    const aligned = shifted.align(null, { useDlibAlignment: true });
    const [alignedCrop] = await faceapi.extractFaceTensors(input3, [aligned]);
    if (alignedCrop === undefined) throw new Error('face-api returned no aligned crop');
    dlib = Float32Array.from(
      await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(alignedCrop),
    );
    alignedCrop.dispose();
  } finally {
    input3.dispose();
  }
  const q = assessQuality(image, box, landmarks);
  // Human's mesh gives a better head pose than the 68 points: use it when present.
  const angle = face.rotation?.angle;
  const deg = (r: number) => (r * 180) / Math.PI;
  const quality: FaceQuality =
    angle === undefined
      ? q
      : withPose(q, { yaw: deg(angle.yaw), pitch: deg(angle.pitch), roll: deg(angle.roll) });
  const capture: FaceCapture = {
    template: { dlib },
    quality,
    presentationAttack: { antispoof: face.real ?? 0, liveness: face.live ?? 0 },
    box,
    detectionScore: face.boxScore,
    facesFound: faces.length,
    ...(options.keepImage === true ? { image } : {}),
  };
  return ok(capture);
}

function withPose(q: FaceQuality, pose: { yaw: number; pitch: number; roll: number }): FaceQuality {
  const problems: FaceQualityProblem[] = q.problems.filter((p) => p !== 'turned-away');
  const L = QUALITY_LIMITS;
  if (
    Math.abs(pose.yaw) > L.maxYawDegrees ||
    Math.abs(pose.pitch) > L.maxPitchDegrees ||
    Math.abs(pose.roll) > L.maxRollDegrees
  ) {
    problems.push('turned-away');
  }
  return { ...q, ...pose, problems };
}
