import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleElectionPath, type Election } from '@vigil/core';
import { startServer, type RunningServer } from '@vigil/server';
import { webDistDir } from '../src/index.ts';

/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) against the
 * real server and a real SQLite store, and `vigil start` as `npm start` runs it.
 */

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const webRoot = dirname(webDistDir);
const onCi = (process.env.CI ?? '') !== '';
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && !onCi) {
  console.warn(
    `Skipping the browser tests: ${CHROMIUM} is missing. Install Debian's chromium ` +
      'package (apt-get install chromium) to run them; on CI (CI set) they fail instead.',
  );
}

const sample = JSON.parse(readFileSync(sampleElectionPath, 'utf8')) as Election;

/** The newest modification time of the UI's sources, to tell whether dist is stale. */
function newestSourceTime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    stat.mtimeMs,
    ...readdirSync(path).map((name) => newestSourceTime(join(path, name))),
  );
}

/** Builds the UI when dist is missing or older than its sources, as `npm ci` would. */
function ensureWebBuild(): void {
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

describe.skipIf(!haveChromium && !onCi)('the web UI in Chromium', () => {
  let dir: string | undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) {
      throw new Error(
        `CI is set but ${CHROMIUM} is missing: install Debian's chromium package on the ` +
          'CI image (apt-get install chromium); the browser tests must not be skipped on CI.',
      );
    }
    ensureWebBuild();
    dir = await mkdtemp(join(tmpdir(), 'vigil-browser-test-'));
    // As `vigil start` does: an empty store gets the sample election.
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: join(dir, 'data'),
      logger: false,
      handleSignals: false,
      // The election page needs no demo voters (their enrolment would only load the CPU).
      demoVoters: 0,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // A script blocked by the Content-Security-Policy or a render error shows up here.
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('shows the sample election: title, contests, precincts and ballot styles', async () => {
    const url = server?.url ?? '';
    const response = await page.goto(`${url}/`);
    expect(response?.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    await page.getByRole('heading', { level: 1, name: sample.title, exact: true }).waitFor();
    await expect(page.title()).resolves.toBe('Election · Vigil');
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').count()).toBe(6);

    for (const contest of sample.contests) {
      const heading = page.getByRole('heading', { level: 3, name: contest.title, exact: true });
      expect(await heading.count(), `contest "${contest.title}"`).toBeGreaterThanOrEqual(1);
    }

    const precinctTable = page.getByRole('table', { name: /precincts/i });
    for (const precinct of sample.precincts) {
      const header = precinctTable.getByRole('rowheader', { name: precinct.name, exact: true });
      expect(await header.count(), `precinct "${precinct.name}"`).toBe(1);
      if ('splits' in precinct) {
        for (const split of precinct.splits) {
          const cell = precinctTable.getByRole('cell', { name: split.name, exact: true });
          expect(await cell.count(), `split "${split.name}"`).toBe(1);
        }
      }
    }

    const styleTable = page.getByRole('table', { name: /ballot styles/i });
    expect(await styleTable.getByRole('row').count()).toBe(sample.ballotStyles.length + 1);
    for (const style of sample.ballotStyles) {
      const header = styleTable.getByRole('rowheader', { name: style.id, exact: true });
      expect(await header.count(), `ballot style "${style.id}"`).toBe(1);
    }

    const hash = await page.locator('code.hash').textContent();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);

    const screenshotDir = process.env.VIGIL_SCREENSHOT_DIR ?? join(tmpdir(), 'vigil-screenshots');
    await mkdir(screenshotDir, { recursive: true });
    const screenshot = join(screenshotDir, 'election.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(existsSync(screenshot)).toBe(true);
    console.info(`browser test: screenshot of the election page saved to ${screenshot}`);

    expect(pageErrors).toEqual([]);
  });

  it('navigates to the polling station in place, and keyboard focus is visible', async () => {
    await page.getByRole('link', { name: /Polling station/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Polling station' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/polling-station');
    // A station screen: officials sign in with the device's station token.
    const signIn = page.getByRole('form', { name: 'Sign in' });
    for (const field of ['Official id', 'Password', 'Station token']) {
      expect(await signIn.getByLabel(field).count(), field).toBe(1);
    }
    expect(
      await page.getByRole('link', { name: /Polling station/ }).getAttribute('aria-current'),
    ).toBe('page');

    // A reload of an app path is served index.html by the server's SPA fallback.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Polling station' }).waitFor();

    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => {
      const active = document.activeElement;
      return active === null ? 'none' : getComputedStyle(active).outlineStyle;
    });
    expect(outline).not.toBe('none');
    expect(pageErrors).toEqual([]);
  });
});

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
}

describe('vigil start (what `npm start` runs)', () => {
  it('serves /healthz, then stops cleanly with exit code 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-start-test-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_DATA_DIR: join(dir, 'data') };
    delete env.VIGIL_DATABASE_URL;
    delete env.PORT;
    const child = spawn(
      process.execPath,
      ['packages/cli/bin/vigil.js', 'start', '--port', String(port)],
      { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = exitOf(child);

    try {
      const deadline = Date.now() + 30_000;
      let health: unknown;
      while (Date.now() < deadline && child.exitCode === null) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/healthz`);
          if (response.status === 200) {
            health = await response.json();
            break;
          }
        } catch {
          // Not listening yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(health, `no healthy answer within 30 s; stderr:\n${stderr}`).toEqual({
        status: 'ok',
        store: 'sqlite',
        elections: 1,
      });
      expect(stderr).toContain(`Vigil is listening on http://127.0.0.1:${port}`);

      child.kill('SIGTERM');
      const { code, signal } = await exited;
      expect({ code, signal }, `stderr:\n${stderr}`).toEqual({ code: 0, signal: null });
      // Every log line is JSON, and the stop was logged.
      const lines = stdout.trim().split('\n');
      const messages = lines.map((line) => (JSON.parse(line) as { msg?: string }).msg);
      expect(messages).toContain('received signal: stopping gracefully');
      expect(messages).toContain('server stopped; store closed');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
