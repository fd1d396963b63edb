import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeInBrowser,
  launchBrowser,
  newPage,
  screenshot,
  startDemoServer,
  type DemoServer,
  seriousAccessibilityViolations,
} from './harness.ts';

/**
 * The intelligence console in Chromium against the demo hub `npm start` seeds: the
 * state's analyst posts a TLP:AMBER report about Franklin County for Franklin County;
 * Franklin's clerk, in another browser, gets the alert live; Hamilton's clerk, who
 * follows the whole state but is not in the AMBER audience, gets nothing and cannot read
 * it; then a tear-line releases a GREEN version that Hamilton's clerk can read.
 */

interface IntelSignIn {
  readonly userId: string;
  readonly password: string;
}

describeInBrowser('the intelligence console', () => {
  let demo: DemoServer;
  let browser: Browser;
  const errors: string[][] = [];

  beforeAll(async () => {
    demo = await startDemoServer({ demoVoters: 0 });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await demo.close();
  });

  const intelUser = (userId: string): IntelSignIn => {
    const section = demo.credentials.sections.find((s) =>
      s.heading.startsWith(`intel user ${userId} `),
    );
    const password = section?.values.password;
    expect(
      password,
      `intel user ${userId} in demo-credentials.txt; headings: ${demo.credentials.sections.map((s) => s.heading).join(' | ')}`,
    ).toBeDefined();
    return { userId, password: password ?? '' };
  };

  const openConsole = async (who: IntelSignIn): Promise<Page> => {
    const { page, errors: pageErrors } = await newPage(browser);
    errors.push(pageErrors);
    await page.goto(`${demo.url}/intelligence`);
    const form = page.getByRole('form', { name: 'Sign in to the intelligence hub' });
    await form.getByLabel('User id').fill(who.userId);
    await form.getByLabel('Password').fill(who.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(/^Signed in as/).waitFor();
    return page;
  };

  const expectAccessible = async (page: Page, screen: string) => {
    expect(await seriousAccessibilityViolations(page), screen).toEqual([]);
  };

  it('posts an AMBER report: the county named gets the alert live, a clerk outside the audience does not', async () => {
    const title = 'Texts announce closed polling places in Franklin County';
    const poster = await openConsole(intelUser('ohio-analyst'));
    const franklin = await openConsole(intelUser('franklin-clerk'));
    const hamilton = await openConsole(intelUser('hamilton-clerk'));
    expect(await poster.getByText('Ohio Secretary of State').count()).toBeGreaterThan(0);
    expect(await franklin.getByText('Franklin County Board of Elections').count()).toBeGreaterThan(
      0,
    );

    // Both clerks watch their inbox live.
    for (const page of [franklin, hamilton]) {
      await page.getByRole('tab', { name: /^Alerts/ }).click();
      await page.getByText('Listening live').waitFor();
    }
    await expectAccessible(franklin, 'alerts inbox');

    // The feed: the demo's CLEAR indicator and GREEN report, with their markings.
    await poster.getByRole('heading', { name: /Phishing domain impersonating/ }).waitFor();
    expect(await poster.getByText('TLP:CLEAR').count()).toBeGreaterThan(0);
    await expectAccessible(poster, 'feed');

    await poster.getByRole('tab', { name: 'Post' }).click();
    const form = poster.getByRole('form', { name: 'Post an indicator or a report' });
    await form.getByLabel('Title').fill(title);
    await form
      .getByLabel('Description')
      .fill('Messages tell voters of precinct p-101 that their polling place moved.');
    await form.getByRole('radio', { name: /^TLP:AMBER \(/ }).check();
    await form
      .getByRole('checkbox', { name: 'Franklin County Board of Elections', exact: true })
      .check();
    await form.getByLabel('Jurisdiction concerned').selectOption('franklin');
    // The hub says beforehand who may read it and whom it alerts.
    const audience = poster.locator('.audience');
    await audience
      .getByText(/Alerted: .*Franklin County Board of Elections \(1 person\)/)
      .waitFor();
    expect(await audience.textContent()).not.toContain('Hamilton');
    await expectAccessible(poster, 'post form');
    await form.getByRole('button', { name: 'Post the report' }).click();
    await poster.getByText(/^Posted: 3 objects stored/).waitFor();

    // Live, without reloading: the alert reaches Franklin's clerk.
    await franklin.getByRole('heading', { name: title }).waitFor({ timeout: 15_000 });
    expect(await franklin.getByRole('tab', { name: 'Alerts (1 new)' }).count()).toBe(1);
    await screenshot(franklin, 'intelligence');

    // Hamilton's clerk follows all of Ohio, but TLP:AMBER for Franklin keeps it from them.
    await poster.waitForTimeout(1000);
    expect(await hamilton.getByRole('heading', { name: title }).count()).toBe(0);
    expect(await hamilton.getByText('No alert yet.').count()).toBe(1);
    await hamilton.getByRole('tab', { name: 'Feed' }).click();
    await hamilton.getByRole('heading', { name: /Phishing domain impersonating/ }).waitFor();
    expect(await hamilton.getByRole('heading', { name: title }).count()).toBe(0);

    // A tear-line: a GREEN version without the description reaches the state's community.
    await poster.getByRole('tab', { name: 'Tear-lines' }).click();
    const tear = poster.getByRole('form', { name: 'Publish a tear-line' });
    await tear.getByLabel('Original').selectOption({ label: `TLP:AMBER · report · ${title}` });
    await tear.getByLabel('Release at').selectOption('green');
    await tear.getByRole('checkbox', { name: 'description' }).check();
    await tear
      .getByLabel('Releasable title (optional)')
      .fill('Texts announce closed polling places');
    await expectAccessible(poster, 'tear-line form');
    await tear.getByRole('button', { name: 'Publish at TLP:GREEN' }).click();
    await poster.getByText(/^Published the releasable version/).waitFor();
    await hamilton.getByRole('button', { name: 'Refresh' }).click();
    await hamilton
      .getByRole('heading', { name: 'Texts announce closed polling places', exact: true })
      .waitFor();
    expect(await hamilton.getByText(/polling place moved/).count()).toBe(0);

    // Sightings from operations: the demo's burst of failed matches in Franklin County.
    await franklin.getByRole('tab', { name: 'Sightings' }).click();
    await franklin.getByRole('rowheader', { name: /Burst of failed biometric matches/ }).waitFor();
    await expectAccessible(franklin, 'sightings');

    // The partner's analyst reads the CLEAR indicator, not the state's AMBER report.
    const partner = await openConsole(intelUser('partner-analyst'));
    await partner.getByRole('heading', { name: /Phishing domain impersonating/ }).waitFor();
    expect(await partner.getByRole('heading', { name: title }).count()).toBe(0);

    expect(errors.flat()).toEqual([]);
  }, 90_000);

  it('refuses a wrong password with a message, and the sign-in form is accessible', async () => {
    const { page } = await newPage(browser);
    await page.goto(`${demo.url}/intelligence`);
    const form = page.getByRole('form', { name: 'Sign in to the intelligence hub' });
    await form.getByLabel('User id').fill('ohio-analyst');
    await form.getByLabel('Password').fill('not-the-password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .getByText(/were not accepted/)
      .waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(existsSync(demo.dataDir)).toBe(true);
  });
});
