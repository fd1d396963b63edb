import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  evaluateImpressions,
  extractTemplate,
  matchPrepared,
  prepareTemplate,
  writeIsoTemplate,
  type EvaluationReport,
  type ExtractedImpression,
  type Protocol,
} from '../src/index.ts';

/**
 * Fingerprint benchmark, one core: extraction time per image, comparisons per second with
 * prepared templates, template bytes, and the FVC2002 four-set table (protocol `all`:
 * EER, FMR100, FMR1000, ZeroFMR per set and their average). Run it with
 * `node --import tsx packages/biometrics/bench/fingerprint.bench.ts`, or call
 * benchFingerprints(). The images come from $VIGIL_SHARED_DATA/fingerprints (default
 * ../shared/data beside the repository) and are never copied.
 */

const here = dirname(fileURLToPath(import.meta.url));

export const FVC2002_SETS: readonly { readonly name: string; readonly dpi: number }[] = [
  { name: 'FVC2002_DB1_B', dpi: 500 },
  { name: 'FVC2002_DB2_B', dpi: 569 },
  { name: 'FVC2002_DB3_B', dpi: 500 },
  { name: 'FVC2002_DB4_B', dpi: 500 },
];

export function fingerprintDataRoot(): string {
  return join(
    process.env.VIGIL_SHARED_DATA ?? resolve(here, '../../../../shared/data'),
    'fingerprints',
  );
}

/** Extracts every `<finger>_<impression>` image of a folder, timing each (one thread). */
export function extractFolder(folder: string, dpi: number): ExtractedImpression[] {
  const names = readdirSync(folder)
    .filter((f) => /\.(tif|tiff|png|bmp)$/i.test(f))
    .sort();
  return names.map((name) => {
    const bytes = readFileSync(join(folder, name));
    const t0 = performance.now();
    const r = extractTemplate(bytes, { dpi });
    const extractMs = performance.now() - t0;
    return { name, template: r.ok ? r.value : undefined, extractMs };
  });
}

export function evaluateSet(
  folder: string,
  dpi: number,
  protocol: Protocol = 'all',
): EvaluationReport {
  return evaluateImpressions(extractFolder(folder, dpi), protocol);
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

export async function benchFingerprints(log: (line: string) => void = console.log): Promise<void> {
  const root = fingerprintDataRoot();
  if (!existsSync(join(root, FVC2002_SETS[0]!.name))) {
    log(`fingerprint benchmark skipped: no FVC2002 data under ${root} (set VIGIL_SHARED_DATA)`);
    return;
  }
  const rows: string[] = [];
  const sums = { eer: 0, fmr100: 0, fmr1000: 0, zeroFmr: 0 };
  let db1: ExtractedImpression[] = [];
  for (const set of FVC2002_SETS) {
    const items = extractFolder(join(root, set.name), set.dpi);
    if (set.name === 'FVC2002_DB1_B') db1 = items;
    const r = evaluateImpressions(items, 'all');
    const s = r.summary;
    sums.eer += s.eer;
    sums.fmr100 += s.fmr100;
    sums.fmr1000 += s.fmr1000;
    sums.zeroFmr += s.zeroFmr;
    rows.push(
      `${set.name.padEnd(14)} ${pct(s.eer).padStart(7)} ${pct(s.fmr100).padStart(7)} ${pct(s.fmr1000).padStart(7)} ${pct(s.zeroFmr).padStart(7)}  ` +
        `fail ${s.failedExtractions}  ${s.extractMs.toFixed(0)} ms  ${s.templateBytes.toFixed(0)} B  ` +
        `low-quality share of FMR1000 failures ${r.lowQualityShare.inLowestTenth}/${r.lowQualityShare.failures}`,
    );
    await Promise.resolve();
  }
  // Extraction speed on the 388x374 DB1 images (one thread, after a warm-up pass).
  const folder = join(root, 'FVC2002_DB1_B');
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.tif'))
    .sort()
    .slice(0, 40);
  const bytes = files.map((f) => readFileSync(join(folder, f)));
  for (const b of bytes.slice(0, 5)) extractTemplate(b);
  // CPU time of this (single-threaded) process, so other load on the machine does not
  // count against us; wall-clock is printed beside it.
  let wall = performance.now();
  let cpu = process.cpuUsage();
  for (const b of bytes) extractTemplate(b);
  const extractMs = (cpuSeconds(cpu) * 1000) / bytes.length;
  const extractWallMs = (performance.now() - wall) / bytes.length;
  log(
    `extraction: ${extractMs.toFixed(1)} ms CPU per 388x374 image, one core (${extractWallMs.toFixed(1)} ms wall; target <= 150)`,
  );
  // Comparisons per second with prepared templates: every pair of DB1 (genuine and impostor).
  const prepared = db1.flatMap((i) =>
    i.template === undefined ? [] : [prepareTemplate(i.template)],
  );
  let n = 0;
  let sink = 0;
  wall = performance.now();
  cpu = process.cpuUsage();
  for (let rep = 0; rep < 2; rep++) {
    for (let a = 0; a < prepared.length; a++) {
      for (let b = 0; b < prepared.length; b++) {
        if (a === b) continue;
        sink += matchPrepared(prepared[a]!, prepared[b]!);
        n++;
      }
    }
  }
  const cps = n / cpuSeconds(cpu);
  const cpsWall = n / ((performance.now() - wall) / 1000);
  log(
    `matching: ${cps.toFixed(0)} comparisons per CPU second, one core (${cpsWall.toFixed(0)} per wall second; target >= 10,000)${sink < 0 ? '!' : ''}`,
  );
  const isoBytes = db1.flatMap((i) =>
    i.template === undefined ? [] : [writeIsoTemplate(i.template).length],
  );
  log(
    `template: ${(isoBytes.reduce((a, b) => a + b, 0) / Math.max(1, isoBytes.length)).toFixed(0)} bytes mean, ${Math.max(...isoBytes)} max (ISO/IEC 19794-2; limit 1024)`,
  );
  log('set               EER  FMR100 FMR1000 ZeroFMR   (protocol all)');
  for (const row of rows) log(row);
  const k = FVC2002_SETS.length;
  log(
    `${'average'.padEnd(14)} ${pct(sums.eer / k).padStart(7)} ${pct(sums.fmr100 / k).padStart(7)} ${pct(sums.fmr1000 / k).padStart(7)} ${pct(sums.zeroFmr / k).padStart(7)}  (targets: EER <= 3.00%, FMR1000 <= 8.00%)`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchFingerprints();
}
