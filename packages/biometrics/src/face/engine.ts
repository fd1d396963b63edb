import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';

/**
 * The face engine: TensorFlow.js on its WebAssembly backend (one thread, no native
 * binary) running two model packages whose weights ship inside npm:
 * - @vladmandic/human: BlazeFace detection, FaceMesh (468 points, head pose), and the
 *   anti-spoofing and liveness networks;
 * - @vladmandic/face-api: the 68-point landmark network and dlib's ResNet-34 metric
 *   network (128 values), run on the face Human found.
 * Every weight is read from the packages on disk through tf.io IOHandlers (a load router
 * for Human, tf.io.decodeWeights for face-api): nothing is downloaded and no HTTP server
 * is started.
 *
 * Why this mix: on the shared LFW subset Human's own embedding (faceres) gave 4.4% EER,
 * face-api end to end (its SSD detector) 3.2%; face-api's metric network on Human's face
 * box gave 0.9% (see README, "Choice of models").
 */

/** Points and boxes as face-api returns them (only what we read). */
interface FaPoint {
  readonly x: number;
  readonly y: number;
}
interface FaBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
interface FaDetection {
  readonly score: number;
  readonly box: FaBox;
}
interface FaLandmarks {
  readonly positions: FaPoint[];
  shiftBy(x: number, y: number): FaLandmarks;
  align(detection: null, options: { useDlibAlignment: boolean }): FaBox;
}
interface FaNet {
  loadFromWeightMap(weights: TF.NamedTensorMap): void;
}
interface FaceApi {
  readonly tf: typeof TF & { setWasmPaths(prefix: string): void };
  readonly Rect: new (x: number, y: number, width: number, height: number) => FaBox;
  readonly nets: {
    readonly faceLandmark68Net: FaNet & {
      detectLandmarks(input: TF.Tensor3D): Promise<FaLandmarks>;
    };
    readonly faceRecognitionNet: FaNet & {
      computeFaceDescriptor(input: TF.Tensor3D): Promise<Float32Array>;
    };
  };
  extractFaceTensors(input: TF.Tensor3D, boxes: (FaDetection | FaBox)[]): Promise<TF.Tensor3D[]>;
}

/** One face as Human reports it (only what we read). */
export interface HumanFace {
  readonly box: readonly [number, number, number, number];
  readonly score: number;
  readonly boxScore: number;
  readonly faceScore: number;
  readonly real?: number;
  readonly live?: number;
  readonly rotation?: {
    readonly angle: { readonly yaw: number; readonly pitch: number; readonly roll: number };
  } | null;
}
interface Human {
  readonly tf: typeof TF;
  load(): Promise<void>;
  detect(input: TF.Tensor4D): Promise<{ face: HumanFace[]; error?: string | null }>;
}

export interface FaceEngine {
  readonly faceapi: FaceApi;
  readonly human: Human;
  readonly tf: typeof TF;
  /** Milliseconds spent loading the models. */
  readonly loadMs: number;
}

const require = createRequire(import.meta.url);

/** Folder of a package: its main entry sits in `dist/` (their `exports` maps are incomplete). */
function packageDir(name: string): string {
  return dirname(dirname(require.resolve(name)));
}

/** A tf.io IOHandler reading a TF.js graph model (model.json + .bin shards) from disk. */
export function fileGraphModelHandler(jsonPath: string): TF.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(jsonPath, 'utf8')) as TF.io.ModelJSON;
      const { weightSpecs, weightData } = await readWeights(
        dirname(jsonPath),
        json.weightsManifest,
      );
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs,
        weightData,
      };
    },
  };
}

async function readWeights(
  folder: string,
  manifest: TF.io.WeightsManifestConfig,
): Promise<{ weightSpecs: TF.io.WeightsManifestEntry[]; weightData: ArrayBuffer }> {
  const weightSpecs = manifest.flatMap((g) => g.weights);
  const parts = await Promise.all(
    manifest.flatMap((g) => g.paths.map((p) => readFile(join(folder, p)))),
  );
  const all = Buffer.concat(parts);
  const weightData = new ArrayBuffer(all.byteLength);
  new Uint8Array(weightData).set(all);
  return { weightSpecs, weightData };
}

let engine: Promise<FaceEngine> | undefined;

/**
 * Loads the models once per process (about 0.3 s) and returns the same engine after.
 * Throws only if the installed packages are broken: that is not a user's error.
 */
export function loadFaceEngine(): Promise<FaceEngine> {
  engine ??= load();
  return engine;
}

/** Human's settings: faces only, every capture fully processed (no frame-to-frame cache). */
function humanConfig(wasmDir: string): Record<string, unknown> {
  return {
    backend: 'wasm',
    wasmPath: `${wasmDir}/`,
    modelBasePath: MODEL_SCHEME,
    debug: false,
    async: false,
    warmup: 'none',
    cacheModels: false,
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: {
        rotation: true,
        maxDetected: 8,
        minConfidence: 0.2,
        skipFrames: 0,
        return: false,
      },
      mesh: { enabled: true },
      attention: { enabled: false },
      iris: { enabled: false },
      emotion: { enabled: false },
      // Human's own embedding (faceres) is not used: see the note at the top.
      description: { enabled: false },
      antispoof: { enabled: true, skipFrames: 0 },
      liveness: { enabled: true, skipFrames: 0 },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
}

/** Human asks for `vigil-model://<name>.json`; this router answers from its models folder. */
const MODEL_SCHEME = 'vigil-model://';

async function load(): Promise<FaceEngine> {
  const started = performance.now();
  const faceapiDir = packageDir('@vladmandic/face-api');
  const humanDir = packageDir('@vladmandic/human');
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  // The Node WASM builds of both packages share @tensorflow/tfjs-core with each other.
  const faceapi = require(join(faceapiDir, 'dist', 'face-api.node-wasm.js')) as FaceApi;
  const { Human } = require(join(humanDir, 'dist', 'human.node-wasm.js')) as {
    Human: new (config: Record<string, unknown>) => Human;
  };
  const human = new Human(humanConfig(wasmDir));
  const tf = human.tf;
  const models = join(humanDir, 'models');
  // tf.io routers may answer null ("not mine"); the typings say IOHandler only.
  const router = (url: string | string[]): TF.io.IOHandler | null =>
    typeof url === 'string' && url.startsWith(MODEL_SCHEME)
      ? fileGraphModelHandler(join(models, url.slice(MODEL_SCHEME.length)))
      : null;
  tf.io.registerLoadRouter(router as (url: string | string[]) => TF.io.IOHandler);
  // Human sets the WASM backend; Emscripten's Node loader reads the .wasm from the path.
  await human.load();
  if (tf.getBackend() !== 'wasm')
    throw new Error(`face engine: backend is ${tf.getBackend()}, not wasm`);
  const weights = async (name: string): Promise<TF.NamedTensorMap> => {
    const folder = join(faceapiDir, 'model');
    const manifest = JSON.parse(
      await readFile(join(folder, `${name}-weights_manifest.json`), 'utf8'),
    ) as TF.io.WeightsManifestConfig;
    const { weightSpecs, weightData } = await readWeights(folder, manifest);
    return tf.io.decodeWeights(weightData, weightSpecs);
  };
  faceapi.nets.faceLandmark68Net.loadFromWeightMap(await weights('face_landmark_68_model'));
  faceapi.nets.faceRecognitionNet.loadFromWeightMap(await weights('face_recognition_model'));
  return { faceapi, human, tf, loadMs: performance.now() - started };
}
