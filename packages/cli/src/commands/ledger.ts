import type { Command } from 'commander';

// Placeholder: filled in by the ledger work.
export function registerLedgerCommands(_program: Command): void {
  // nothing yet
}
