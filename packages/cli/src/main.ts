import { Command, CommanderError } from 'commander';
import { registerElectionCommands } from './commands/election.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerLedgerCommands } from './commands/ledger.ts';
import { registerStoredLedgerCommands } from './commands/ledger-store.ts';
import { registerWitnessCommands } from './commands/ledger-witness.ts';
import { registerFingerprintCommands } from './commands/fingerprint.ts';
import { registerFingerprintSynthCommands } from './commands/fingerprint-synth.ts';
import { registerEgCommands } from './commands/eg.ts';
import { registerAuditCommands, registerTallyCommand } from './commands/audit.ts';
import { registerBiometricCommands, registerFaceCommands } from './commands/face.ts';
import { registerIntelCommands } from './commands/intel.ts';
import { registerOfficialsCommands } from './commands/officials.ts';
import { registerVoterCommands } from './commands/voters.ts';
import { registerDemoCommand } from './commands/demo.ts';

/**
 * Builds the `vigil` program. Each pillar registers its own command group from its own
 * file, so the commands stay thin wrappers over the libraries.
 */
export function buildProgram(): Command {
  const program = new Command('vigil')
    .description(
      'Vigil: election identity, verifiable ballots and shared intelligence on one ledger',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');
  registerStartCommand(program);
  registerElectionCommands(program);
  const ledger = registerLedgerCommands(program);
  registerStoredLedgerCommands(ledger);
  registerWitnessCommands(ledger);
  registerFingerprintCommands(program);
  registerFingerprintSynthCommands(program);
  registerEgCommands(program);
  registerAuditCommands(program);
  registerTallyCommand(program);
  registerFaceCommands(program);
  registerBiometricCommands(program);
  registerIntelCommands(program);
  registerOfficialsCommands(program);
  registerVoterCommands(program);
  registerDemoCommand(program);
  return program;
}

/** Runs the program and returns the process exit code (0 on success). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`vigil: ${message}\n`);
    return 1;
  }
}
