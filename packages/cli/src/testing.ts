import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs the real `vigil` command in tests, as a person runs it: `node
 * packages/cli/bin/vigil.js …` from the repository root, so the bin script, the tsx
 * loader, commander and exit codes are all exercised.
 */

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const vigilBin = join(repoRoot, 'packages/cli/bin/vigil.js');

export interface VigilRun {
  /** The exit code (1 when the process ended for any other reason). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `vigil` with `args`; `env` entries are added to this process's environment. */
export function runVigil(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<VigilRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [vigilBin, ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        done({ code, stdout, stderr });
      },
    );
  });
}
