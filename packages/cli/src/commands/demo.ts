import { InvalidArgumentError, type Command } from 'commander';
import { createProgress } from '../demo/progress.ts';
import { wholeNumber } from './ledger.ts';
import { runDemo, type DemoSummary } from '../demo/run.ts';
import { formatSummary } from '../demo/summary.ts';

/**
 * `vigil demo [--voters N] [--seed S] [--data-dir DIR] [--json]`: a whole election from
 * the command line, through the server's HTTP API, with progress on stderr and a summary
 * of every stage (JSON on stdout with --json).
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run a whole demo election through the HTTP API: roll, enrolment with de-duplication, key ceremony, check-ins, voting, tally, verification, audit and the ledger head',
    )
    .option('--voters <n>', 'synthetic voters on the roll', count(1, 100_000), 200)
    .option('--seed <s>', 'seed of the synthetic people, fingers and votes', count(0, 2 ** 31), 1)
    .option('--data-dir <dir>', 'a new or empty data folder to keep (default: a temporary one)')
    .option('--json', 'print the summary as one JSON document on stdout')
    .action(async (options: { voters: number; seed: number; dataDir?: string; json?: boolean }) => {
      const json = options.json === true;
      const progress = createProgress({ bars: !json && process.stderr.isTTY });
      try {
        const summary = await runDemo({
          voters: options.voters,
          seed: options.seed,
          ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
          progress,
        });
        progress.stop();
        process.stdout.write(
          json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary),
        );
        if (!demoSucceeded(summary)) process.exitCode = 1;
      } finally {
        progress.stop();
      }
    });
}

/** Whether every check the demo makes held: the record verified, the audit met its limit, the ledger verified. */
function demoSucceeded(summary: DemoSummary): boolean {
  return summary.ledger.verified && summary.tally.recordVerification.ok && summary.audit.limitMet;
}

function count(min: number, max: number) {
  return (text: string): number => {
    const n = wholeNumber(text.trim());
    if (n < min || n > max) {
      throw new InvalidArgumentError(`Give a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}
