import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { startServer, type RunningServer, type StartServerOptions } from '@vigil/server';
export { ensureWebBuild, repoRoot } from './web-build.ts';

/**
 * What every browser test shares: Debian's Chromium through playwright-core, the built
 * UI, a real server on a throwaway SQLite folder seeded as `npm start` seeds it, the demo
 * sign-ins it wrote, an accessibility check (axe-core) and screenshots.
 */

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const onCi = (process.env.CI ?? '') !== '';
export const haveChromium = existsSync(CHROMIUM);

/**
 * `describe` for browser tests: skipped with a message where Chromium is missing, but on
 * CI (CI set) a missing Chromium fails instead, so the browser tests cannot silently vanish.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (!haveChromium && !onCi) {
    console.warn(
      `Skipping "${name}": ${CHROMIUM} is missing. Install Debian's chromium package ` +
        '(apt-get install chromium) to run it; on CI (CI set) it fails instead.',
    );
  }
  describe.skipIf(!haveChromium && !onCi)(name, body);
}

/** A sign-in from the demo credentials file. */
export interface DemoSignIn {
  readonly officialId: string;
  readonly role: string;
  readonly password: string;
}

export interface DemoCredentialsFile {
  readonly stations: readonly { stationId: string; pollingPlace: string; token: string }[];
  readonly officials: readonly DemoSignIn[];
  /** Every `key: value` line under each heading, for sign-ins other helpers add. */
  readonly sections: readonly { heading: string; values: Readonly<Record<string, string>> }[];
}

/** Reads `demo-credentials.txt` (see packages/server/src/auth/demo.ts for its layout). */
export function parseDemoCredentials(text: string): DemoCredentialsFile {
  const sections: { heading: string; values: Record<string, string> }[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (!line.startsWith(' ')) sections.push({ heading: line.trim(), values: {} });
    else {
      const match = /^\s+([^:]+):\s*(.*)$/.exec(line);
      const section = sections.at(-1);
      if (match !== null && section !== undefined) section.values[match[1]!] = match[2]!;
    }
  }
  const stations = sections.flatMap((s) => {
    const m = /^station (\S+) \(polling place (\S+)\)/.exec(s.heading);
    return m === null || s.values.token === undefined
      ? []
      : [{ stationId: m[1]!, pollingPlace: m[2]!, token: s.values.token }];
  });
  const officials = sections.flatMap((s) => {
    const m = /^official (\S+) \((\w+)/.exec(s.heading);
    return m === null || s.values.password === undefined
      ? []
      : [{ officialId: m[1]!, role: m[2]!, password: s.values.password }];
  });
  return { stations, officials, sections };
}

export interface DemoServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly dataDir: string;
  readonly credentials: DemoCredentialsFile;
  /** The demo sign-in of an official id, or a failed expectation naming what exists. */
  official(officialId: string): DemoSignIn;
  close(): Promise<void>;
}

/** A server on a fresh data folder, seeded exactly as `npm start` seeds it. */
export async function startDemoServer(
  options: Partial<StartServerOptions> = {},
): Promise<DemoServer> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-browser-'));
  const dataDir = join(dir, 'data');
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logger: false,
    handleSignals: false,
    ...options,
  });
  const text = await readFile(join(dataDir, 'demo-credentials.txt'), 'utf8');
  const credentials = parseDemoCredentials(text);
  return {
    server,
    url: server.url,
    dataDir,
    credentials,
    official(officialId) {
      const found = credentials.officials.find((o) => o.officialId === officialId);
      expect(
        found,
        `demo official ${officialId}; the file has ${credentials.officials.map((o) => o.officialId).join(', ')}`,
      ).toBeDefined();
      return found!;
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!haveChromium) {
    throw new Error(
      `CI is set but ${CHROMIUM} is missing: install Debian's chromium package on the ` +
        'CI image (apt-get install chromium); the browser tests must not be skipped on CI.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A page in its own context (its own sessionStorage: one official's browser). */
export async function newPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  // A script blocked by the Content-Security-Policy or a render error shows up here.
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { context, page, errors };
}

/**
 * Signs in through the UI's sign-in form (packages/web/src/session.tsx) on the current
 * page; with `stationToken`, as a station.
 */
export async function signInThroughUi(
  page: Page,
  who: { officialId: string; password: string },
  stationToken?: string,
): Promise<void> {
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Official id').fill(who.officialId);
  await form.getByLabel('Password').fill(who.password);
  if (stationToken !== undefined) await form.getByLabel('Station token').fill(stationToken);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(/^Signed in as/).waitFor();
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on the page as it stands and returns the
 * serious and critical violations; a test expects the list to be empty.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, not an inline <script>: the server's
  // Content-Security-Policy (script-src 'self') rightly blocks inline scripts, and this
  // way the page is checked exactly as served.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe;
    const result = (await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })) as {
      violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Saves a full-page screenshot in VIGIL_SCREENSHOT_DIR (default: a temp folder). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.VIGIL_SCREENSHOT_DIR ?? join(tmpdir(), 'vigil-screenshots');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
