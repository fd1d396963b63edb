import type { Command } from 'commander';

// Placeholder: filled in by the election work.
export function registerElectionCommands(_program: Command): void {
  // nothing yet
}
