import { ensureWebBuild } from './web-build.ts';

/**
 * Vitest global setup: builds the web UI once (only when its sources are newer than the
 * build), before any browser test file runs, so parallel files never race to build it.
 */
export default function setup(): void {
  ensureWebBuild();
}
