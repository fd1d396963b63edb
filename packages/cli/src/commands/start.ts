import type { Command } from 'commander';

// Placeholder: filled in by the start work.
export function registerStartCommand(_program: Command): void {
  // nothing yet
}
