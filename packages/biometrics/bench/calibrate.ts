import { join } from 'node:path';
import { evaluateSet, fingerprintDataRoot } from './fingerprint.bench.ts';

/**
 * Prints the score -> false match rate table of src/score.ts, measured on the impostor
 * comparisons of FVC2002 DB4_B (synthetic SFinGe prints, protocol `all`). Accuracy is
 * reported with thresholds taken from each set's own impostors, never from this table;
 * see README, "Score and false match rate". Run: npx tsx packages/biometrics/bench/calibrate.ts
 */
const report = evaluateSet(join(fingerprintDataRoot(), 'FVC2002_DB4_B'), 500, 'all');
const impostor = [...report.impostorScores].sort((a, b) => a - b);
const n = impostor.length;
const survival = (t: number) => impostor.filter((s) => s >= t).length / n;

const points: [number, number][] = [];
for (const fmr of [0.5, 0.2, 0.1, 0.05, 0.02, 0.01]) {
  const t = impostor[Math.floor(n * (1 - fmr))]!;
  points.push([t, survival(t)]);
}

// Exponential tail: least squares of log(survival) on the score over the top 5%.
const xs: number[] = [];
const ys: number[] = [];
for (let k = Math.floor(n * 0.95); k < n; k++) {
  xs.push(impostor[k]!);
  ys.push(Math.log(survival(impostor[k]!)));
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const mx = mean(xs);
const my = mean(ys);
let sxy = 0;
let sxx = 0;
for (let i = 0; i < xs.length; i++) {
  sxy += (xs[i]! - mx) * (ys[i]! - my);
  sxx += (xs[i]! - mx) ** 2;
}
const tailB = -sxy / sxx;
const tailA = Math.exp(my + tailB * mx);

const line = (text: string) => process.stdout.write(`${text}\n`);
line(`impostor comparisons: ${n}, highest score ${impostor[n - 1]?.toFixed(2)}`);
line(
  `FMR_CALIBRATION points [score, fmr]: ${JSON.stringify(points.map(([s, f]) => [+s.toFixed(2), +f.toFixed(4)]))}`,
);
line(`TAIL_A = ${tailA.toFixed(4)}, TAIL_B = ${tailB.toFixed(4)}`);
for (const fmr of [1e-2, 1e-3, 1e-4, 1e-5]) {
  line(`FMR ${fmr}: threshold ${(Math.log(tailA / fmr) / tailB).toFixed(1)}`);
}
