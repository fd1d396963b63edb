import jsqr from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeCredential } from '../src/credential-text.ts';
import {
  describeInBrowser,
  launchBrowser,
  newPage,
  screenshot,
  seriousAccessibilityViolations,
  signInThroughUi,
  startDemoServer,
  type DemoServer,
} from './harness.ts';

/**
 * The polling station in Chromium against a demo server (5 synthetic voters: demo-0001
 * and demo-0002 vote at the demo station's precinct p-101, demo-0003 at p-102): a
 * check-in whose fingerprint matches and ends with a credential QR code and slip text;
 * a voter tried with another voter's finger three times, then checked in by a
 * supervisor's override; and a voter sent to their own polling place.
 */

const ENROLMENT_WAIT_MS = 120_000;

// jsQR is CommonJS (module.exports = jsQR) with typings that declare a default export, so
// under NodeNext the default import is typed as the module: take its function either way.
type DecodeQr = typeof jsqr.default;
const jsQR: DecodeQr = typeof jsqr === 'function' ? jsqr : jsqr.default;

describeInBrowser('the polling station', () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let stationToken: string;

  beforeAll(async () => {
    demo = await startDemoServer({ demoVoters: 5 });
    browser = await launchBrowser();
    ({ page, errors } = await newPage(browser));
    stationToken = demo.credentials.stations[0]!.token;
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await demo.close();
  });

  /**
   * Page errors, less Chromium's console line for each refusal the test provokes on
   * purpose (422 no match, 409 wrong polling place): those are answers, not failures.
   */
  const unexpectedErrors = () =>
    errors.filter(
      (e) => !/^Failed to load resource: the server responded with a status of (409|422)/.test(e),
    );

  const expectAccessible = async (screen: string) => {
    expect(await seriousAccessibilityViolations(page), screen).toEqual([]);
  };

  /** Searches by voter id and opens the voter's record. */
  const openVoter = async (voterId: string) => {
    const search = page.getByRole('form', { name: 'Find the voter' });
    await search.getByRole('radio', { name: 'Voter id' }).check();
    await search.getByRole('textbox', { name: 'Voter id' }).fill(voterId);
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: new RegExp(voterId) }).click();
  };

  /** Waits until the demo scanner lists `voterId` as enrolled (enrolment runs in the background). */
  const waitForEnrolment = async (voterId: string) => {
    const started = Date.now();
    await page
      .getByRole('option', { name: new RegExp(`\\(${voterId}\\) — this voter$`) })
      .waitFor({ state: 'attached', timeout: ENROLMENT_WAIT_MS });
    console.info(
      `station browser test: waited ${Date.now() - started} ms for ${voterId}'s enrolment`,
    );
  };

  /** Scans with the demo scanner and submits the check-in. */
  const scanAndCheckIn = async () => {
    await page.getByRole('button', { name: /^Scan finger/ }).click();
    await page.getByRole('img', { name: /^Captured fingerprint/ }).waitFor();
    await page.getByRole('button', { name: 'Check in with this fingerprint' }).click();
  };

  /** The credential on the slip: its text decodes, and its QR code holds the same text. */
  const readCredential = async () => {
    await page.getByRole('heading', { name: 'Checked in' }).waitFor();
    const text = (await page.getByTestId('credential-text').textContent()) ?? '';
    const decoded = decodeCredential(text);
    expect(decoded.ok, text).toBe(true);
    const qr = page.getByRole('img', { name: 'QR code of the one-time ballot credential' });
    await qr.waitFor();
    const pixels = await qr.evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(img, 0, 0);
      const data = context.getImageData(0, 0, canvas.width, canvas.height);
      return { width: data.width, height: data.height, rgba: Array.from(data.data) };
    });
    const code = jsQR(Uint8ClampedArray.from(pixels.rgba), pixels.width, pixels.height);
    expect(code?.data).toBe(text);
    return { text, credential: decoded.ok ? decoded.value : undefined };
  };

  /** The ballot box accepts the credential once: the blind signature verifies. */
  const spend = async (
    credential: NonNullable<Awaited<ReturnType<typeof readCredential>>['credential']>,
  ) => {
    const response = await fetch(`${demo.url}/api/ballot-box/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'vigil-station-token': stationToken },
      body: JSON.stringify({ ballotStyleId: credential.ballotStyleId, credential }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
  };

  it(
    'checks a voter in whose fingerprint matches, and hands over a credential as QR code and slip',
    async () => {
      await page.goto(`${demo.url}/polling-station`);
      await page.getByRole('heading', { level: 1, name: 'Polling station' }).waitFor();
      await expectAccessible('sign-in');
      await signInThroughUi(page, demo.official('demo-poll-worker'), stationToken);

      await page.getByRole('heading', { name: 'Find the voter' }).waitFor();
      await expectAccessible('search');
      await openVoter('demo-0001');
      await page.getByRole('group', { name: 'Demo fingerprint scanner' }).waitFor();
      await waitForEnrolment('demo-0001');
      await scanAndCheckIn();

      const { credential } = await readCredential();
      expect(credential?.ballotStyleId).toBe('bs-1');
      expect(await page.getByText('Fingerprint matched').count()).toBe(1);
      await expectAccessible('credential');
      const saved = await screenshot(page, 'polling-station');
      console.info(`station browser test: screenshot saved to ${saved}`);
      await spend(credential!);

      // Printing shows the slip alone.
      await page.emulateMedia({ media: 'print' });
      const visibility = await page.evaluate(() => ({
        heading: getComputedStyle(document.querySelector('h1')!).visibility,
        slip: getComputedStyle(document.querySelector('.credential-slip code')!).visibility,
      }));
      expect(visibility).toEqual({ heading: 'hidden', slip: 'visible' });
      await page.emulateMedia({ media: 'screen' });

      // Next voter: the credential is gone from the screen.
      await page.getByRole('button', { name: 'Next voter' }).click();
      await page.getByRole('heading', { name: 'Find the voter' }).waitFor();
      expect(await page.getByTestId('credential-text').count()).toBe(0);
      expect(errors).toEqual([]);
    },
    ENROLMENT_WAIT_MS + 60_000,
  );

  it(
    "refuses another voter's finger three times, then checks the voter in by a supervisor's override",
    async () => {
      // Found by the (synthetic) ID card's barcode this time.
      const search = page.getByRole('form', { name: 'Find the voter' });
      await search.getByRole('radio', { name: 'ID card barcode' }).check();
      await search.getByLabel('Demo ID card (synthetic)').selectOption({ value: 'demo-0002' });
      expect(
        await search.getByRole('textbox', { name: 'ID card barcode text' }).inputValue(),
      ).toMatch(/^@/);
      await search.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('button', { name: /demo-0002/ }).click();
      await waitForEnrolment('demo-0002');

      // The impostor: demo-0003's right index finger.
      await page.getByLabel('Whose finger').selectOption({ value: 'demo-0003' });
      for (const left of [2, 1, 0]) {
        await scanAndCheckIn();
        await page
          .getByRole('alert')
          .getByText(`${left} attempt${left === 1 ? '' : 's'} left`, { exact: false })
          .waitFor();
      }
      const override = page.getByRole('form', { name: 'Supervised override' });
      await override.waitFor();
      expect(
        await page.getByRole('button', { name: 'Check in with this fingerprint' }).isDisabled(),
      ).toBe(true);
      await expectAccessible('override');
      await screenshot(page, 'polling-station-override');

      const supervisor = demo.official('demo-supervisor');
      await override.getByLabel("The voter's ID document was checked").check();
      await override.getByLabel("Supervisor's official id").fill(supervisor.officialId);
      await override.getByLabel("Supervisor's password").fill(supervisor.password);
      await override.getByRole('button', { name: 'Approve the override and check in' }).click();

      const { credential } = await readCredential();
      expect(await page.getByText('Checked in by supervised override.').count()).toBe(1);
      await spend(credential!);
      await page.getByRole('button', { name: 'Next voter' }).click();
      expect(unexpectedErrors()).toEqual([]);
    },
    ENROLMENT_WAIT_MS + 60_000,
  );

  it('sends a voter of another precinct to their own polling place', async () => {
    await page.getByRole('heading', { name: 'Find the voter' }).waitFor();
    await openVoter('demo-0003');
    await page.getByText(/not at this polling place/).waitFor();
    // No camera in this browser: the face photo is skipped, and the check-in goes on.
    await page.getByRole('button', { name: 'Start the camera' }).click();
    await page.getByText(/Continue with the fingerprint alone/).waitFor();
    await scanAndCheckIn();
    const alert = page.getByRole('alert').filter({ hasText: 'Wrong polling place' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Send .+ to Benton Square \(precinct p-102\)/);
    expect(unexpectedErrors()).toEqual([]);
  });
});
