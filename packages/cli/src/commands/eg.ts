import { mkdir, readFile, readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import {
  ceremonyStage,
  decryptStage,
  encryptStage,
  loadElectionRecord,
  manifestFromElection,
  randomBallots,
  simulateElection,
  tallyStage,
  verifyRecord,
  type PlaintextBallot,
  type VerificationReport,
} from '@vigil/ballots';
import { loadSampleElection, parseElectionDefinition, type Election } from '@vigil/core';

/**
 * `vigil eg …`: the ElectionGuard 2.0 workflow over an election record folder in egk's
 * JSON layout (ceremony → encrypt → tally → decrypt), a simulation of all of it, and the
 * independent verifier. Thin wrappers over @vigil/ballots.
 */
export function registerEgCommands(program: Command): void {
  const eg = program
    .command('eg')
    .description(
      'ElectionGuard 2.0: key ceremony, ballot encryption, tally, decryption and the verifier',
    );

  eg.command('verify')
    .description(
      'verify an ElectionGuard 2.0 election record (egk JSON layout); exit 0 only when every step passes',
    )
    .argument('<record-dir>', 'the election record folder')
    .option('--json', 'print the report as JSON')
    .option(
      '--strict',
      'fail V1 when manifest_hash does not reproduce from manifest.json (egk records need it off)',
    )
    .option(
      '--workers <n>',
      'worker threads for the proofs (0: none)',
      String(availableParallelism()),
    )
    .action(async (dir: string, options: { json?: boolean; strict?: boolean; workers: string }) => {
      if (!(await isFolder(dir))) {
        fail(
          `${dir} is not a folder; name the election record folder (the one with election_config.json).`,
        );
        return;
      }
      const workers = parseCount(options.workers, '--workers', 0);
      if (workers === undefined) return;
      const report = await verifyRecord(dir, {
        workers,
        strictManifestHash: options.strict === true,
      });
      process.stdout.write(
        options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
      );
      if (!report.ok) process.exitCode = 1;
    });

  eg.command('ceremony')
    .description('run the key ceremony and start an election record')
    .requiredOption('--guardians <n>', 'number of guardians n')
    .requiredOption('--quorum <k>', 'guardians needed to decrypt, k')
    .requiredOption('-o, --output <dir>', 'the election record folder to create')
    .option('--election <file>', 'a Vigil election definition (default: the sample election)')
    .action(
      async (options: { guardians: string; quorum: string; output: string; election?: string }) => {
        const n = parseCount(options.guardians, '--guardians', 1);
        const k = parseCount(options.quorum, '--quorum', 1);
        if (n === undefined || k === undefined) return;
        if (k > n) {
          fail(
            `the quorum ${k} is larger than the number of guardians ${n}; choose a quorum of at most ${n}.`,
          );
          return;
        }
        const manifest = await manifestFor(options.election);
        if (manifest === undefined) return;
        await mkdir(options.output, { recursive: true });
        const started = performance.now();
        const result = await ceremonyStage(options.output, {
          guardians: n,
          quorum: k,
          manifestBytes: manifest.bytes,
        });
        process.stdout.write(
          `key ceremony done: ${n} guardians, quorum ${k} (${Math.round(performance.now() - started)} ms)\n` +
            `  extended base hash ${result.extendedBaseHash.toString('hex').toUpperCase()}\n` +
            `  record: ${options.output} (guardian secrets under private_data/trustees, mode 0600)\n`,
        );
      },
    );

  eg.command('encrypt')
    .description(
      'encrypt ballots on one device and add them to the record, chaining confirmation codes',
    )
    .argument('<record-dir>', 'the election record folder')
    .option(
      '--ballots <file>',
      'JSON array of ballots: {ballotId, ballotStyleId, votes: {contestId: [selectionId…]}}',
    )
    .option('--random <n>', 'encrypt n random ballots instead')
    .option('--device <id>', 'the encrypting device', 'vigil-device-1')
    .option('--spoil <ids>', 'comma-separated ballot ids to challenge (SPOILED) instead of cast')
    .action(
      async (
        dir: string,
        options: { ballots?: string; random?: string; device: string; spoil?: string },
      ) => {
        const ballots = await ballotsFor(dir, options);
        if (ballots === undefined) return;
        const spoiled = new Set((options.spoil ?? '').split(',').filter((s) => s !== ''));
        const result = await encryptStage(dir, {
          device: options.device,
          ballots,
          spoil: (b) => spoiled.has(b.ballotId),
        });
        process.stdout.write(
          `encrypted ${ballots.length} ballots on ${options.device}: ${result.cast} cast, ${result.spoiled} challenged ` +
            `(${result.millisPerBallot.toFixed(0)} ms per ballot)\n`,
        );
      },
    );

  eg.command('tally')
    .description('add the CAST ballots homomorphically into encrypted_tally.json')
    .argument('<record-dir>', 'the election record folder')
    .action(async (dir: string) => {
      const result = await tallyStage(dir);
      process.stdout.write(
        `encrypted tally of ${result.cast} cast ballots written to ${dir}/encrypted_tally.json\n`,
      );
    });

  eg.command('decrypt')
    .description('decrypt the tally and the challenged ballots with at least a quorum of guardians')
    .argument('<record-dir>', 'the election record folder')
    .requiredOption(
      '--guardians <ids>',
      'comma-separated present guardians, e.g. guardian1,guardian3,guardian4',
    )
    .action(async (dir: string, options: { guardians: string }) => {
      const ids = options.guardians
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const result = await decryptStage(dir, ids);
      process.stdout.write(formatTotals(result.totals));
      process.stdout.write(
        `decrypted with ${ids.join(', ')}; ${result.challenged} challenged ballots decrypted\n`,
      );
    });

  eg.command('simulate')
    .description('run a whole election with random ballots and leave a complete, verified record')
    .requiredOption('--ballots <n>', 'number of ballots (every fifth is challenged)')
    .option('--guardians <n>', 'number of guardians', '5')
    .option('--quorum <k>', 'quorum', '3')
    .option('--present <m>', 'guardians present at decryption', '3')
    .option('--election <file>', 'a Vigil election definition (default: the sample election)')
    .requiredOption('-o, --output <dir>', 'the election record folder to create')
    .action(
      async (options: {
        ballots: string;
        guardians: string;
        quorum: string;
        present: string;
        election?: string;
        output: string;
      }) => {
        const ballots = parseCount(options.ballots, '--ballots', 1);
        const n = parseCount(options.guardians, '--guardians', 1);
        const k = parseCount(options.quorum, '--quorum', 1);
        const m = parseCount(options.present, '--present', 1);
        if (ballots === undefined || n === undefined || k === undefined || m === undefined) return;
        if (!(k <= m && m <= n)) {
          fail(`need quorum ≤ present ≤ guardians, got ${k} ≤ ${m} ≤ ${n}.`);
          return;
        }
        const manifest = await manifestFor(options.election);
        if (manifest === undefined) return;
        if (await isNonEmptyFolder(options.output)) {
          fail(`${options.output} is not empty; choose a new folder for the record.`);
          return;
        }
        await mkdir(options.output, { recursive: true });
        const r = await simulateElection({
          dir: options.output,
          manifestBytes: manifest.bytes,
          manifest: manifest.manifest,
          ballots,
          guardians: n,
          quorum: k,
          present: m,
        });
        process.stdout.write(
          `simulated: ${r.cast} cast, ${r.spoiled} challenged; guardians present: ${r.present.join(', ')} (${m} of ${n}, quorum ${k})\n` +
            `  ceremony ${ms(r.millis.ceremony)}, encryption ${ms(r.millis.encryptPerBallot)} per ballot, ` +
            `tally ${ms(r.millis.tally)}, decryption ${ms(r.millis.decrypt)}\n` +
            `  decrypted tally ${r.tallyMatches ? 'equals' : 'DIFFERS FROM'} the plaintext sum of the cast ballots\n`,
        );
        const report = await verifyRecord(options.output, { strictManifestHash: true });
        process.stdout.write(formatReport(report));
        if (!report.ok || !r.tallyMatches) process.exitCode = 1;
      },
    );
}

function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`;
}

function fail(message: string): void {
  process.stderr.write(`vigil: ${message}\n`);
  process.exitCode = 1;
}

function parseCount(value: string, name: string, min: number): number | undefined {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    fail(`${name} must be a whole number of at least ${min}, got "${value}".`);
    return undefined;
  }
  return n;
}

async function isFolder(path: string): Promise<boolean> {
  try {
    await readdir(path);
    return true;
  } catch {
    return false;
  }
}

async function isNonEmptyFolder(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length > 0;
  } catch {
    return false;
  }
}

async function manifestFor(file: string | undefined): ReturnType<typeof manifestOrUndefined> {
  return manifestOrUndefined(file);
}

async function manifestOrUndefined(
  file: string | undefined,
): Promise<ReturnType<typeof manifestFromElection> | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = file === undefined ? loadSampleElection() : await readFile(file);
  } catch {
    fail(`cannot read the election definition ${file ?? ''}; check the path.`);
    return undefined;
  }
  const parsed = parseElectionDefinition(bytes);
  if (!parsed.ok) {
    fail(
      `the election definition is invalid: ${parsed.error.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
    return undefined;
  }
  const election: Election = parsed.value.election;
  return manifestFromElection(election);
}

