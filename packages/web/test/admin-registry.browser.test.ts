import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeInBrowser,
  launchBrowser,
  newPage,
  screenshot,
  signInThroughUi,
  startDemoServer,
  type DemoServer,
  seriousAccessibilityViolations,
} from './harness.ts';

/**
 * The registry side of Administration in Chromium, on the server `npm start` runs: a
 * registrar imports a roll file with a mistake (shown row by row, nothing stored), then
 * the corrected file, follows enrolment by precinct, decides a suspected duplicate with
 * the two records side by side, and an administrator reads the dashboards of turnout and
 * station activity.
 */

const HEADER =
  'voter_id,given_name,family_name,birth_date,address_line1,city,state,postal_code,precinct_id';
const GOOD = [
  HEADER,
  'R-1,Ada,Byron,1975-12-10,1 Elm St,Millbrook,OH,43001,p-101',
  'R-2,Ada,Byron,1975-12-10,1 Elm Street,Millbrook,OH,43001,p-101',
  'R-3,Alan,Turing,1985-06-23,3 Oak St,Millbrook,OH,43002,p-102',
  'R-4,Grace,Hopper,1990-01-01,4 Pine St,Millbrook,OH,43003,p-104',
];
// Row 3 (the file's third line) has a date of birth that is not a date.
const BAD = [
  ...GOOD.slice(0, 2),
  'R-2,Ada,Byron,1975-13-45,1 Elm Street,Millbrook,OH,43001,p-101',
  ...GOOD.slice(3),
];

