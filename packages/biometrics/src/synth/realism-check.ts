/**
 * The realism check of issue 6: extract and match two FVC-named folders (a synthetic set
 * and a real one) under the same protocol, print their figures side by side and draw
 * their genuine and impostor score histograms.
 *
 *   npx tsx packages/biometrics/src/synth/realism-check.ts <synthetic> <reference> <out.svg>
 *
 * A script, not part of the library: it reads folders and writes a file.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { extractTemplate } from '../fingerprint.ts';
import { evaluateImpressions, type ExtractedImpression } from '../report.ts';
import type { FingerprintTemplate } from '../template.ts';
import { scoreHistogramSvg, type ScorePanel } from './histogram.ts';
import { templateStatistics } from './templates.ts';

async function evaluateFolder(folder: string) {
  const names = (await readdir(folder)).filter((f) => /^[^_]+_\d+\.(tif|png)$/i.test(f)).sort();
  const items: ExtractedImpression[] = [];
  for (const name of names) {
    const r = extractTemplate(await readFile(join(folder, name)));
    items.push({ name, template: r.ok ? r.value : undefined, extractMs: 0 });
  }
  const report = evaluateImpressions(items, 'all');
  const templates = items.flatMap((i): FingerprintTemplate[] =>
    i.template === undefined ? [] : [i.template],
  );
  const stats = templateStatistics(templates);
  const quality = templates.reduce((a, t) => a + t.quality, 0) / Math.max(1, templates.length);
  const median = (v: readonly number[]) =>
    [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
  return {
    folder,
    images: names.length,
    eer: report.summary.eer,
    fmr100: report.summary.fmr100,
    fmr1000: report.summary.fmr1000,
    genuinePairs: report.summary.genuinePairs,
    impostorPairs: report.summary.impostorPairs,
    failedExtractions: report.summary.failedExtractions,
    meanMinutiae: stats.meanMinutiae,
    sdMinutiae: stats.sdMinutiae,
    meanNearestNeighbour: stats.meanNearestNeighbour,
    endingShare: stats.endingShare,
    meanQuality: quality,
    genuineMedian: median(report.genuineScores),
    impostorMedian: median(report.impostorScores),
    genuineScores: report.genuineScores,
    impostorScores: report.impostorScores,
  };
}

const [synthetic, reference, svgPath] = process.argv.slice(2);
if (synthetic === undefined || reference === undefined || svgPath === undefined) {
  process.stderr.write('usage: realism-check.ts <synthetic folder> <reference folder> <out.svg>\n');
  process.exit(2);
}
const sets = [await evaluateFolder(synthetic), await evaluateFolder(reference)];
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const panels: ScorePanel[] = sets.map((s, k) => ({
  label:
    k === 0
      ? `Synthetic (vigil synth), ${s.images} images`
      : `${basename(s.folder)}, ${s.images} images`,
  genuine: s.genuineScores,
  impostor: s.impostorScores,
  notes: [
    `EER ${pct(s.eer)}, FMR100 ${pct(s.fmr100)}, FMR1000 ${pct(s.fmr1000)} (protocol all)`,
    `minutiae per template ${s.meanMinutiae.toFixed(1)} ± ${s.sdMinutiae.toFixed(1)}, failed extractions ${s.failedExtractions}`,
  ],
}));
await writeFile(svgPath, scoreHistogramSvg(panels, { maxScore: 800, binWidth: 20 }));
for (const s of sets) {
  const { genuineScores: _g, impostorScores: _i, ...figures } = s;
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
