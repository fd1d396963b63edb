import { readFile, stat } from 'node:fs/promises';
import { InvalidInputError, err, type Result } from '@vigil/core';
import {
  MAX_FACE_FILE_BYTES,
  captureFace,
  captureFaceFolder,
  compareFaces,
  evaluateFaces,
  faceThresholdForFmr,
  runFusionEvaluation,
  type FaceCapture,
} from '@vigil/biometrics';
import type { Command } from 'commander';
import { describeFileError, reportFailure } from '../output.ts';

/**
 * `vigil face compare|eval`: thin wrappers over the face engine of @vigil/biometrics.
 * Only embeddings are kept; the images are dropped after capture.
 */
export function registerFaceCommands(program: Command): void {
  const face = program
    .command('face')
    .description('compare and evaluate face photographs (with presentation-attack scores)');

  face
    .command('compare')
    .description('compare the faces of two photographs (JPEG or PNG) and print the score')
    .argument('<a>', 'first photograph')
    .argument('<b>', 'second photograph')
    .option('--fmr <rate>', 'false match rate of the decision threshold', '0.001')
    .option('--json', 'print the result as one JSON object')
    .action(async (a: string, b: string, options: { fmr: string; json?: boolean }) => {
      const target = Number(options.fmr);
      if (!(target > 0 && target < 1)) {
        reportFailure(
          new InvalidInputError(`"${options.fmr}" is not a false match rate.`, {
            hint: 'Give a fraction between 0 and 1, such as 0.001.',
          }),
        );
        return;
      }
      const ca = await captureFile(a);
      if (!ca.ok) {
        reportFailure(ca.error, a);
        return;
      }
      const cb = await captureFile(b);
      if (!cb.ok) {
        reportFailure(cb.error, b);
        return;
      }
      const r = compareFaces(ca.value.template, cb.value.template, target);
      if (options.json === true) {
        process.stdout.write(
          `${JSON.stringify({
            score: r.score,
            fmr: r.fmr,
            match: r.match,
            threshold: faceThresholdForFmr(target),
            a: describeCapture(ca.value),
            b: describeCapture(cb.value),
          })}\n`,
        );
        return;
      }
      process.stdout.write(
        `score ${r.score.toFixed(3)} (expected false match rate at this score: ${formatRate(r.fmr)})\n` +
          `decision at FMR ${formatRate(target)} (threshold ${faceThresholdForFmr(target).toFixed(3)}): ` +
          `${r.match ? 'MATCH' : 'NO MATCH'}\n` +
          `${a}: ${captureLine(ca.value)}\n${b}: ${captureLine(cb.value)}\n`,
      );
    });

  face
    .command('eval')
    .description('measure accuracy over a folder of identity subfolders (LFW layout)')
    .argument('<folder>', 'folder holding one subfolder of photographs per person')
    .option('--json', 'print the figures as one JSON object')
    .action(async (folder: string, options: { json?: boolean }) => {
      const samples = await captureFaceFolder(folder).catch((e: unknown) => e);
      if (!Array.isArray(samples)) {
        reportFailure(
          new InvalidInputError(`Cannot read the folder ${folder}: ${describeFileError(samples)}`),
        );
        return;
      }
      if (samples.length === 0) {
        reportFailure(
          new InvalidInputError(`No JPEG or PNG photographs were found under ${folder}.`, {
            hint: 'Give a folder with one subfolder of photographs per person (LFW layout).',
          }),
        );
        return;
      }
      const { summary } = evaluateFaces(samples);
      if (options.json === true) {
        const { eer, fmr1000, failureToAcquire, msPerImage, genuinePairs, impostorPairs } = summary;
        process.stdout.write(
          `${JSON.stringify({ eer, fmr1000, failureToAcquire, msPerImage, genuinePairs, impostorPairs, eerIncludingFailures: summary.eerIncludingFailures })}\n`,
        );
        return;
      }
      process.stdout.write(
        `images                 ${samples.length}\n` +
          `genuine pairs          ${summary.genuinePairs}\n` +
          `impostor pairs         ${summary.impostorPairs}\n` +
          `EER                    ${pct(summary.eer)}\n` +
          `FNMR at FMR 0.1%       ${pct(summary.fmr1000)}\n` +
          `failure to acquire     ${pct(summary.failureToAcquire)}\n` +
          `EER counting failures  ${pct(summary.eerIncludingFailures)}\n` +
          `ms per image           ${summary.msPerImage.toFixed(0)}\n`,
      );
    });
}

