import type { VigilError } from '@vigil/core';

/**
 * Shared by the commands that report an expected failure themselves (rather than
 * throwing to main()): the message, then its hint on the next line, exit code 1.
 */
export function reportFailure(error: VigilError, file?: string): void {
  process.exitCode = 1;
  const where = file === undefined ? '' : `${file}: `;
  process.stderr.write(`${where}${error.message}\n`);
  if (error.hint !== undefined) process.stderr.write(`  ${error.hint}\n`);
}

/** A file-system error as a short phrase a person can act on. */
export function describeFileError(e: unknown): string {
  if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return 'no such file or folder.';
  return e instanceof Error ? e.message : String(e);
}
