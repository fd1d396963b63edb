import { errorRates, protocolPairs, type ErrorRates } from '../evaluate.ts';
import type { FaceTemplate } from './capture.ts';
import { faceScore } from './compare.ts';

/** One image of a labelled face set, after capture. */
export interface CapturedFaceSample {
  /** Identity label (the LFW folder name). */
  readonly identity: string;
  /** Position of the image within its identity, 1-based (sorted file order). */
  readonly index: number;
  /** The template, or undefined when capture failed (failure to acquire). */
  readonly template: FaceTemplate | undefined;
  /** Time the capture took, milliseconds. */
  readonly ms: number;
}

/** The figures `vigil face eval --json` prints, with these keys. */
export interface FaceEvaluationSummary {
  /** EER over the acquired images (ISO/IEC 19795-1 FMR/FNMR), a fraction. */
  readonly eer: number;
  /** FNMR at FMR 0.1% over the acquired images. */
  readonly fmr1000: number;
  /** Share of images where no usable face was acquired. */
  readonly failureToAcquire: number;
  /** Mean capture time per image, milliseconds (decode, detect, embed, PA). */
  readonly msPerImage: number;
  readonly genuinePairs: number;
  readonly impostorPairs: number;
  /** EER when every failed capture takes part with the lowest score (FVC "ghost"). */
  readonly eerIncludingFailures: number;
  /** Score thresholds at FMR 0.1% observed in this set. */
  readonly thresholdFmr1000: number;
}

/** Genuine and impostor scores of a face set; failed captures are left out. */
export function faceScores(samples: readonly CapturedFaceSample[]): {
  genuine: number[];
  impostor: number[];
  genuineWithFailures: number[];
  impostorWithFailures: number[];
} {
  // Protocol "all" of the fingerprint evaluation: genuine, every pair within an identity;
  // impostor, every pair across identities.
  const { genuine, impostor } = protocolPairs(
    samples.map((s) => ({ finger: s.identity, impression: s.index })),
    'all',
  );
  const score = ([a, b]: [number, number]): number | undefined => {
    const ta = samples[a]!.template;
    const tb = samples[b]!.template;
    return ta === undefined || tb === undefined ? undefined : faceScore(ta, tb);
  };
  const g = genuine.map(score);
  const i = impostor.map(score);
  const LOW = -10;
  return {
    genuine: g.filter((v): v is number => v !== undefined),
    impostor: i.filter((v): v is number => v !== undefined),
    genuineWithFailures: g.map((v) => v ?? LOW),
    impostorWithFailures: i.map((v) => v ?? LOW),
  };
}

/** Summarises a captured face set (LFW layout): accuracy, failures to acquire, speed. */
export function evaluateFaces(samples: readonly CapturedFaceSample[]): {
  summary: FaceEvaluationSummary;
  rates: ErrorRates;
} {
  const s = faceScores(samples);
  const rates = errorRates(s.genuine, s.impostor);
  const withFailures = errorRates(s.genuineWithFailures, s.impostorWithFailures);
  const failed = samples.filter((x) => x.template === undefined).length;
  const n = Math.max(1, samples.length);
  return {
    rates,
    summary: {
      eer: rates.eer,
      fmr1000: rates.fmr1000,
      failureToAcquire: failed / n,
      msPerImage: samples.reduce((a, x) => a + x.ms, 0) / n,
      genuinePairs: s.genuine.length,
      impostorPairs: s.impostor.length,
      eerIncludingFailures: withFailures.eer,
      thresholdFmr1000: rates.thresholdFmr1000,
    },
  };
}
