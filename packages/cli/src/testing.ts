import { execFile, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { vi } from 'vitest';

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

/** Runs `vigil` with `args` and waits for it, for tests written step by step. */
export function runVigilSync(
  args: readonly string[],
  options: { timeoutMs?: number } = {},
): VigilRun {
  const run = spawnSync(process.execPath, [vigilBin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error !== undefined) throw run.error;
  return { code: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
}

/**
 * Runs commands in this process, on a program of their own, capturing what they write:
 * for commands whose models or tables are slow to load, so a test file loads them once.
 */
export async function runInProcess(
  register: (program: Command) => void,
  args: readonly string[],
): Promise<VigilRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const errs = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
  try {
    const program = new Command('vigil').exitOverride();
    register(program);
    process.exitCode = undefined;
    await program.parseAsync(['node', 'vigil', ...args]);
    const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    errs.mockRestore();
    process.exitCode = undefined;
  }
}