/** `vigil biometric fusion-eval`: fingerprint and face, alone and fused. */
export function registerBiometricCommands(program: Command): void {
  const biometric = program
    .command('biometric')
    .description('multimodal biometrics: fingerprint and face together');

  biometric
    .command('fusion-eval')
    .description('EER of fingerprint alone, face alone and fused, over chimeric users')
    .requiredOption(
      '--fingerprints <folders...>',
      'fingerprint images named <finger>_<impression> (one or more folders, same dpi)',
    )
    .requiredOption('--faces <folder>', 'face photographs, one subfolder per person')
    .option('--dpi <n>', 'resolution of the fingerprint images', '500')
    .option('--json', 'print the figures as one JSON object')
    .action(
      async (options: { fingerprints: string[]; faces: string; dpi: string; json?: boolean }) => {
        const dpi = Number(options.dpi);
        if (!Number.isInteger(dpi) || dpi < 250 || dpi > 2000) {
          reportFailure(
            new InvalidInputError(`"${options.dpi}" is not a usable resolution.`, {
              hint: 'Give the fingerprint resolution in dots per inch, such as 500.',
            }),
          );
          return;
        }
        const r = await runFusionEvaluation({
          fingerprints: options.fingerprints,
          faces: options.faces,
          dpi,
        }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
        if (r instanceof Error) {
          reportFailure(new InvalidInputError(`Cannot evaluate: ${describeFileError(r)}`));
          return;
        }
        if (r.users === 0) {
          reportFailure(
            new InvalidInputError('No chimeric users: one of the folders holds no samples.'),
          );
          return;
        }
        const row = (e: { eer: number; fmr100: number; fmr1000: number }) => ({
          eer: e.eer,
          fmr100: e.fmr100,
          fmr1000: e.fmr1000,
        });
        if (options.json === true) {
          process.stdout.write(
            `${JSON.stringify({
              fingerprint: row(r.fingerprint),
              face: row(r.face),
              fused: row(r.fused),
              users: r.users,
              genuinePairs: r.genuinePairs,
              impostorPairs: r.impostorPairs,
            })}\n`,
          );
          return;
        }
        const line = (name: string, e: { eer: number; fmr100: number; fmr1000: number }) =>
          `${name.padEnd(12)} ${pct(e.eer).padStart(7)} ${pct(e.fmr100).padStart(12)} ${pct(e.fmr1000).padStart(13)}\n`;
        process.stdout.write(
          `${r.users} chimeric users, ${r.genuinePairs} genuine and ${r.impostorPairs} impostor pairs\n` +
            `modality         EER   FNMR@FMR1%  FNMR@FMR0.1%\n` +
            line('fingerprint', r.fingerprint) +
            line('face', r.face) +
            line('fused', r.fused),
        );
      },
    );
}

async function captureFile(path: string): Promise<Result<FaceCapture, InvalidInputError>> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return err(new InvalidInputError('This is not a file.'));
    if (s.size > MAX_FACE_FILE_BYTES) {
      return err(
        new InvalidInputError(`The file is ${s.size} bytes; face images above 32 MB are refused.`),
      );
    }
    return await captureFace(await readFile(path));
  } catch (e) {
    return err(new InvalidInputError(`Cannot read the file: ${describeFileError(e)}`));
  }
}

function describeCapture(c: FaceCapture) {
  return {
    facesFound: c.facesFound,
    box: c.box,
    quality: c.quality,
    presentationAttack: c.presentationAttack,
  };
}

function captureLine(c: FaceCapture): string {
  const q = c.quality;
  return (
    `${c.facesFound} face(s), eyes ${q.interEyePixels.toFixed(0)} px apart, sharpness ${q.sharpness.toFixed(0)}, ` +
    `yaw ${q.yaw.toFixed(0)}°, quality ${q.problems.length === 0 ? 'ok' : q.problems.join(', ')}; ` +
    `anti-spoof ${c.presentationAttack.antispoof.toFixed(2)}, liveness ${c.presentationAttack.liveness.toFixed(2)}`
  );
}

function pct(v: number): string {
  return `${(v * 100).toFixed(2)}%`;
}

function formatRate(fmr: number): string {
  if (fmr >= 0.01) return `${(fmr * 100).toFixed(1)}%`;
  return `${(fmr * 100).toPrecision(2)}%`;
}
