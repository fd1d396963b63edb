import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { InvalidInputError, err, ok, type Result } from '@vigil/core';
import {
  detSvg,
  evaluateImpressions,
  extractTemplate,
  looksLikeIsoTemplate,
  matchPrepared,
  prepareTemplate,
  readIsoTemplate,
  scoreToFmr,
  templateToJson,
  writeIsoTemplate,
  type EvaluationSummary,
  type ExtractedImpression,
  type FingerprintTemplate,
  type Protocol,
} from '@vigil/biometrics';
import type { Command } from 'commander';
import { describeFileError, reportFailure } from '../output.ts';

/** Files larger than this are refused before reading: no fingerprint image is that big. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * `vigil fingerprint extract|match|eval`: thin wrappers over @vigil/biometrics, so the
 * command line says exactly what the library says.
 */
export function registerFingerprintCommands(program: Command): void {
  const fingerprint = program
    .command('fingerprint')
    .description('extract, compare and evaluate fingerprint templates (ISO/IEC 19794-2)');

  fingerprint
    .command('extract')
    .description('extract the minutiae of a fingerprint image (TIFF, PNG or BMP, 8-bit gray)')
    .argument('<image>', 'the fingerprint image')
    .option('--dpi <n>', 'resolution of the image in dots per inch', '500')
    .option('-o, --output <file>', 'write the template: .iso (ISO/IEC 19794-2:2005) or .json')
    .action(async (image: string, options: { dpi: string; output?: string }) => {
      const dpi = parseDpi(options.dpi);
      if (!dpi.ok) {
        reportFailure(dpi.error);
        return;
      }
      const t = await loadTemplate(image, dpi.value);
      if (!t.ok) {
        reportFailure(t.error, image);
        return;
      }
      const template = t.value;
      const iso = writeIsoTemplate(template);
      if (options.output !== undefined) {
        const ext = extname(options.output).toLowerCase();
        if (ext === '.json') {
          await writeFile(options.output, `${JSON.stringify(templateToJson(template), null, 2)}\n`);
        } else if (ext === '.iso' || ext === '.fmr' || ext === '.ist') {
          await writeFile(options.output, iso);
        } else {
          reportFailure(
            new InvalidInputError(`Unknown template format "${ext}".`, {
              hint: 'Name the output file .iso (ISO/IEC 19794-2:2005) or .json.',
            }),
          );
          return;
        }
      }
      process.stdout.write(
        `${basename(image)}: ${template.x.length} minutiae, quality ${template.quality}, ` +
          `${iso.length} bytes as ISO/IEC 19794-2` +
          (options.output === undefined ? '' : `, written to ${options.output}`) +
          '\n',
      );
    });

  fingerprint
    .command('match')
    .description('compare two fingerprints (images or ISO templates) and print the score')
    .argument('<a>', 'first fingerprint: image or .iso template')
    .argument('<b>', 'second fingerprint: image or .iso template')
    .option('--dpi <n>', 'resolution of the images in dots per inch', '500')
    .action(async (a: string, b: string, options: { dpi: string }) => {
      const dpi = parseDpi(options.dpi);
      if (!dpi.ok) {
        reportFailure(dpi.error);
        return;
      }
      const ta = await loadTemplate(a, dpi.value);
      if (!ta.ok) {
        reportFailure(ta.error, a);
        return;
      }
      const tb = await loadTemplate(b, dpi.value);
      if (!tb.ok) {
        reportFailure(tb.error, b);
        return;
      }
      const score = matchPrepared(prepareTemplate(ta.value), prepareTemplate(tb.value));
      const fmr = scoreToFmr(score);
      process.stdout.write(
        `score ${score.toFixed(2)} (expected false match rate at this threshold: ${formatRate(fmr)})\n`,
      );
    });

  fingerprint
    .command('eval')
    .description('measure accuracy over a folder of <finger>_<impression> images (FVC naming)')
    .argument('<folder>', 'folder of images such as 101_1.tif')
    .option('--dpi <n>', 'resolution of the images in dots per inch', '500')
    .option(
      '--protocol <p>',
      'fvc (FVC2002: 45 impostor pairs) or all (every impostor pair)',
      'fvc',
    )
    .option('--json', 'print the figures as one JSON object')
    .option('--plot <file>', 'write the DET curve as SVG')
    .action(
      async (
        folder: string,
        options: { dpi: string; protocol: string; json?: boolean; plot?: string },
      ) => {
        const dpi = parseDpi(options.dpi);
        if (!dpi.ok) {
          reportFailure(dpi.error);
          return;
        }
        if (options.protocol !== 'fvc' && options.protocol !== 'all') {
          reportFailure(
            new InvalidInputError(`Unknown protocol "${options.protocol}".`, {
              hint: 'Use --protocol fvc or --protocol all.',
            }),
          );
          return;
        }
        const protocol: Protocol = options.protocol;
        let names: string[];
        try {
          names = (await readdir(folder))
            .filter((f) => /^[^_]+_\d+\.(tif|tiff|png|bmp)$/i.test(f))
            .sort();
        } catch (e) {
          reportFailure(
            new InvalidInputError(`Cannot read the folder: ${describeFileError(e)}`),
            folder,
          );
          return;
        }
        if (names.length === 0) {
          reportFailure(
            new InvalidInputError('The folder holds no <finger>_<impression> images.', {
              hint: 'Name the images like 101_1.tif (finger 101, impression 1).',
            }),
            folder,
          );
          return;
        }
        const items: ExtractedImpression[] = [];
        for (const name of names) {
          const bytes = await readFile(join(folder, name));
          const t0 = cpuMs();
          const r = extractTemplate(bytes, { dpi: dpi.value });
          const extractMs = cpuMs() - t0;
          if (!r.ok) process.stderr.write(`${name}: ${r.error.message}\n`);
          items.push({ name, template: r.ok ? r.value : undefined, extractMs });
        }
        const report = evaluateImpressions(items, protocol, { clock: cpuMs });
        if (options.plot !== undefined) {
          await writeFile(options.plot, detSvg([{ label: basename(folder), points: report.det }]));
        }
        const s: EvaluationSummary = report.summary;
        if (options.json === true) {
          process.stdout.write(`${JSON.stringify(s)}\n`);
          return;
        }
        const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
        process.stdout.write(
          [
            `protocol ${protocol}: ${s.genuinePairs} genuine pairs, ${s.impostorPairs} impostor pairs`,
            `EER      ${pct(s.eer)}`,
            `FMR100   ${pct(s.fmr100)}   (FNMR at FMR 1%)`,
            `FMR1000  ${pct(s.fmr1000)}   (FNMR at FMR 0.1%)`,
            `ZeroFMR  ${pct(s.zeroFmr)}   (FNMR at no false match)`,
            `failed extractions ${s.failedExtractions}`,
            `extraction ${s.extractMs.toFixed(1)} ms per image, ${Math.round(s.matchesPerSecond)} matches per second (CPU time, one thread), ${Math.round(s.templateBytes)} template bytes`,
            `lowest-quality tenth holds ${report.lowQualityShare.inLowestTenth} of ${report.lowQualityShare.failures} genuine pairs failing at FMR 0.1%`,
            ...(options.plot === undefined ? [] : [`DET curve written to ${options.plot}`]),
          ].join('\n') + '\n',
        );
      },
    );
}

