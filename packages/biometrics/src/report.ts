import {
  detCurve,
  errorRates,
  lowQualityShareOfFailures,
  parseImpressionName,
  protocolPairs,
  type DetPoint,
  type Protocol,
} from './evaluate.ts';
import { writeIsoTemplate } from './iso.ts';
import { matchPrepared, prepareTemplate } from './match.ts';
import type { FingerprintTemplate } from './template.ts';

/** The figures `vigil fingerprint eval --json` prints, with exactly these keys. */
export interface EvaluationSummary {
  readonly eer: number;
  readonly fmr100: number;
  readonly fmr1000: number;
  readonly zeroFmr: number;
  readonly genuinePairs: number;
  readonly impostorPairs: number;
  readonly failedExtractions: number;
  readonly extractMs: number;
  readonly matchesPerSecond: number;
  readonly templateBytes: number;
}

export interface EvaluationReport {
  readonly summary: EvaluationSummary;
  readonly det: DetPoint[];
  readonly genuineScores: number[];
  readonly impostorScores: number[];
  /** Share of genuine pairs failing at FMR 0.1% that involve a lowest-quality-tenth print. */
  readonly lowQualityShare: { failures: number; inLowestTenth: number; share: number };
}

export interface ExtractedImpression {
  /** File name, `<finger>_<impression>.<ext>`. */
  readonly name: string;
  /** The template, or undefined when extraction failed. */
  readonly template: FingerprintTemplate | undefined;
  /** Time the extraction took, milliseconds. */
  readonly extractMs: number;
}

/**
 * Runs a protocol over extracted impressions and summarises it. A failed extraction takes
 * part in every comparison with score 0, as in FVC: its genuine pairs fail, its impostor
 * pairs are correctly rejected. Pure apart from reading the clock for matching speed.
 */
export function evaluateImpressions(
  items: readonly ExtractedImpression[],
  protocol: Protocol,
  options: { readonly clock?: () => number } = {},
): EvaluationReport {
  // Milliseconds; the CLI passes the process's CPU time so other load does not count.
  const clock = options.clock ?? (() => performance.now());
  const usable = items.filter((i) => parseImpressionName(i.name) !== undefined);
  const impressions = usable.map((i) => parseImpressionName(i.name)!);
  const { genuine, impostor } = protocolPairs(impressions, protocol);
  const prepared = usable.map((i) =>
    i.template === undefined ? undefined : prepareTemplate(i.template),
  );
  // Warm the JIT on a few hundred comparisons first, so a small protocol's speed figure
  // shows the steady state that a deployment sees, not compilation.
  const warm = [...impostor, ...genuine].slice(0, 300);
  for (const [a, b] of warm) {
    const pa = prepared[a];
    const pb = prepared[b];
    if (pa !== undefined && pb !== undefined) matchPrepared(pa, pb);
  }
  let comparisons = 0;
  const started = clock();
  const score = ([a, b]: [number, number]): number => {
    const pa = prepared[a];
    const pb = prepared[b];
    if (pa === undefined || pb === undefined) return 0;
    comparisons++;
    return matchPrepared(pa, pb);
  };
  const genuineScores = genuine.map(score);
  const impostorScores = impostor.map(score);
  const seconds = (clock() - started) / 1000;
  const rates = errorRates(genuineScores, impostorScores);
  const templates = usable.flatMap((i) => (i.template === undefined ? [] : [i.template]));
  const bytes = templates.map((t) => writeIsoTemplate(t).length);
  const qualities = usable.map((i) => i.template?.quality ?? 0);
  return {
    summary: {
      eer: rates.eer,
      fmr100: rates.fmr100,
      fmr1000: rates.fmr1000,
      zeroFmr: rates.zeroFmr,
      genuinePairs: genuine.length,
      impostorPairs: impostor.length,
      failedExtractions: usable.length - templates.length,
      extractMs: mean(usable.map((i) => i.extractMs)),
      matchesPerSecond: seconds > 0 ? comparisons / seconds : 0,
      templateBytes: mean(bytes),
    },
    det: detCurve(genuineScores, impostorScores),
    genuineScores,
    impostorScores,
    lowQualityShare: lowQualityShareOfFailures(
      qualities,
      genuine,
      genuineScores,
      rates.thresholdFmr1000,
    ),
  };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
