import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { create as createQr } from 'qrcode';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { finishCredential, requestCredential, type CredentialPublicKey } from '@vigil/registry';
import { decodeCredential, encodeCredential } from '../src/credential-text.ts';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
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
 * Election day in a real browser against the real server: the key ceremony with each
 * guardian in their own browser, the polls, a voter's whole ballot in the booth (every
 * contest type, a challenge, then a cast), the ballot shown on the bulletin board as
 * recorded but waiting for its shuffled batch, then, once the polls close, found with its
 * inclusion proof checked in the browser, the tally decrypted by two of the three
 * guardians, the verification passing step by step and the results, and a risk-limiting
 * audit of the paper records to its risk limit; and axe-core on every screen of it. The
 * voters' credentials come from supervised override check-ins over HTTP, blinded and
 * finished here as a polling station would; the booth reads the first from its QR code.
 */

/** Few demo voters: enough voters of a ranked-choice precinct, little CPU for enrolling. */
const DEMO_VOTERS = 40;
/** A precinct whose ballot style (bs-2) has every kind of contest, ranked choice included. */
const PRECINCT = 'p-102';
/**
 * Ballots cast in all: BRAVO at a 10% risk limit needs 4 draws when the winner has every
 * vote, so with 5 paper ballots the audit samples instead of escalating to a hand count.
 */
const BALLOTS = 5;

interface Json {
  status: number;
  body: Record<string, unknown>;
}

let demo: DemoServer;
let browser: Browser | undefined;
/** The booth's own browser, with a fake camera that shows the voter's QR code. */
let boothBrowser: Browser | undefined;

