import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadSampleElection, parseElectionDefinition, type Result } from '@vigil/core';
import {
  bravoAsn,
  bravoSampleSize,
  comparisonSampleSize,
  consistentSample,
  drawSample,
  manifestBallotIds,
  parseManifestCsv,
  checkSeed,
  tabulate,
  toNistCvrReport,
  toNistResults,
  type CastVoteRecord,
  type Tabulation,
} from '@vigil/tally';

/**
 * `vigil audit sample-size`, `vigil audit sample` and `vigil tally`: thin wrappers over
 * @vigil/tally. Bad input ends with the library's sentence and exit code 1.
 */
export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('risk-limiting audits: sample sizes and drawing the sample');

  audit
    .command('sample-size')
    .description('how many ballots a BRAVO ballot-polling or a ballot-comparison audit should draw')
    .requiredOption('--method <method>', 'bravo (ballot polling) or comparison (ballot comparison)')
    .requiredOption('--risk-limit <alpha>', 'the risk limit, e.g. 0.1 for 10 %')
    .option(
      '--votes <list>',
      'bravo: reported votes per candidate, winner(s) first or in any order, e.g. 600,400',
    )
    .option('--ballots <n>', 'bravo: ballots cast in the contest area')
    .option('--winners <n>', 'bravo: number of winners', '1')
    .option('--completion <p>', 'bravo: chance of finishing in one round', '0.9')
    .option('--asn', 'bravo: print the average sample number instead')
    .option('--margin <mu>', 'comparison: the diluted margin, e.g. 0.2')
    .option('--gamma <g>', 'comparison: error inflation factor', '1.03905')
    .option('--o1 <rate>', 'comparison: expected one-vote overstatements per ballot', '0.001')
    .option('--o2 <rate>', 'comparison: expected two-vote overstatements per ballot', '0.0001')
    .option('--u1 <rate>', 'comparison: expected one-vote understatements per ballot', '0.001')
    .option('--u2 <rate>', 'comparison: expected two-vote understatements per ballot', '0.0001')
    .option('--json', 'print JSON')
    .action((o: Record<string, string | boolean | undefined>) => {
      const riskLimit = numberOption(o.riskLimit, '--risk-limit');
      const json = o.json === true;
      if (o.method === 'bravo') {
        const votesText = stringOption(o.votes, '--votes');
        const votes: Record<string, number> = {};
        votesText.split(',').forEach((v, i) => {
          votes[`candidate-${String(i + 1)}`] = numberOption(v.trim(), '--votes');
        });
        const contest = {
          id: 'contest',
          votes,
          ballots: numberOption(o.ballots, '--ballots'),
          numWinners: numberOption(o.winners, '--winners'),
        };
        const answer =
          o.asn === true
            ? bravoAsn(contest, riskLimit)
            : bravoSampleSize(contest, riskLimit, numberOption(o.completion, '--completion'));
        const value = unwrapOrThrow(answer);
        const what =
          o.asn === true
            ? 'average sample number'
            : `sample size for a ${String(numberOption(o.completion, '--completion') * 100)} % chance of finishing in one round`;
        print(
          json,
          { method: 'bravo', measure: o.asn === true ? 'asn' : 'completion', ...value },
          describe(what, value),
        );
        return;
      }
      if (o.method === 'comparison') {
        const answer = unwrapOrThrow(
          comparisonSampleSize({
            dilutedMargin: numberOption(o.margin, '--margin'),
            riskLimit,
            gamma: numberOption(o.gamma, '--gamma'),
            rates: {
              o1: numberOption(o.o1, '--o1'),
              o2: numberOption(o.o2, '--o2'),
              u1: numberOption(o.u1, '--u1'),
              u2: numberOption(o.u2, '--u2'),
            },
          }),
        );
        const size = answer.kind === 'sample' ? answer.size : undefined;
        print(
          json,
          { method: 'comparison', ...answer },
          size === undefined
            ? 'full hand count: the expected discrepancies outweigh the margin\n'
            : `sample size: ${String(size)} ballots\n`,
        );
        return;
      }
      throw new Error(`--method must be bravo or comparison, not "${String(o.method)}".`);
    });

  audit
    .command('sample')
    .description('draw the ballots to audit from a public seed and a ballot manifest (CSV)')
    .requiredOption('--seed <digits>', 'the public random seed: decimal digits rolled with dice')
    .requiredOption(
      '--manifest <file>',
      'ballot manifest CSV with "Batch Name" and "Number of Ballots" columns',
    )
    .requiredOption('--size <n>', 'how many ballots to draw')
    .option(
      '--method <m>',
      'prng (SHA-256 counter mode, Stark/Rivest) or consistent (Rivest consistent sampler)',
      'prng',
    )
    .option('--with-replacement', 'prng: sample with replacement (a ballot may be drawn twice)')
    .option('--json', 'print JSON')
    .action(
      async (o: {
        seed: string;
        manifest: string;
        size: string;
        method: string;
        withReplacement?: boolean;
        json?: boolean;
      }) => {
        const manifest = unwrapOrThrow(parseManifestCsv(await readText(o.manifest)));
        const size = numberOption(o.size, '--size');
        let rows: { draw: number; ballotId: string; batchId: string; position: number }[];
        if (o.method === 'consistent') {
          unwrapOrThrow(checkSeed(o.seed));
          if (!Number.isInteger(size) || size < 0 || size > manifest.totalBallots) {
            throw new Error(
              `--size must be a whole number from 0 to the ${String(manifest.totalBallots)} ballots of the manifest.`,
            );
          }
          rows = consistentSample(manifestBallotIds(manifest), o.seed, size).map((t, i) => {
            const cut = t.id.lastIndexOf(':');
            return {
              draw: i + 1,
              ballotId: t.id,
              batchId: t.id.slice(0, cut),
              position: Number(t.id.slice(cut + 1)),
            };
          });
        } else if (o.method === 'prng') {
          rows = unwrapOrThrow(
            drawSample({
              seed: o.seed,
              manifest,
              size,
              withReplacement: o.withReplacement === true,
            }),
          );
        } else {
          throw new Error(`--method must be prng or consistent, not "${o.method}".`);
        }
        print(
          o.json === true,
          rows,
          `draw,batch,position,ballot\n${rows.map((r) => `${String(r.draw)},${csvCell(r.batchId)},${String(r.position)},${csvCell(r.ballotId)}`).join('\n')}\n`,
        );
      },
    );
}

