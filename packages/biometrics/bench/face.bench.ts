import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  captureFaceFolder,
  evaluateFaces,
  loadFaceEngine,
  runFusionEvaluation,
} from '../src/index.ts';

/**
 * Face benchmark, one core (TensorFlow.js WASM, single thread): model load time, ms per
 * image (decode, detect, landmarks, embedding, PA scores), EER, FNMR at FMR 0.1% and
 * failure to acquire on the shared LFW subset (genuine: all pairs within an identity;
 * impostor: all pairs across), then the fusion table over chimeric users (FVC2002
 * fingers x LFW identities). Run it with
 * `node --import tsx packages/biometrics/bench/face.bench.ts`, or call benchFaces().
 * Targets (issue 7): EER <= 2.5%, FTA <= 6%, <= 400 ms per image; fused EER below both.
 */

const here = dirname(fileURLToPath(import.meta.url));
const sharedData = process.env.VIGIL_SHARED_DATA ?? resolve(here, '../../../../shared/data');

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

export async function benchFaces(log: (line: string) => void): Promise<void> {
  const faces = join(sharedData, 'faces', 'LFW_deepfunneled_min20_first8');
  if (!existsSync(faces)) {
    log(`face benchmark skipped: ${faces} not found (set VIGIL_SHARED_DATA)`);
    return;
  }
  const engine = await loadFaceEngine();
  log(`models loaded in ${engine.loadMs.toFixed(0)} ms (backend ${engine.tf.getBackend()})`);
  const samples = await captureFaceFolder(faces);
  const { summary: s } = evaluateFaces(samples);
  log(
    `LFW subset: ${samples.length} images, ${s.genuinePairs} genuine / ${s.impostorPairs} impostor pairs`,
  );
  log(
    `  ms per image        ${s.msPerImage.toFixed(0)}   (target <= 400: ${(s.msPerImage / 400).toFixed(2)}x)`,
  );
  log(`  EER                 ${pct(s.eer)}   (target <= 2.5%: ${(s.eer / 0.025).toFixed(2)}x)`);
  log(`  FNMR at FMR 0.1%    ${pct(s.fmr1000)}`);
  log(
    `  failure to acquire  ${pct(s.failureToAcquire)}   (target <= 6%: ${(s.failureToAcquire / 0.06).toFixed(2)}x)`,
  );
  log(`  EER counting failures as non-matches ${pct(s.eerIncludingFailures)}`);

  const fp = join(sharedData, 'fingerprints');
  const sets = [
    ['FVC2002_DB1_B'],
    ['FVC2002_DB1_B', 'FVC2002_DB3_B'],
    ['FVC2002_DB1_B', 'FVC2002_DB3_B', 'FVC2002_DB4_B'],
  ];
  log('fusion over chimeric users (finger k + face identity k), sum of -log10 FMR (Fisher):');
  log('  fingerprints                 users  EER finger    EER face   EER fused');
  for (const set of sets) {
    const folders = set.map((n) => join(fp, n));
    if (!folders.every((f) => existsSync(f))) {
      log(`  ${set.join('+')}: skipped (not found)`);
      continue;
    }
    const r = await runFusionEvaluation({ fingerprints: folders, faces, dpi: 500 });
    const name = set.map((n) => n.replace('FVC2002_', '').replace('_B', '')).join('+');
    log(
      `  ${name.padEnd(28)} ${String(r.users).padStart(5)}  ${pct(r.fingerprint.eer).padStart(10)}  ${pct(r.face.eer).padStart(10)}  ${pct(r.fused.eer).padStart(10)}` +
        (r.fused.eer < Math.min(r.fingerprint.eer, r.face.eer) ? '' : '   (fused not below both)'),
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchFaces((line) => process.stdout.write(`${line}\n`));
}