describeInBrowser('administration: roll, de-duplication and dashboards', () => {
  let demo: DemoServer;
  let browser: Browser;
  const errors: string[][] = [];

  beforeAll(async () => {
    // The demo's synthetic voters are left out: this file imports its own roll, and
    // enrolling 200 voters' fingerprints would only load the CPU during the test.
    demo = await startDemoServer({ demoVoters: 0 });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await demo.close();
  });

  const open = async (hash: string, officialId: string): Promise<Page> => {
    const { page, errors: pageErrors } = await newPage(browser);
    errors.push(pageErrors);
    await page.goto(`${demo.url}/administration#${hash}`);
    await signInThroughUi(page, demo.official(officialId));
    return page;
  };

  // The refused import answers 422 on purpose; the browser logs every failed request.
  const unexpected = () =>
    errors.flat().filter((e) => !e.includes('the server responded with a status of 422'));

  const expectAccessible = async (page: Page, screen: string) => {
    expect(await seriousAccessibilityViolations(page), screen).toEqual([]);
  };

  const importFile = async (page: Page, lines: string[]) => {
    const form = page.getByRole('form', { name: 'Import the roll' });
    await form.getByLabel('Roll file').setInputFiles({
      name: 'roll.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${lines.join('\n')}\n`),
    });
    await form.getByRole('button', { name: 'Import the roll' }).click();
  };

  it('imports the roll (row errors first), follows enrolment and decides a duplicate', async () => {
    const page = await open('roll', 'demo-registrar');
    await page.getByRole('heading', { name: 'Import the roll' }).waitFor();

    await importFile(page, BAD);
    const problems = page.getByRole('table', { name: /problems? in the file, by row/ });
    await problems.waitFor();
    const row = problems
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: '3' }) });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toMatch(/birth_date.*1975-13-45/);
    await expectAccessible(page, 'roll import with row errors');

    await importFile(page, GOOD);
    await page.getByText(/^Imported 4 rows: 4 voters registered/).waitFor();
    const enrolment = page.getByRole('table', { name: /Voters with enrolled fingerprints/ });
    await enrolment.getByRole('rowheader', { name: /Ashford/ }).waitFor();
    expect(await enrolment.getByRole('row').filter({ hasText: 'Ashford' }).textContent()).toMatch(
      /Ashford \(p-101\)202 0%0/,
    );
    const voters = page.getByRole('table', { name: 'Voters on the roll, by voter id' });
    await voters.getByRole('rowheader', { name: 'R-4' }).waitFor();
    await page
      .getByRole('search', { name: 'Search voters' })
      .getByLabel('Name or voter id')
      .fill('Turing');
    await page
      .getByRole('search', { name: 'Search voters' })
      .getByRole('button', { name: 'Search' })
      .click();
    await page
      .getByRole('table', { name: 'Voters matching "Turing"' })
      .getByRole('rowheader', { name: 'R-3' })
      .waitFor();
    await expectAccessible(page, 'roll and enrolment');

    // A suspected duplicate as enrolment queues one (fingerprint scores of two fingers).
    await demo.server.store.addDuplicateReviews(
      [
        {
          reviewId: 'review-r2-r1',
          voterId: 'R-2',
          candidateVoterId: 'R-1',
          score: 142.5,
          fusedFmr: 1.2e-9,
          fingerScores: [
            { position: 2, score: 71.3 },
            { position: 7, score: 71.2 },
          ],
          status: 'pending',
          createdAt: new Date(),
        },
      ],
      [],
    );
    await page.getByRole('tab', { name: 'De-duplication' }).click();
    const review = page.getByRole('article', { name: 'R-2 may be R-1' });
    await review.waitFor();
    const sideBySide = review.getByRole('table', { name: 'The two records side by side' });
    await sideBySide.getByRole('cell', { name: '1 Elm Street, Millbrook, OH, 43001' }).waitFor();
    expect(
      await sideBySide.getByRole('cell', { name: '1 Elm St, Millbrook, OH, 43001' }).count(),
    ).toBe(1);
    expect(await review.getByText('142.5').count()).toBe(1);
    await expectAccessible(page, 'review queue');
    await review.getByRole('radio', { name: 'Same person: block R-2' }).check();
    await review
      .getByLabel('Reason')
      .fill('Same name, date of birth and house; the clerk confirmed one registration moved.');
    await review.getByRole('button', { name: 'Record the decision' }).click();
    await page.getByText(/^Decided: R-2 and R-1 are the same person/).waitFor();
    await page.getByText('No suspected duplicate is waiting for a decision.').waitFor();
    expect((await demo.server.store.getVoter('R-2'))?.blockedAsDuplicateOf).toBe('R-1');
    expect(unexpected()).toEqual([]);
  }, 60_000);

  it('shows turnout by hour and precinct, and failures and overrides by station', async () => {
    const [election] = await demo.server.store.listElections();
    const electionId = election?.electionId ?? '';
    const checkIn = async (voterId: string, stationId: string, at: string, override: boolean) => {
      await demo.server.store.recordCheckInAttempt({
        electionId,
        voterId,
        attemptNo: 1,
        stationId,
        officialId: 'demo-poll-worker',
        outcome: override ? 'no-match' : 'match',
        score: override ? 4 : 90,
        attemptedAt: new Date(at),
      });
      await demo.server.store.lockVoterParticipation({
        electionId,
        voterId,
        checkInId: `checkin-${voterId}`,
        stationId,
        officialId: 'demo-poll-worker',
        method: override ? 'override' : 'biometric',
        ...(override ? { supervisorId: 'demo-supervisor', overrideReason: 'worn fingers' } : {}),
        ballotStyleId: 'bs-1',
        checkedInAt: new Date(at),
        credentialIssued: true,
      });
    };
    await checkIn('R-1', 'demo-station-1', '2026-11-03T13:10:00.000Z', false);
    await checkIn('R-3', 'demo-station-1', '2026-11-03T13:40:00.000Z', true);
    await checkIn('R-4', 'station-dunmore', '2026-11-03T15:05:00.000Z', false);

    const page = await open('dashboards', 'demo-administrator');
    await page.getByText(/3 of 4 registered voters have checked in \(75%\)/).waitFor();
    const hourly = page.getByRole('figure', { name: 'Check-ins by hour (UTC)' });
    expect(await hourly.getByRole('img').getAttribute('aria-label')).toContain(
      '3 check-ins over 2 hours',
    );
    await hourly.getByText(/the figures as a table/).click();
    const hours = hourly.getByRole('table');
    expect(await hours.getByRole('row').count()).toBe(3);
    expect(await hours.getByRole('row').nth(1).textContent()).toBe('Nov 3, 13:0021');

    const stations = page.getByRole('figure', { name: 'Failed matches and overrides by station' });
    await stations.getByText(/the figures as a table/).click();
    const row = stations.getByRole('row').filter({ hasText: 'demo-station-1' });
    // Failed matches 1, overrides 1, check-ins 2, attempts 2, failure rate 50%.
    expect(await row.textContent()).toBe('demo-station-1112250%');
    const precincts = page.getByRole('figure', { name: 'Turnout by precinct' });
    await precincts.getByText(/the figures as a table/).click();
    expect(await precincts.getByRole('row').filter({ hasText: 'Dunmore' }).textContent()).toBe(
      'Dunmore11100%',
    );
    await expectAccessible(page, 'dashboards');
    await screenshot(page, 'administration-dashboards');
    expect(unexpected()).toEqual([]);
  }, 60_000);
});
