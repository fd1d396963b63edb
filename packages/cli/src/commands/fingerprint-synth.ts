import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError, err, ok, type Result } from '@vigil/core';
import {
  dedupBench,
  identifyBench,
  synthesizeFingerprintSet,
  type FingerTruth,
  type SyntheticImageFormat,
} from '@vigil/biometrics';
import type { Command } from 'commander';
import { describeFileError, reportFailure } from '../output.ts';

/**
 * `vigil fingerprint synth|identify-bench|dedup-bench`: synthetic fingerprint images
 * (SFinGe-style, packages/biometrics/src/synth) and the 1:N index measured on synthetic
 * templates (src/identify). Added to the `fingerprint` command that fingerprint.ts defines.
 */
export function registerFingerprintSynthCommands(program: Command): void {
  const fingerprint = program.commands.find((c) => c.name() === 'fingerprint');
  if (fingerprint === undefined) {
    throw new Error('register the fingerprint command before its synthetic-data subcommands');
  }

  fingerprint
    .command('synth')
    .description(
      'write synthetic fingerprint images (<finger>_<impression>.png, FVC naming) and ground-truth.json',
    )
    .requiredOption('--fingers <n>', 'fingers to make, numbered 1..n')
    .option('--impressions <n>', 'impressions of each finger', '8')
    .option('--seed <n>', 'seed: the same seed writes the same bytes', '1')
    .option('--dpi <n>', 'resolution of the images in dots per inch', '500')
    .option('--format <f>', 'png or tif', 'png')
    .option('--threads <n>', 'worker threads', '2')
    .requiredOption('-o, --output <folder>', 'folder to write into (created if missing)')
    .action(
      async (options: {
        fingers: string;
        impressions: string;
        seed: string;
        dpi: string;
        format: string;
        threads: string;
        output: string;
      }) => {
        const fingers = count(options.fingers, '--fingers', 1, 100_000);
        const impressions = count(options.impressions, '--impressions', 1, 100);
        const seed = count(options.seed, '--seed', 0, 2 ** 32 - 1);
        const dpi = count(options.dpi, '--dpi', 250, 1000);
        const threads = count(options.threads, '--threads', 1, 64);
        for (const r of [fingers, impressions, seed, dpi, threads]) {
          if (!r.ok) {
            reportFailure(r.error);
            return;
          }
        }
        if (options.format !== 'png' && options.format !== 'tif') {
          reportFailure(
            new InvalidInputError(`Unknown image format "${options.format}".`, {
              hint: 'Use --format png or --format tif.',
            }),
          );
          return;
        }
        const format: SyntheticImageFormat = options.format;
        try {
          await mkdir(options.output, { recursive: true });
          const present = (await readdir(options.output)).filter((f) =>
            /^\d+_\d+\.(png|tif)$/.test(f),
          );
          if (present.length > 0) {
            reportFailure(
              new InvalidInputError(
                `The folder already holds fingerprint images (${present[0]} and ${present.length - 1} more).`,
                {
                  hint: 'Give -o an empty or new folder, so sets from different seeds do not mix.',
                },
              ),
              options.output,
            );
            return;
          }
        } catch (e) {
          reportFailure(
            new InvalidInputError(`Cannot write to the folder: ${describeFileError(e)}`),
            options.output,
          );
          return;
        }
        const started = performance.now();
        const truths: FingerTruth[] = [];
        let files = 0;
        await synthesizeFingerprintSet(
          {
            fingers: value(fingers),
            impressions: value(impressions),
            seed: value(seed),
            dpi: value(dpi),
            format,
            threads: value(threads),
          },
          async (finger) => {
            for (const f of finger.files) await writeFile(join(options.output, f.name), f.bytes);
            files += finger.files.length;
            truths.push(finger.truth);
          },
        );
        truths.sort((a, b) => a.finger - b.finger);
        const groundTruth = {
          generator: 'vigil SFinGe-style synthesis (packages/biometrics/src/synth)',
          seed: value(seed),
          dpi: value(dpi),
          note: 'Master minutiae are in master-canvas pixels at 500 dpi; impression minutiae in image pixels at dpi. Directions in degrees, image coordinates (y down), pointing along the ridge.',
          fingers: truths,
        };
        await writeFile(
          join(options.output, 'ground-truth.json'),
          `${JSON.stringify(groundTruth, null, 1)}\n`,
        );
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(
          `${files} images of ${truths.length} fingers written to ${options.output} in ${seconds.toFixed(1)} s, with ground-truth.json\n`,
        );
      },
    );

  fingerprint
    .command('identify-bench')
    .description(
      'measure 1:N identification of persons on synthetic templates (rank-1, FPIR, latency)',
    )
    .requiredOption('--enrolled <n>', 'persons in the gallery')
    .option('--probes <n>', 'mated probes (as many non-mated probes are also searched)', '200')
    .option('--threads <n>', 'worker threads holding the index shards', '2')
    .option(
      '--fingers <n>',
      'fingers per person: 4 = right and left index and middle; 2 = the index fingers; 1 = one template per person, score threshold',
      '4',
    )
    .option('--seed <n>', 'seed of the synthetic population', '1')
    .option('--json', 'print the figures as one JSON object')
    .action(
      async (options: {
        enrolled: string;
        probes: string;
        threads: string;
        fingers: string;
        seed: string;
        json?: boolean;
      }) => {
        const enrolled = count(options.enrolled, '--enrolled', 10, 10_000_000);
        const probes = count(options.probes, '--probes', 1, 100_000);
        const threads = count(options.threads, '--threads', 1, 64);
        const fingers = count(options.fingers, '--fingers', 1, 10);
        const seed = count(options.seed, '--seed', 0, 2 ** 32 - 1);
        for (const r of [enrolled, probes, threads, fingers, seed]) {
          if (!r.ok) {
            reportFailure(r.error);
            return;
          }
        }
        const log =
          options.json === true ? undefined : (line: string) => process.stderr.write(`${line}\n`);
        const result = await identifyBench({
          enrolled: value(enrolled),
          probes: value(probes),
          threads: value(threads),
          fingers: value(fingers),
          seed: value(seed),
          log,
        });
        if (options.json === true) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
          return;
        }
        const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
        const mb = (v: number) => `${(v / 1024 / 1024).toFixed(0)} MB`;
        const threshold =
          result.fingers === 1
            ? `score threshold ${result.threshold.toFixed(1)} (FMR 1% / gallery)`
            : `fused FMR threshold ${result.threshold.toExponential(2)} (FPIR 1% / gallery)`;
        const empirical = result.empirical;
        process.stdout.write(
          [
            `gallery ${result.enrolled} persons x ${result.fingers} finger(s), ${result.threads} threads, ${threshold}`,
            `rank-1 hit rate ${pct(result.rank1)} (${result.matedProbes} mated probes; mate anywhere in the list: ${pct(result.mateInList)})`,
            `FPIR ${pct(result.fpir)} (${result.nonMatedProbes} probes of people not enrolled)`,
            ...(empirical === undefined
              ? []
              : [
                  `at the threshold read off ${empirical.calibrationProbes} other non-mated probes (fused FMR ${empirical.threshold.toExponential(2)}): rank-1 ${pct(empirical.rank1)}, FPIR ${pct(empirical.fpir)}`,
                ]),
            `latency per probe p50 ${result.latencyP50Ms.toFixed(1)} ms, p95 ${result.latencyP95Ms.toFixed(1)} ms (wall clock)` +
              (result.cpuP50Ms === undefined
                ? ''
                : `; CPU per probe, all threads: p50 ${result.cpuP50Ms.toFixed(1)} ms, p95 ${(result.cpuP95Ms ?? 0).toFixed(1)} ms`),
            `build ${result.buildSeconds.toFixed(1)} s, ${result.postings} postings; peak RSS ${mb(result.peakRssBytes)}, heap ${mb(result.heapUsedBytes)}`,
          ].join('\n') + '\n',
        );
      },
    );

  fingerprint
    .command('dedup-bench')
    .description('measure de-duplication of a synthetic roll with planted duplicates')
    .requiredOption('--voters <n>', 'records on the roll')
    .requiredOption('--duplicates <n>', 'people enrolled twice among them')
    .option('--threads <n>', 'worker threads holding the index shards', '2')
    .option(
      '--fingers <n>',
      'fingers per person (4 = right and left index and middle; 2 = the index fingers)',
      '4',
    )
    .option('--seed <n>', 'seed of the synthetic population', '2')
    .option('--json', 'print the figures as one JSON object')
    .action(
      async (options: {
        voters: string;
        duplicates: string;
        threads: string;
        fingers: string;
        seed: string;
        json?: boolean;
      }) => {
        const voters = count(options.voters, '--voters', 10, 10_000_000);
        const duplicates = count(options.duplicates, '--duplicates', 0, 5_000_000);
        const threads = count(options.threads, '--threads', 1, 64);
        const fingers = count(options.fingers, '--fingers', 1, 10);
        const seed = count(options.seed, '--seed', 0, 2 ** 32 - 1);
        for (const r of [voters, duplicates, threads, fingers, seed]) {
          if (!r.ok) {
            reportFailure(r.error);
            return;
          }
        }
        if (value(duplicates) * 2 > value(voters)) {
          reportFailure(
            new InvalidInputError('There cannot be more duplicates than half the roll.', {
              hint: 'Give --duplicates at most half of --voters.',
            }),
          );
          return;
        }
        const log =
          options.json === true ? undefined : (line: string) => process.stderr.write(`${line}\n`);
        const r = await dedupBench({
          voters: value(voters),
          duplicates: value(duplicates),
          threads: value(threads),
          fingers: value(fingers),
          seed: value(seed),
          log,
        });
        if (options.json === true) {
          process.stdout.write(`${JSON.stringify(r)}\n`);
          return;
        }
        process.stdout.write(
          `roll ${r.voters} records x ${r.fingers} finger(s), ${r.duplicates} planted duplicates, ` +
            `${r.fingers === 1 ? `score threshold ${r.threshold.toFixed(1)}` : `fused FMR threshold ${r.threshold.toExponential(2)}`}; ${r.fingers === 1 ? 'every record searched against the whole roll' : `every record searched among those before it, ${r.candidates} candidates a record at tolerance scale ${r.toleranceScale}`}, ${r.sweep} sweep\n` +
            `recall ${(r.recall * 100).toFixed(2)}%, precision ${(r.precision * 100).toFixed(2)}% ` +
            `(${r.truePairsFound} true of ${r.pairsReported} pairs reported), ${r.seconds.toFixed(1)} s in all (enrolment ${r.buildSeconds.toFixed(1)} s), ${r.cpuSeconds.toFixed(0)} CPU s\n`,
        );
      },
    );
}

function count(
  text: string,
  flag: string,
  min: number,
  max: number,
): Result<number, InvalidInputError> {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    return err(
      new InvalidInputError(`${flag} "${text}" is not usable.`, {
        hint: `Give ${flag} as a whole number from ${min} to ${max}.`,
      }),
    );
  }
  return ok(n);
}

function value(r: Result<number, InvalidInputError>): number {
  return r.ok ? r.value : 0;
}
