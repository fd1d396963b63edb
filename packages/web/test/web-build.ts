import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webDistDir } from '../src/index.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const webRoot = dirname(webDistDir);

function newestSourceTime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    stat.mtimeMs,
    ...readdirSync(path).map((name) => newestSourceTime(join(path, name))),
  );
}

/** Builds the UI when dist is missing or older than its sources, as `npm ci` would. */
export function ensureWebBuild(): void {
  const builtIndex = join(webDistDir, 'index.html');
  const sources = ['src', 'index.html', 'vite.config.ts'].map((p) => join(webRoot, p));
  const stale =
    !existsSync(builtIndex) ||
    statSync(builtIndex).mtimeMs < Math.max(...sources.map(newestSourceTime));
  if (stale) {
    // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
    execFileSync('npm', ['run', 'build', '-w', '@vigil/web'], {
      cwd: repoRoot,
      env,
      stdio: 'pipe',
    });
  }
}