/** CPU time of this process in milliseconds: speed figures that other load does not skew. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function parseDpi(text: string): Result<number, InvalidInputError> {
  const dpi = Number(text);
  if (!Number.isFinite(dpi) || dpi < 250 || dpi > 1000) {
    return err(
      new InvalidInputError(`The resolution "${text}" is not usable.`, {
        hint: 'Give --dpi between 250 and 1000 (most fingerprint scanners are 500).',
      }),
    );
  }
  return ok(dpi);
}

/** An ISO template file or an image, as a template. */
async function loadTemplate(
  file: string,
  dpi: number,
): Promise<Result<FingerprintTemplate, InvalidInputError>> {
  let bytes: Uint8Array;
  try {
    const info = await stat(file);
    if (!info.isFile()) return err(new InvalidInputError('It is not a file.'));
    if (info.size > MAX_FILE_BYTES) {
      return err(
        new InvalidInputError(
          `The file is ${info.size} bytes, too large for a fingerprint image (limit ${MAX_FILE_BYTES}).`,
        ),
      );
    }
    bytes = await readFile(file);
  } catch (e) {
    return err(new InvalidInputError(`Cannot read the file: ${describeFileError(e)}`));
  }
  if (looksLikeIsoTemplate(bytes)) return readIsoTemplate(bytes);
  return extractTemplate(bytes, { dpi });
}

function formatRate(fmr: number): string {
  if (fmr >= 0.01) return `${(fmr * 100).toFixed(1)}%`;
  return `${(fmr * 100).toPrecision(2)}%`;
}