async function api(
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Json> {
  const response = await fetch(`${demo.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function login(officialId: string, password: string, stationToken?: string): Promise<string> {
  const res = await api('/api/auth/login', {
    body: { officialId, password },
    ...(stationToken === undefined ? {} : { headers: { 'vigil-station-token': stationToken } }),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.token as string;
}

/**
 * Ballot credentials as the polling station makes them: an administrator registers a
 * station at a precinct with ranked choice and its two officials; the poll worker finds
 * demo voters there (GET /api/voters) and, with a supervisor's approval, checks each in by
 * override, sending a blinded token (RFC 9474) that the registry signs; the station
 * unblinds it into the credential the voter carries to the booth, as slip text.
 */
async function obtainCredentialTexts(count: number): Promise<string[]> {
  const slips: string[] = [];
  const admin = demo.official('demo-administrator');
  const adminToken = await login(admin.officialId, admin.password);
  const station = await api('/api/stations', {
    token: adminToken,
    body: { stationId: 'e2e-station-102', pollingPlace: PRECINCT },
  });
  expect(station.status, JSON.stringify(station.body)).toBe(201);
  const stationToken = station.body.token as string;
  const passwords = new Map<string, string>();
  for (const [officialId, role] of [
    ['e2e-worker-102', 'poll_worker'],
    ['e2e-supervisor-102', 'supervisor'],
  ] as const) {
    const created = await api('/api/officials', {
      token: adminToken,
      body: { officialId, displayName: officialId, role, pollingPlaces: [PRECINCT] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    passwords.set(officialId, created.body.password as string);
  }
  const worker = await login('e2e-worker-102', passwords.get('e2e-worker-102')!, stationToken);
  const atStation = { token: worker, headers: { 'vigil-station-token': stationToken } };

  // The demo voters of the precinct, the last enrolled last (enrolment runs in the
  // background): an override is for a voter whose fingers cannot be matched, and one
  // not yet enrolled needs no failed attempts first.
  const listed = await api('/api/demo/voters', atStation);
  expect(listed.status, JSON.stringify(listed.body)).toBe(200);
  const candidates = (
    listed.body.voters as { voterId: string; precinctId: string; enrolled: boolean }[]
  )
    .filter((v) => v.precinctId === PRECINCT && !v.enrolled)
    .reverse();
  expect(candidates.length, 'an unenrolled demo voter of p-102').toBeGreaterThan(0);

  const registry = await api('/api/registry');
  const keys = registry.body.credentialKeys as {
    ballotStyleId: string;
    keyId: string;
    spki: string;
  }[];
  const secondOfficial = `Basic ${Buffer.from(`e2e-supervisor-102:${passwords.get('e2e-supervisor-102')!}`).toString('base64')}`;
  for (const { voterId } of candidates) {
    const found = await api(`/api/voters?voterId=${encodeURIComponent(voterId)}`, atStation);
    expect(found.status).toBe(200);
    const voter = (found.body.voters as { voterId: string; ballotStyleId: string }[])[0]!;
    const published = keys.find((k) => k.ballotStyleId === voter.ballotStyleId)!;
    const key: CredentialPublicKey = {
      electionId: registry.body.electionId as string,
      ballotStyleId: published.ballotStyleId,
      keyId: published.keyId,
      spki: new Uint8Array(Buffer.from(published.spki, 'base64')),
    };
    const { pending, blindedMessage } = await requestCredential(key);
    const override = await api('/api/checkins/override', {
      ...atStation,
      headers: { ...atStation.headers, 'vigil-second-official': secondOfficial },
      body: {
        voterId,
        reason: 'worn fingertips',
        idDocumentChecked: true,
        blindedMessage: Buffer.from(blindedMessage).toString('base64'),
      },
    });
    // Enrolled in the meantime: the override must wait for failed attempts; try the next.
    if (override.status === 409 && override.body.reason === 'override-not-needed') continue;
    expect(override.status, JSON.stringify(override.body)).toBe(201);
    const signature = new Uint8Array(Buffer.from(override.body.blindSignature as string, 'base64'));
    const finished = await finishCredential(pending, signature);
    if (!finished.ok) throw finished.error;
    slips.push(
      encodeCredential({
        electionId: finished.value.electionId,
        ballotStyleId: finished.value.ballotStyleId,
        preparedMessage: Buffer.from(finished.value.preparedMessage).toString('base64'),
        signature: Buffer.from(finished.value.signature).toString('base64'),
      }),
    );
    if (slips.length === count) return slips;
  }
  throw new Error(`fewer than ${count} demo voters of p-102 were still unenrolled for an override`);
}

/**
 * Another voter's ballot through the booth API (as the booth UI sends it), so that the
 * audit has enough paper ballots to sample from: a vote for Marsh for governor only.
 */
async function castThroughApi(slip: string, boothToken: string): Promise<void> {
  const decoded = decodeCredential(slip);
  if (!decoded.ok) throw new Error(decoded.message);
  const headers = { 'vigil-station-token': boothToken };
  const opened = await api('/api/booth/sessions', { headers, body: { credential: decoded.value } });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  const encrypted = await api(
    `/api/booth/sessions/${opened.body.boothSessionId as string}/ballots`,
    { headers, body: { selections: { governor: ['gov-marsh'] } } },
  );
  expect(encrypted.status, JSON.stringify(encrypted.body)).toBe(201);
  const cast = await api(`/api/booth/ballots/${encrypted.body.confirmationCode as string}/cast`, {
    method: 'POST',
    headers,
  });
  expect(cast.status, JSON.stringify(cast.body)).toBe(200);
}

/**
 * A camera that shows the slip's QR code: one frame of Y4M video (4:2:0, Chromium's
 * --use-file-for-fake-video-capture loops it), black modules on white with a quiet zone.
 */
async function qrCameraFile(text: string, path: string): Promise<void> {
  const qr = createQr(text, { errorCorrectionLevel: 'M' });
  const { size, data } = qr.modules;
  const width = 800;
  const height = 800;
  const scale = Math.floor(width / (size + 8));
  const offset = Math.floor((width - size * scale) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let y = 0; y < size * scale; y++) {
    for (let x = 0; x < size * scale; x++) {
      if (data[Math.floor(y / scale) * size + Math.floor(x / scale)] === 1) {
        luma[(offset + y) * width + offset + x] = 16;
      }
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const header = `YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\nFRAME\n`;
  await writeFile(path, Buffer.concat([Buffer.from(header, 'ascii'), luma, chroma]));
}

/** Adds each failed API answer (method, URL, status) to the page's errors, to say which. */
function recordFailedRequests(page: Page, errors: string[]): void {
  page.on('response', (response) => {
    if (response.status() >= 400) {
      errors.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    }
  });
}

async function expectAccessible(page: Page, where: string): Promise<void> {
  expect(await seriousAccessibilityViolations(page), where).toEqual([]);
}

async function openAdministration(page: Page, tab: string, who: string): Promise<void> {
  await page.goto(`${demo.url}/administration#${tab}`);
  const signIn = demo.official(who);
  await signInThroughUi(page, signIn);
}

async function chooseTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
}

describeInBrowser('election day in the browser', () => {
  beforeAll(async () => {
    demo = await startDemoServer({ demoVoters: DEMO_VOTERS });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await boothBrowser?.close();
    // Undefined when the server failed to start.
    await (demo as DemoServer | undefined)?.close();
  });

  it('runs the key ceremony, a ballot, the bulletin board, the tally, the verification and the audit', async () => {
    const [slip, ...otherSlips] = await obtainCredentialTexts(BALLOTS);
    expect(slip).toBeDefined();

    // --- The key ceremony: the administrator starts it, each guardian publishes. ---------
    const admin = await newPage(browser!);
    recordFailedRequests(admin.page, admin.errors);
    await openAdministration(admin.page, 'ceremony', 'demo-administrator');
    await admin.page.getByRole('button', { name: 'Start the key ceremony' }).click();
    await admin.page.getByText('0 of 3 guardians have published their keys.').waitFor();
    await expectAccessible(admin.page, 'key ceremony (administrator)');

    // Each guardian in their own browser (own context: own sessionStorage).
    const guardians: Page[] = [];
    for (const n of [1, 2, 3]) {
      const { page } = await newPage(browser!);
      await openAdministration(page, 'ceremony', `demo-guardian-${n}`);
      await page.getByRole('button', { name: 'Publish my keys' }).click();
      await page.getByText(/^You have published your keys/).waitFor({ timeout: 30_000 });
      if (n === 1) await expectAccessible(page, 'key ceremony (guardian)');
      guardians.push(page);
    }
    await admin.page.getByRole('heading', { name: 'The joint election key' }).waitFor();
    await admin.page.getByText('3 of 3 guardians have published their keys.').waitFor();
    await screenshot(admin.page, 'administration-ceremony');

    // --- The polls open. -------------------------------------------------------------------
    await chooseTab(admin.page, 'Polls');
    await admin.page.getByRole('button', { name: 'Open the polls' }).click();
    await admin.page.getByText('Polls open', { exact: true }).waitFor();
    await expectAccessible(admin.page, 'polls');

    // --- The booth: set up with its station token, then a voter. ---------------------------
    const camera = join(demo.dataDir, '..', 'qr-camera.y4m');
    await qrCameraFile(slip!, camera);
    boothBrowser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        ...CHROMIUM_ARGS,
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${camera}`,
      ],
    });
    const booth = await newPage(boothBrowser);
    recordFailedRequests(booth.page, booth.errors);
    const b = booth.page;
    await b.goto(`${demo.url}/voting-booth`);
    const boothStation = demo.credentials.stations.find((s) => s.stationId === 'demo-booth-1');
    expect(boothStation, 'demo-booth-1 in demo-credentials.txt').toBeDefined();
    await b.getByLabel('Booth station token').fill(boothStation!.token);
    await b.getByRole('button', { name: 'Save and open the booth' }).click();
    await b.getByRole('heading', { name: 'Start voting' }).waitFor();
    await expectAccessible(b, 'booth, English');

    await b.getByRole('button', { name: 'Español' }).click();
    await b.getByRole('heading', { name: 'Comenzar a votar' }).waitFor();
    expect(await b.locator('.booth').getAttribute('lang')).toBe('es');
    await expectAccessible(b, 'booth, Spanish');
    await b.getByRole('button', { name: 'Alto contraste' }).click();
    await b.getByRole('button', { name: 'Letra grande' }).click();
    await expectAccessible(b, 'booth, Spanish, high contrast, large text');
    await b.getByRole('button', { name: 'Alto contraste' }).click();
    await b.getByRole('button', { name: 'Letra grande' }).click();
    await b.getByRole('button', { name: 'English' }).click();

    // A damaged slip is refused in plain words before anything is sent.
    await b.getByLabel('Ballot slip text').fill('VIGIL-BALLOT-1.broken');
    await b.getByRole('button', { name: 'Start my ballot' }).click();
    await b.getByText(/The ballot credential is damaged/).waitFor();

    // The voter holds the slip's QR code to the booth's camera; the session opens on a read.
    await b.getByRole('button', { name: 'Scan the QR code with the camera' }).click();
    await b
      .getByRole('heading', { level: 2, name: 'Governor and Lieutenant Governor' })
      .waitFor({ timeout: 20_000 });
    expect(await b.getByLabel('Ballot slip text').count()).toBe(0);

    const next = () => b.getByRole('button', { name: 'Next', exact: true }).click();
    // Governor: vote for 1, by keyboard.
    await b.getByRole('heading', { level: 2, name: 'Governor and Lieutenant Governor' }).waitFor();
    await b.getByText('Contest 1 of 7').waitFor();
    await b.getByRole('checkbox', { name: /Thomas Marsh and Elena Ruiz/ }).focus();
    await b.keyboard.press('Space');
    expect(await b.getByRole('checkbox', { name: /Thomas Marsh/ }).isChecked()).toBe(true);
    await expectAccessible(b, 'booth, a contest');
    await next();
    await b.getByRole('heading', { level: 2, name: 'State Representative, District 12' }).waitFor();
    await b.getByRole('checkbox', { name: /Kenji Nakamura/ }).check();
    await next();
    // County commission: vote for 2; a third choice is an overvote, refused and announced.
    await b.getByRole('heading', { level: 2, name: 'County Commissioner' }).waitFor();
    await b.getByRole('checkbox', { name: /Ruth Abernathy/ }).check();
    await b.getByRole('checkbox', { name: /Grace Chen/ }).check();
    await b.getByRole('checkbox', { name: /William Dorsey/ }).click();
    await b.getByText(/You can choose at most 2 in “County Commissioner”/).waitFor();
    expect(await b.getByRole('checkbox', { name: /William Dorsey/ }).isChecked()).toBe(false);
    await next();
    await b.getByRole('heading', { level: 2, name: 'County Sheriff' }).waitFor();
    await b.getByRole('checkbox', { name: /Anika Patel/ }).check();
    await next();
    // Mayor: ranked choice with a select per candidate; ranking a candidate at a taken
    // rank moves the others down.
    await b.getByRole('heading', { level: 2, name: 'Mayor of Millbrook' }).waitFor();
    await b.getByLabel('Rank for Claire Fontaine').selectOption('1');
    await b.getByLabel('Rank for Irena Kowalski').selectOption('2');
    await b.getByLabel('Rank for Marcus Jackson').selectOption('1');
    expect(await b.getByLabel('Rank for Claire Fontaine').inputValue()).toBe('2');
    expect(await b.getByLabel('Rank for Irena Kowalski').inputValue()).toBe('3');
    await expectAccessible(b, 'booth, ranked choice');
    await next();
    // The two measures.
    await b.getByRole('heading', { level: 2, name: 'Franklin County Library Levy' }).waitFor();
    await b.getByRole('radio').first().check();
    await next();
    await b
      .getByRole('heading', { level: 2, name: 'City of Millbrook Charter Amendment A' })
      .waitFor();
    await b.getByRole('radio').last().check();
    await b.getByRole('button', { name: 'Review my ballot' }).click();

    await b.getByRole('heading', { name: 'Review your ballot' }).waitFor();
    const review = b.locator('.booth-review');
    for (const text of [
      'Thomas Marsh and Elena Ruiz',
      'Ruth Abernathy',
      'Grace Chen',
      'Marcus Jackson',
    ]) {
      await review.getByText(text).first().waitFor();
    }
    expect(await review.locator('ol.booth-review-choices li').allTextContents()).toEqual([
      'Marcus Jackson',
      'Claire Fontaine',
      'Irena Kowalski',
    ]);
    await expectAccessible(b, 'booth, review');

    // Encrypt, then challenge: the ballot is opened for the voter to check, and discarded.
    await b.getByRole('button', { name: 'Encrypt my ballot' }).click();
    const challengedCode = await b
      .locator('.booth-code')
      .getAttribute('data-code', { timeout: 30_000 });
    expect(challengedCode).toMatch(/^[0-9a-f]{64}$/);
    await b.getByRole('button', { name: 'Challenge (check and discard)' }).click();
    await b.getByRole('heading', { name: 'Challenged ballot: opened and discarded' }).waitFor();
    await b.getByText(/the revealed encryption matches the encrypted ballot/).waitFor();
    await b
      .locator('.booth-summary')
      .getByText('Marcus Jackson, Claire Fontaine, Irena Kowalski')
      .waitFor();

    // Vote again (the marks are kept), encrypt and cast.
    await b.getByRole('button', { name: 'Vote again' }).click();
    for (let i = 0; i < 6; i++) await next();
    await b.getByRole('button', { name: 'Review my ballot' }).click();
    await b.getByRole('button', { name: 'Encrypt my ballot' }).click();
    const codeLocator = b.locator('.booth-code');
    await codeLocator.waitFor({ timeout: 30_000 });
    const code = await codeLocator.getAttribute('data-code');
    expect(code).toMatch(/^[0-9a-f]{64}$/);
    expect(code).not.toBe(challengedCode);
    await expectAccessible(b, 'booth, confirmation code');
    await screenshot(b, 'voting-booth');
    await b.getByRole('button', { name: 'Cast my ballot' }).click();
    await b.getByRole('heading', { name: 'Your ballot was cast' }).waitFor();

    // --- The bulletin board: the ballot is recorded, but waits for its batch. --------------
    // Ballot entries reach the public ledger in shuffled batches (10 on the demo server) or
    // when the polls close, so that the ledger's order cannot tie a ballot to a check-in.
    const board = await newPage(browser!);
    recordFailedRequests(board.page, board.errors);
    const p = board.page;
    await p.goto(`${demo.url}/bulletin-board`);
    await p.getByLabel('Confirmation code').fill(code!.replace(/(.{4})/g, '$1 '));
    await p.getByRole('button', { name: 'Look up' }).click();
    await p
      .getByText(
        'Your ballot is recorded as cast; it will appear in the public ledger with the next batch of 10 ballots or when the polls close.',
      )
      .waitFor({ timeout: 20_000 });
    await p.getByText('Not yet in the public ledger.').waitFor();
    expect(await p.locator('.proof-checks').count()).toBe(0);
    await expectAccessible(p, 'bulletin board, ballot waiting for its batch');

    // Four more voters vote at the booth (through its API) before the polls close.
    for (const other of otherSlips) await castThroughApi(other, boothStation!.token);

    // --- Polls close (publishing the last batch); the tally; two guardians release. --------
    await admin.page.getByRole('button', { name: 'Close the polls' }).click();
    await admin.page.getByText('Polls closed', { exact: true }).waitFor();

    // Now anyone finds the code and checks the proof.
    await p.getByRole('button', { name: 'Look up' }).click();
    await p
      .getByText('Verified: this ballot is in the ledger covered by the signed checkpoint.')
      .waitFor({ timeout: 20_000 });
    await p.getByText('cast (it is counted)').waitFor();
    expect(await p.locator('.proof-checks li.proof-fail').count()).toBe(0);
    await expectAccessible(p, 'bulletin board, ballot found');
    // The challenged ballot is on the board too, marked as not counted.
    await p.getByLabel('Confirmation code').fill(challengedCode!);
    await p.getByRole('button', { name: 'Look up' }).click();
    await p.getByText('challenged (opened for checking, not counted)').waitFor();

    await chooseTab(admin.page, 'Tally and decryption');
    await admin.page.getByRole('button', { name: 'Compute the encrypted tally' }).click();
    await admin.page.getByText(/^Tallied: waiting for the guardians/).waitFor({ timeout: 30_000 });
    await expectAccessible(admin.page, 'tally (administrator)');
    for (const page of guardians.slice(0, 2)) {
      await chooseTab(page, 'Tally and decryption');
      await page.getByRole('button', { name: 'Release my decryption share' }).click();
      await page.getByText(/^You have released your decryption share/).waitFor({ timeout: 60_000 });
    }
    await admin.page
      .getByText(/The tally is decrypted and the election record verified/)
      .waitFor({ timeout: 60_000 });

    // --- Results and verification on the bulletin board. -----------------------------------
    await p.goto(`${demo.url}/bulletin-board`);
    await p.getByText(/^The election record verifies/).waitFor({ timeout: 30_000 });
    const steps = p.locator('.verification-steps li');
    expect(await steps.count()).toBeGreaterThan(0);
    expect(await p.locator('.verification-steps li:not(.verification-pass)').count()).toBe(0);
    const governor = p.getByRole('table', { name: /Votes in Governor/ });
    expect(
      await governor
        .getByRole('row', { name: /Thomas Marsh and Elena Ruiz/ })
        .getByRole('cell')
        .first()
        .textContent(),
    ).toBe(String(BALLOTS));
    await p.getByRole('img', { name: /Bar chart of Governor/ }).waitFor();
    await p.getByRole('link', { name: 'Download the election record' }).waitFor();
    await p.getByRole('heading', { name: 'The ledger’s signed tree head' }).waitFor();
    await p.getByText(/Valid Ed25519 signature by/).waitFor();
    await p.getByLabel('Confirmation code').fill(code!);
    await p.getByRole('button', { name: 'Look up' }).click();
    await p
      .getByText('Verified: this ballot is in the ledger covered by the signed checkpoint.')
      .waitFor();
    await expectAccessible(p, 'bulletin board, results');
    await screenshot(p, 'bulletin-board');

    // --- The risk-limiting audit of the paper records against the published result. -------
    await chooseTab(admin.page, 'Risk-limiting audit');
    const audit = admin.page;
    await audit.getByRole('heading', { name: 'Start an audit' }).waitFor();
    await audit.getByLabel('Contest').selectOption('governor');
    await audit.getByLabel('Risk limit (%)').fill('10');
    await audit.getByLabel('Seed').fill('31415926535897932384');
    await audit.getByRole('button', { name: 'Start the audit' }).click();
    await audit.getByRole('button', { name: /^Draw round 1 \(4 ballots\)/ }).click();
    const sample = audit.locator('.audit-sample tbody tr');
    await sample.first().waitFor();
    const drawn = await sample.count();
    // The audit board pulls each sampled paper ballot and enters what it shows.
    for (let i = 0; i < drawn; i++) {
      await sample
        .nth(i)
        .getByRole('button', { name: /^Enter ballot booth-paper:\d+$/ })
        .click();
      await audit.locator('.paper-slip').getByText('Thomas Marsh and Elena Ruiz').waitFor();
      if (i === 0) await expectAccessible(audit, 'risk-limiting audit, board entry');
      await audit.getByRole('radio', { name: 'Thomas Marsh and Elena Ruiz' }).check();
      await audit.getByRole('button', { name: 'Record this ballot' }).click();
      await audit
        .getByRole('heading', { name: `Round 1 sample: ${i + 1} of ${drawn} ballots entered` })
        .waitFor();
    }
    await audit.getByRole('button', { name: 'Close round 1 and measure the risk' }).click();
    await audit
      .getByText(/^Confirmed: the risk limit is met/)
      .first()
      .waitFor();
    await audit.getByRole('cell', { name: /% \(limit met\)$/ }).waitFor();
    await expectAccessible(audit, 'risk-limiting audit, confirmed');

    for (const { errors } of [admin, booth, board]) expect(errors).toEqual([]);
  }, 240_000);
});
