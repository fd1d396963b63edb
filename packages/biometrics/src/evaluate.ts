/**
 * Accuracy measures of a verification system from its genuine and impostor scores, as the
 * Fingerprint Verification Competitions report them (Maio et al., FVC2002: "FVC2002:
 * Second Fingerprint Verification Competition", ICPR 2002): EER, FNMR at FMR 1% (FMR100),
 * at 0.1% (FMR1000) and at zero false matches (ZeroFMR). A comparison is a match when its
 * score is at least the threshold.
 */

export interface ErrorRates {
  /** Equal error rate, a fraction. */
  readonly eer: number;
  /** FNMR at the lowest threshold with FMR <= 1%. */
  readonly fmr100: number;
  /** FNMR at the lowest threshold with FMR <= 0.1%. */
  readonly fmr1000: number;
  /** FNMR at the lowest threshold with no false match. */
  readonly zeroFmr: number;
  /** Thresholds behind the figures above. */
  readonly thresholdFmr100: number;
  readonly thresholdFmr1000: number;
  readonly thresholdZeroFmr: number;
}

/** One point of a DET curve. */
export interface DetPoint {
  readonly threshold: number;
  readonly fmr: number;
  readonly fnmr: number;
}

function sorted(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** Number of values >= t in an ascending array. */
function countAtLeast(a: Float64Array, t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return a.length - lo;
}

/** The DET curve: FMR and FNMR at every distinct score used as a threshold. */
export function detCurve(genuine: readonly number[], impostor: readonly number[]): DetPoint[] {
  const g = sorted(genuine);
  const i = sorted(impostor);
  const thresholds = Array.from(new Set([...genuine, ...impostor, Infinity])).sort((a, b) => a - b);
  return thresholds.map((t) => ({
    threshold: t,
    fmr: i.length === 0 ? 0 : countAtLeast(i, t) / i.length,
    fnmr: g.length === 0 ? 0 : (g.length - countAtLeast(g, t)) / g.length,
  }));
}

/** EER, FMR100, FMR1000 and ZeroFMR from the scores. */
export function errorRates(genuine: readonly number[], impostor: readonly number[]): ErrorRates {
  const det = detCurve(genuine, impostor);
  // EER: where FMR falls below FNMR; the mean of the two at the closest threshold.
  let eer = 1;
  let gap = Infinity;
  for (const p of det) {
    const d = Math.abs(p.fmr - p.fnmr);
    if (d < gap) {
      gap = d;
      eer = (p.fmr + p.fnmr) / 2;
    }
  }
  const at = (limit: number): DetPoint => det.find((p) => p.fmr <= limit) ?? det[det.length - 1]!;
  const p100 = at(0.01);
  const p1000 = at(0.001);
  const p0 = at(0);
  return {
    eer,
    fmr100: p100.fnmr,
    fmr1000: p1000.fnmr,
    zeroFmr: p0.fnmr,
    thresholdFmr100: p100.threshold,
    thresholdFmr1000: p1000.threshold,
    thresholdZeroFmr: p0.threshold,
  };
}

/** An impression named `<finger>_<impression>` (FVC naming). */
export interface Impression {
  readonly finger: string;
  readonly impression: number;
}

/** Parses `101_3.tif` into finger "101", impression 3; undefined for other names. */
export function parseImpressionName(fileName: string): Impression | undefined {
  const m = /^([^_/\\]+)_(\d+)\.[A-Za-z0-9]+$/.exec(fileName);
  if (m === null) return undefined;
  return { finger: m[1]!, impression: Number(m[2]) };
}

export type Protocol = 'fvc' | 'all';

/**
 * Comparison pairs of a protocol, as index pairs into `impressions`.
 * - `fvc` (FVC2002): genuine, every pair of impressions of a finger (280 for 10 x 8);
 *   impostor, the first impressions of different fingers (45).
 * - `all`: the same genuine pairs; impostor, every impression against every impression of
 *   every other finger, each unordered pair once (2,880 for 10 x 8).
 */
export function protocolPairs(
  impressions: readonly Impression[],
  protocol: Protocol,
): { genuine: [number, number][]; impostor: [number, number][] } {
  const genuine: [number, number][] = [];
  const impostor: [number, number][] = [];
  const firstOf = new Map<string, number>();
  for (let i = 0; i < impressions.length; i++) {
    const f = impressions[i]!;
    const prev = firstOf.get(f.finger);
    if (prev === undefined || impressions[prev]!.impression > f.impression)
      firstOf.set(f.finger, i);
  }
  for (let i = 0; i < impressions.length; i++) {
    for (let j = i + 1; j < impressions.length; j++) {
      const a = impressions[i]!;
      const b = impressions[j]!;
      if (a.finger === b.finger) genuine.push([i, j]);
      else if (protocol === 'all') impostor.push([i, j]);
      else if (firstOf.get(a.finger) === i && firstOf.get(b.finger) === j) impostor.push([i, j]);
    }
  }
  return { genuine, impostor };
}

/**
 * The share of genuine pairs failing at the given threshold that involve at least one
 * impression from the lowest-quality tenth. The issue asks that this be at least a third:
 * quality then predicts matching trouble.
 */
export function lowQualityShareOfFailures(
  qualities: readonly number[],
  genuine: readonly [number, number][],
  genuineScores: readonly number[],
  threshold: number,
): { failures: number; inLowestTenth: number; share: number } {
  const order = qualities.map((q, i) => [q, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const tenth = Math.max(1, Math.round(qualities.length / 10));
  const low = new Set(order.slice(0, tenth).map(([, i]) => i));
  let failures = 0;
  let inLowestTenth = 0;
  for (let k = 0; k < genuine.length; k++) {
    if (genuineScores[k]! >= threshold) continue;
    failures++;
    const [a, b] = genuine[k]!;
    if (low.has(a) || low.has(b)) inLowestTenth++;
  }
  return { failures, inLowestTenth, share: failures === 0 ? 1 : inLowestTenth / failures };
}

/** A DET curve as a small standalone SVG (log-log axes, FMR across, FNMR up). */
export function detSvg(curves: readonly { label: string; points: readonly DetPoint[] }[]): string {
  const w = 520;
  const h = 420;
  const left = 60;
  const bottom = 50;
  const minLog = -4;
  const xOf = (v: number) =>
    left + ((Math.log10(Math.max(v, 1e-4)) - minLog) / -minLog) * (w - left - 20);
  const yOf = (v: number) =>
    h - bottom - ((Math.log10(Math.max(v, 1e-4)) - minLog) / -minLog) * (h - bottom - 20);
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
  ];
  for (let e = minLog; e <= 0; e++) {
    const v = 10 ** e;
    const label = `${v * 100}%`;
    parts.push(
      `<line x1="${xOf(v)}" y1="20" x2="${xOf(v)}" y2="${h - bottom}" stroke="#ddd"/>`,
      `<line x1="${left}" y1="${yOf(v)}" x2="${w - 20}" y2="${yOf(v)}" stroke="#ddd"/>`,
      `<text x="${xOf(v)}" y="${h - bottom + 15}" text-anchor="middle">${label}</text>`,
      `<text x="${left - 5}" y="${yOf(v) + 4}" text-anchor="end">${label}</text>`,
    );
  }
  parts.push(
    `<text x="${(left + w) / 2}" y="${h - 10}" text-anchor="middle">false match rate</text>`,
    `<text x="15" y="${(h - bottom) / 2}" transform="rotate(-90 15 ${(h - bottom) / 2})" text-anchor="middle">false non-match rate</text>`,
  );
  curves.forEach((c, k) => {
    const colour = colours[k % colours.length]!;
    const pts = c.points
      .filter((p) => Number.isFinite(p.threshold))
      .map((p) => `${xOf(p.fmr).toFixed(1)},${yOf(p.fnmr).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${pts}"/>`,
      `<text x="${w - 150}" y="${35 + 15 * k}" fill="${colour}">${escapeXml(c.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