export function registerTallyCommand(program: Command): void {
  program
    .command('tally')
    .description('tabulate cast vote records (JSON) against an election definition')
    .argument('<cvr-file>', 'JSON: an array of cast vote records, or { "cvrs": [...] }')
    .option('--election <file>', 'the election definition (default: the sample election)')
    .option(
      '--format <format>',
      'text, json, nist-1500-100 (results) or nist-1500-103 (CVRs)',
      'text',
    )
    .option(
      '--approval <contests>',
      'comma-separated candidate contests to count by approval voting',
    )
    .option('--tie-break-seed <digits>', 'public seed for ranked-choice tie draws', '')
    .action(
      async (
        file: string,
        o: { election?: string; format: string; approval?: string; tieBreakSeed: string },
      ) => {
        const bytes =
          o.election === undefined
            ? loadSampleElection()
            : new Uint8Array(await readFile(o.election));
        const parsed = parseElectionDefinition(bytes);
        if (!parsed.ok) {
          throw new Error(
            `the election definition is invalid: ${parsed.error.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
          );
        }
        const { election } = parsed.value;
        let doc: unknown;
        try {
          doc = JSON.parse(await readText(file));
        } catch (e) {
          throw new Error(`${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
        }
        const cvrs = (Array.isArray(doc) ? doc : (doc as { cvrs?: unknown } | null)?.cvrs) as
          CastVoteRecord[] | undefined;
        if (!Array.isArray(cvrs))
          throw new Error(`${file} must hold an array of cast vote records or { "cvrs": [...] }.`);
        if (o.format === 'nist-1500-103') {
          unwrapOrThrow(tabulate(election, cvrs)); // refuse records that do not fit the definition
          process.stdout.write(`${JSON.stringify(toNistCvrReport(election, cvrs), null, 2)}\n`);
          return;
        }
        const result = unwrapOrThrow(
          tabulate(election, cvrs, {
            ...(o.approval === undefined ? {} : { approval: o.approval.split(',') }),
            tieBreakSeed: o.tieBreakSeed,
          }),
        );
        switch (o.format) {
          case 'nist-1500-100':
            process.stdout.write(`${JSON.stringify(toNistResults(election, result), null, 2)}\n`);
            return;
          case 'json':
            process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
            return;
          case 'text':
            process.stdout.write(formatTabulation(result));
            return;
          default:
            throw new Error(
              `--format must be text, json, nist-1500-100 or nist-1500-103, not "${o.format}".`,
            );
        }
      },
    );
}

function formatTabulation(t: Tabulation): string {
  const lines = [`${String(t.ballots)} ballots counted`];
  for (const c of t.totals) {
    lines.push(`${c.contestId} (${c.type}): ${String(c.ballots)} ballots`);
    for (const [choice, v] of Object.entries(c.votes))
      lines.push(`  ${choice.padEnd(24)} ${String(v)}`);
    lines.push(
      `  ${'write-ins'.padEnd(24)} ${String(c.writeIns)}`,
      `  ${'overvotes'.padEnd(24)} ${String(c.overvotes)}`,
      `  ${'undervotes'.padEnd(24)} ${String(c.undervotes)}`,
    );
  }
  for (const r of t.rankedChoice) {
    lines.push(`${r.contestId}: instant runoff, winner ${r.winner ?? '(none)'}`);
    for (const round of r.rounds) {
      const votes = Object.entries(round.votes)
        .map(([c, v]) => `${c} ${String(v)}`)
        .join(', ');
      const out =
        round.eliminated.length === 0
          ? ''
          : `; eliminated ${round.eliminated.join(', ')} (${round.reason ?? ''})`;
      lines.push(
        `  round ${String(round.round)}: ${votes}; exhausted ${String(round.exhausted)}${out}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function describe(
  what: string,
  value: { kind: string; size: number; probability?: number; reason?: string },
): string {
  switch (value.kind) {
    case 'sample':
      return `${what}: ${String(value.size)} ballots${value.probability === undefined ? '' : ` (chance of finishing in one round ${String(value.probability)})`}\n`;
    case 'full-hand-count':
      return `full hand count: ${String(value.size)} ballots (the outcome is too close for sampling)\n`;
    default:
      return `no sample needed: ${value.reason ?? ''}\n`;
  }
}

function print(json: boolean, value: unknown, textOut: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : textOut);
}

function unwrapOrThrow<T>(r: Result<T, Error>): T {
  if (r.ok) return r.value;
  throw r.error;
}

function stringOption(v: unknown, name: string): string {
  if (typeof v !== 'string' || v === '') throw new Error(`${name} is required for this method.`);
  return v;
}

function numberOption(v: unknown, name: string): number {
  const s = stringOption(v, name);
  const n = Number(s);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${s}".`);
  return n;
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : '';
    throw new Error(
      code === 'ENOENT'
        ? `cannot read ${file}: there is no such file.`
        : `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