async function ballotsFor(
  dir: string,
  options: { ballots?: string; random?: string },
): Promise<PlaintextBallot[] | undefined> {
  if (options.random !== undefined) {
    const n = parseCount(options.random, '--random', 1);
    if (n === undefined) return undefined;
    const record = await loadElectionRecord(dir);
    if (record.manifest === undefined) {
      fail(`${dir} has no readable manifest.json; run vigil eg ceremony first.`);
      return undefined;
    }
    return randomBallots(record.manifest, n, `ballot-${Date.now().toString(36)}`);
  }
  if (options.ballots === undefined) {
    fail('name the ballots to encrypt with --ballots <file>, or use --random <n>.');
    return undefined;
  }
  try {
    const parsed = JSON.parse(await readFile(options.ballots, 'utf8')) as unknown;
    if (!Array.isArray(parsed)) throw new Error('expected a JSON array of ballots');
    return parsed as PlaintextBallot[];
  } catch (e) {
    fail(`cannot use ${options.ballots}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function formatTotals(totals: Record<string, Record<string, number>>): string {
  const lines: string[] = [];
  for (const [contest, selections] of Object.entries(totals)) {
    lines.push(
      `${contest}: ${Object.entries(selections)
        .map(([s, t]) => `${s} ${t}`)
        .join(', ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A readable report: one line per step, then what failed, then the timing and speed-up. */
export function formatReport(report: VerificationReport): string {
  const lines = [
    `ElectionGuard 2.0 verification of ${report.dir} (${report.ballots} encrypted ballots)`,
  ];
  for (const s of report.steps) {
    const mark = s.status === 'pass' ? 'pass' : s.status === 'fail' ? 'FAIL' : s.status;
    lines.push(
      `  ${s.step.padEnd(4)} ${mark.padEnd(4)}  ${s.title}${s.checked > 0 ? ` [${s.checked} checked]` : ''}`,
    );
    for (const f of s.failures) lines.push(`         - ${f}`);
    for (const n of s.notes) lines.push(`         note: ${n}`);
  }
  const speedUp =
    report.proofs.wallMillis > 0 ? report.proofs.cpuMillis / report.proofs.wallMillis : 1;
  lines.push(
    `${report.ok ? 'VALID' : 'INVALID'}: ${report.steps.filter((s) => s.status === 'fail').length} steps failed; ` +
      `${(report.millis / 1000).toFixed(1)} s with ${report.workers} worker threads ` +
      `(proofs: ${(report.proofs.cpuMillis / 1000).toFixed(1)} s of work in ${(report.proofs.wallMillis / 1000).toFixed(1)} s, speed-up ${speedUp.toFixed(2)}x)`,
  );
  return `${lines.join('\n')}\n`;
}
