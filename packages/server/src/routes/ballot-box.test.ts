import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, loadSampleElection, systemClock, unwrap, type Clock } from '@vigil/core';
import {
  decodeEntry,
  leafHash,
  parseVerifierKey,
  verifyCheckpoint,
  verifyInclusion,
} from '@vigil/ledger';
import {
  finishCredential,
  openRegistry,
  requestCredential,
  type RegistryRuntime,
} from '@vigil/registry';
import type { Store } from '@vigil/store';
import {
  postgresTarget,
  postgresTestSetup,
  sqliteFileTarget,
  type StoreTarget,
} from '@vigil/store/testing';
import { buildServer } from '../app.ts';
import { BallotBox } from '../ballot-box/service.ts';
import { createOfficial, registerStation, type Actor } from '../auth/index.ts';
import { loadElection } from '../elections.ts';
import { loadLogKey, type LogKey } from '../ledger/log-key.ts';
import type {
  BallotBoxStatus,
  BulletinBallotView,
  BulletinPendingBallotView,
  CastView,
  ChallengeView,
  EncryptedBallotView,
  ResultsView,
  VerificationView,
} from './ballot-box.ts';

/**
 * The ballot box over HTTP, as its users meet it: an administrator starts the key
 * ceremony, three guardians each publish their keys from their own session, the polls
 * open, voters checked in at a polling station (a supervised override, so no
 * fingerprints are needed) carry a blind credential to a booth, which spends it, encrypts,
 * lets them challenge (the nonces revealed, the ballot re-encrypted and compared) and
 * cast; the ballot entries reach the ledger only in shuffled batches of three (or at the
 * close), and until then the bulletin board says the ballot is recorded but not yet
 * published; a code is found on the bulletin board with an inclusion proof that verifies
 * against the signed checkpoint; the polls close, the tally is accumulated, two of the
 * three guardians release their shares, and the results equal the plaintext and every
 * verification step passes. Every refusal on the way is a problem saying why.
 */

const postgres = postgresTestSetup();
if (postgres.kind === 'skip') console.warn(postgres.message);

const ROLL = [
  'voter_id,given_name,family_name,birth_date,address_line1,city,state,postal_code,precinct_id',
  'BB-1,Ada,Byron,1975-12-10,2 Elm St,Millbrook,OH,43001,p-101',
  'BB-2,Grace,Hopper,1990-01-01,3 Elm St,Millbrook,OH,43001,p-101',
  'BB-3,Alan,Turing,1985-06-23,4 Oak St,Millbrook,OH,43002,p-102',
  'BB-4,Emmy,Noether,1982-03-23,5 Oak St,Millbrook,OH,43002,p-102',
  'BB-5,Kurt,Godel,1986-04-28,6 Oak St,Millbrook,OH,43002,p-102',
  'BB-6,Rosa,Peter,1985-02-17,7 Oak St,Millbrook,OH,43002,p-102',
  'BB-7,Alonzo,Church,1983-06-14,8 Elm St,Millbrook,OH,43001,p-101',
].join('\n');

const PLACE_OF: Record<string, string> = {
  'BB-1': 'p-101',
  'BB-2': 'p-101',
  'BB-3': 'p-102',
  'BB-4': 'p-102',
  'BB-5': 'p-102',
  'BB-6': 'p-102',
  'BB-7': 'p-101',
};
const STYLE_OF: Record<string, string> = { 'p-101': 'bs-1', 'p-102': 'bs-2' };
/** A small batch, so that the test sees batches fill and the close publish the rest. */
const BATCH = 3;

interface Problem {
  status: number;
  code: string;
  reason?: string;
  detail: string;
  problems?: { path: string }[];
}

function ballotBoxContract(makeTarget: () => Promise<StoreTarget>): void {
  let target: StoreTarget;
  let dataDir: string;
  let store: Store;
  let runtime: RegistryRuntime;
  let app: FastifyInstance;
  let ledgerKey: LogKey;
  // The ballot box's clock runs ahead of the wall clock when a test moves it (expiry).
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  const passwords = new Map<string, string>();
  const stationTokens = new Map<string, string>();
  const sessions = new Map<string, string>();

  async function login(officialId: string, stationId?: string): Promise<string> {
    const key = `${officialId}@${stationId ?? ''}`;
    const known = sessions.get(key);
    if (known !== undefined) return known;
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers:
        stationId === undefined ? {} : { 'vigil-station-token': stationTokens.get(stationId)! },
      payload: { officialId, password: passwords.get(officialId) },
    });
    expect(response.statusCode, response.body).toBe(201);
    const token = response.json<{ token: string }>().token;
    sessions.set(key, token);
    return token;
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const booth = (stationId: string) => ({ 'vigil-station-token': stationTokens.get(stationId)! });
  const basic = (officialId: string) =>
    `Basic ${Buffer.from(`${officialId}:${passwords.get(officialId)!}`).toString('base64')}`;

  const as = async (officialId: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({
      method,
      url,
      headers: bearer(await login(officialId)),
      ...(payload === undefined ? {} : { payload }),
    });
  const atBooth = (stationId: string, url: string, payload?: object) =>
    app.inject({
      method: 'POST',
      url,
      headers: booth(stationId),
      ...(payload === undefined ? {} : { payload }),
    });

  /** Checks a voter in (supervised override) and returns the finished blind credential. */
  async function credentialFor(voterId: string) {
    const place = PLACE_OF[voterId]!;
    const style = STYLE_OF[place]!;
    const key = runtime.publicKeys.find((k) => k.ballotStyleId === style)!;
    const { pending, blindedMessage } = await requestCredential(key);
    const worker = await login(`pw-${place}`, `st-${place}`);
    const checked = await app.inject({
      method: 'POST',
      url: '/api/checkins/override',
      headers: { ...bearer(worker), 'vigil-second-official': basic(`sup-${place}`) },
      payload: {
        voterId,
        reason: 'not enrolled',
        idDocumentChecked: true,
        blindedMessage: Buffer.from(blindedMessage).toString('base64'),
      },
    });
    expect(checked.statusCode, checked.body).toBe(201);
    const signature = checked.json<{ blindSignature: string }>().blindSignature;
    const credential = unwrap(
      await finishCredential(pending, new Uint8Array(Buffer.from(signature, 'base64'))),
    );
    return {
      electionId: credential.electionId,
      ballotStyleId: credential.ballotStyleId,
      preparedMessage: Buffer.from(credential.preparedMessage).toString('base64'),
      signature: Buffer.from(credential.signature).toString('base64'),
    };
  }

  beforeAll(async () => {
    target = await makeTarget();
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-ballot-box-'));
    store = await target.open();
    unwrap(await loadElection(store, loadSampleElection(), systemClock));
    const actor: Actor = { actorId: 'test', stationId: 'test', now: new Date() };
    for (const [officialId, role, places] of [
      ['admin-1', 'administrator', []],
      ['reg-1', 'registrar', []],
      ['guardian-1', 'guardian', []],
      ['guardian-2', 'guardian', []],
      ['guardian-3', 'guardian', []],
      ['pw-p-101', 'poll_worker', ['p-101']],
      ['sup-p-101', 'supervisor', ['p-101']],
      ['pw-p-102', 'poll_worker', ['p-102']],
      ['sup-p-102', 'supervisor', ['p-102']],
    ] as const) {
      const created = unwrap(
        await createOfficial(
          store,
          { officialId, displayName: officialId, role, pollingPlaces: places },
          actor,
        ),
      );
      passwords.set(officialId, created.password);
    }
    for (const [stationId, pollingPlace] of [
      ['st-p-101', 'p-101'],
      ['st-p-102', 'p-102'],
      ['booth-1', 'p-101'],
      ['booth-2', 'p-102'],
    ] as const) {
      stationTokens.set(
        stationId,
        unwrap(await registerStation(store, { stationId, pollingPlace }, actor)).token,
      );
    }
    runtime = unwrap(
      await openRegistry({
        store,
        clock,
        dataDir,
        env: { VIGIL_MASTER_KEY: randomBytes(32).toString('base64') },
      }),
    );
    ledgerKey = loadLogKey({ create: true, dataDir });
    app = await buildServer({
      store,
      registry: runtime,
      dataDir,
      ledgerKey,
      webDistDir: join(dataDir, 'no-web'),
      ballotPublicationBatch: BATCH,
    });
    const imported = await app.inject({
      method: 'POST',
      url: '/api/roll/imports?format=csv',
      payload: ROLL,
      headers: { ...bearer(await login('reg-1')), 'content-type': 'text/csv' },
    });
    expect(imported.statusCode, imported.body).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await runtime.close();
    await target.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  const problem = (r: { json: () => unknown }) => r.json() as Problem;
  const status = async () =>
    (await app.inject({ method: 'GET', url: '/api/ballot-box/status' })).json<BallotBoxStatus>();

  // What the test cast, to compare with the decrypted results.
  const castMarks: Record<string, string[]>[] = [];
  const castCodes: string[] = [];
  let challengedCode = '';
  // BB-6's session, opened once the polls opened and used later.
  let earlySession = '';
  let pendingAtClose = '';
  // Codes in the order they were cast or challenged.
  const resolvedOrder: string[] = [];

  /** The confirmation codes of the ballot entries, in ledger order. */
  async function codesInLedger(): Promise<string[]> {
    const entries = await store.ledgerEntries(0, await store.ledgerSize());
    return entries.flatMap((e) => {
      const entry = decodeEntry(e.bytes);
      const subject = entry.ok
        ? entry.value.subjects.find((x) => x.startsWith('confirmation-code:'))
        : undefined;
      return subject === undefined ? [] : [subject.slice('confirmation-code:'.length)];
    });
  }

  /**
   * While the polls are open, only full batches are in the ledger: each the ballots
   * resolved in its window, in some order (a permutation of the order of casting).
   */
  async function expectOnlyFullBatches(): Promise<void> {
    const inLedger = await codesInLedger();
    const full = Math.floor(resolvedOrder.length / BATCH) * BATCH;
    expect(inLedger).toHaveLength(full);
    for (let i = 0; i < full; i += BATCH) {
      expect(inLedger.slice(i, i + BATCH).sort()).toEqual(resolvedOrder.slice(i, i + BATCH).sort());
    }
  }

  /** The bulletin board's answer for a published code, with its proof checked. */
  async function expectPublishedWithProof(code: string, status: 'cast' | 'challenged') {
    const found = await app.inject({
      method: 'GET',
      url: `/api/bulletin/ballots/${code.toUpperCase()}`,
    });
    expect(found.statusCode, found.body).toBe(200);
    const view = found.json<BulletinBallotView>();
    expect(view).toMatchObject({ confirmationCode: code, status, published: true });
    const vkey = unwrap(parseVerifierKey(ledgerKey.vkey));
    const checkpoint = unwrap(verifyCheckpoint(view.checkpoint.text, { logKey: vkey })).checkpoint;
    expect(checkpoint.size).toBe(view.inclusion.treeSize);
    expect(
      verifyInclusion(
        fromHex(view.ledger.leafHash),
        view.ledger.index,
        checkpoint.size,
        view.inclusion.hashes.map(fromHex),
        checkpoint.rootHash,
      ),
    ).toBe(true);
    const [stored] = await store.ledgerEntries(view.ledger.index, view.ledger.index + 1);
    expect(Buffer.from(leafHash(stored!.bytes)).toString('hex')).toBe(view.ledger.leafHash);
    expect(JSON.stringify(view.ledger.entry)).toContain(`confirmation-code:${code}`);
    // The day only, no time of day (it could be matched to a check-in).
    expect(view.ledger.entry.time).toMatch(/T00:00:00Z$/);
    return view;
  }

  it('runs the key ceremony with each guardian in their own session', async () => {
    expect((await status()).phase).toBe('key-ceremony-not-started');
    const byGuardian = await as('guardian-1', 'POST', '/api/ceremony', {
      guardianIds: ['guardian-1'],
      quorum: 1,
    });
    expect(byGuardian.statusCode).toBe(403);
    expect(problem(byGuardian).code).toBe('forbidden-role');
    const anonymous = await app.inject({ method: 'POST', url: '/api/ceremony', payload: {} });
    expect(anonymous.statusCode).toBe(401);
    const extra = await as('admin-1', 'POST', '/api/ceremony', {
      guardianIds: ['guardian-1'],
      quorum: 1,
      secret: 1,
    });
    expect(extra.statusCode).toBe(400);
    const notGuardian = await as('admin-1', 'POST', '/api/ceremony', {
      guardianIds: ['guardian-1', 'reg-1'],
      quorum: 1,
    });
    expect(notGuardian.statusCode).toBe(422);
    expect(problem(notGuardian).detail).toContain('reg-1');
    expect(problem(notGuardian).problems?.[0]?.path).toBe('guardianIds');
    const quorumTooLarge = await as('admin-1', 'POST', '/api/ceremony', {
      guardianIds: ['guardian-1'],
      quorum: 2,
    });
    expect(quorumTooLarge.statusCode).toBe(422);
    expect(problem(quorumTooLarge).problems?.[0]?.path).toBe('quorum');

    const started = await as('admin-1', 'POST', '/api/ceremony', {
      guardianIds: ['guardian-1', 'guardian-2', 'guardian-3'],
      quorum: 2,
    });
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json<BallotBoxStatus>()).toMatchObject({
      phase: 'key-ceremony',
      numberOfGuardians: 3,
      quorum: 2,
    });
    const again = await as('admin-1', 'POST', '/api/ceremony', {
      guardianIds: ['guardian-1'],
      quorum: 1,
    });
    expect(again.statusCode).toBe(409);
    expect(problem(again).reason).toBe('ceremony-already-started');

    const byAdmin = await as('admin-1', 'POST', '/api/ceremony/keys');
    expect(byAdmin.statusCode).toBe(403);
    for (const g of ['guardian-1', 'guardian-2', 'guardian-3']) {
      const published = await as(g, 'POST', '/api/ceremony/keys');
      expect(published.statusCode, published.body).toBe(201);
      const body = published.json<{ guardianId: string; commitments: string[] }>();
      expect(body.guardianId).toBe(g);
      expect(body.commitments).toHaveLength(2);
      expect(Object.keys(body).sort()).toEqual(['commitments', 'guardianId', 'xCoordinate']);
      if (g === 'guardian-1') {
        const twice = await as(g, 'POST', '/api/ceremony/keys');
        expect(twice.statusCode).toBe(409);
        expect(problem(twice).reason).toBe('keys-already-published');
      }
    }
    const ready = await status();
    expect(ready.phase).toBe('ready');
    expect(ready.jointKey).toMatch(/^[0-9a-f]{1024}$/);
    expect(ready.guardians.every((g) => g.keysPublished)).toBe(true);
    const ceremony = (await app.inject({ method: 'GET', url: '/api/ceremony' })).json<{
      guardians: { proofsValid: boolean }[];
    }>();
    expect(ceremony.guardians.map((g) => g.proofsValid)).toEqual([true, true, true]);
    // The record is public: no guardian secret is ever written into it.
    const recordDir = join(dataDir, 'records', runtime.election.id);
    expect(existsSync(join(recordDir, 'election_initialized.json'))).toBe(true);
    expect(existsSync(join(recordDir, 'private_data'))).toBe(false);
  }, 60_000);

  it('refuses a booth session until the polls open, then opens them', async () => {
    const credential = await credentialFor('BB-6');
    const early = await atBooth('booth-2', '/api/booth/sessions', { credential });
    expect(early.statusCode).toBe(409);
    expect(problem(early).reason).toBe('polls-not-open');
    const byGuardian = await as('guardian-1', 'POST', '/api/polls/open');
    expect(byGuardian.statusCode).toBe(403);
    const opened = await as('admin-1', 'POST', '/api/polls/open');
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json<BallotBoxStatus>().phase).toBe('polls-open');
    // The credential refused before the polls opened was not spent.
    const later = await atBooth('booth-2', '/api/booth/sessions', { credential });
    expect(later.statusCode, later.body).toBe(201);
    earlySession = later.json<{ boothSessionId: string }>().boothSessionId;
  }, 60_000);

  it('spends the credential, encrypts, lets the voter challenge, re-encrypt and cast', async () => {
    const credential = await credentialFor('BB-3');
    const noToken = await app.inject({
      method: 'POST',
      url: '/api/booth/sessions',
      payload: { credential },
    });
    expect(noToken.statusCode).toBe(401);
    const opened = await atBooth('booth-2', '/api/booth/sessions', { credential });
    expect(opened.statusCode, opened.body).toBe(201);
    const session = opened.json<{
      boothSessionId: string;
      ballotStyleId: string;
      contests: { contestId: string; type: string }[];
    }>();
    expect(session.ballotStyleId).toBe('bs-2');
    expect(session.contests.find((c) => c.contestId === 'millbrook-mayor')?.type).toBe(
      'ranked-choice',
    );
    const spentTwice = await atBooth('booth-2', '/api/booth/sessions', { credential });
    expect(spentTwice.statusCode).toBe(409);
    expect(problem(spentTwice).reason).toBe('already-spent');

    const ballotsUrl = `/api/booth/sessions/${session.boothSessionId}/ballots`;
    const overvote = await atBooth('booth-2', ballotsUrl, {
      selections: { 'county-commission': ['cc-abernathy', 'cc-bello', 'cc-chen'] },
    });
    expect(overvote.statusCode).toBe(422);
    expect(problem(overvote).problems?.[0]?.path).toBe('selections.county-commission');
    expect(problem(overvote).detail).toContain('vote for at most 2');
    const repeated = await atBooth('booth-2', ballotsUrl, {
      selections: { 'millbrook-mayor': ['mayor-jackson', 'mayor-jackson'] },
    });
    expect(repeated.statusCode).toBe(422);
    expect(problem(repeated).problems?.[0]?.path).toBe('selections.millbrook-mayor');
    const unknown = await atBooth('booth-2', ballotsUrl, {
      selections: { governor: ['gov-nobody'] },
    });
    expect(unknown.statusCode).toBe(422);
    const notOnStyle = await atBooth('booth-2', ballotsUrl, {
      selections: { 'house-13-rep': ['h13-obrien'] },
    });
    expect(notOnStyle.statusCode).toBe(422);
    const badShape = await atBooth('booth-2', ballotsUrl, {
      selections: { governor: 'gov-marsh' },
    });
    expect(badShape.statusCode).toBe(400);
    const otherBooth = await atBooth('booth-1', ballotsUrl, { selections: {} });
    expect(otherBooth.statusCode).toBe(403);

    const first = {
      governor: ['gov-marsh'],
      'county-commission': ['cc-bello', 'cc-chen'],
      'millbrook-mayor': ['mayor-kowalski', 'mayor-fontaine'],
      'library-levy': ['yes'],
    };
    const encrypted = await atBooth('booth-2', ballotsUrl, { selections: first });
    expect(encrypted.statusCode, encrypted.body).toBe(201);
    const a = encrypted.json<EncryptedBallotView>();
    expect(a.confirmationCode).toMatch(/^[0-9a-f]{64}$/);
    const challenged = await atBooth(
      'booth-2',
      `/api/booth/ballots/${a.confirmationCode}/challenge`,
    );
    expect(challenged.statusCode, challenged.body).toBe(200);
    const shown = challenged.json<ChallengeView>();
    expect(shown.status).toBe('challenged');
    expect(shown.nonceCheck).toBe('matches');
    expect(shown.selections).toEqual(a.summary);
    expect(shown.selections.find((s) => s.contestId === 'millbrook-mayor')?.chosen).toEqual([
      'Irena Kowalski',
      'Claire Fontaine',
    ]);
    challengedCode = a.confirmationCode;
    resolvedOrder.push(a.confirmationCode);
    await expectOnlyFullBatches();
    const challengeTwice = await atBooth(
      'booth-2',
      `/api/booth/ballots/${a.confirmationCode}/challenge`,
    );
    expect(challengeTwice.statusCode).toBe(409);
    const castChallenged = await atBooth(
      'booth-2',
      `/api/booth/ballots/${a.confirmationCode}/cast`,
    );
    expect(castChallenged.statusCode).toBe(409);
    expect(problem(castChallenged).reason).toBe('ballot-already-challenged');

    // The voter changes their mind and encrypts again in the same session.
    const second = { ...first, governor: ['gov-okafor'], 'millbrook-charter-a': ['no'] };
    const again = await atBooth('booth-2', ballotsUrl, { selections: second });
    expect(again.statusCode, again.body).toBe(201);
    const b = again.json<EncryptedBallotView>();
    expect(b.confirmationCode).not.toBe(a.confirmationCode);
    const elsewhere = await atBooth('booth-1', `/api/booth/ballots/${b.confirmationCode}/cast`);
    expect(elsewhere.statusCode).toBe(403);
    const cast = await atBooth('booth-2', `/api/booth/ballots/${b.confirmationCode}/cast`);
    expect(cast.statusCode, cast.body).toBe(200);
    // Two entries wait (the challenge and this cast): not yet a batch of three.
    expect(cast.json<CastView>()).toEqual({
      confirmationCode: b.confirmationCode,
      status: 'cast',
      published: false,
      publicationBatch: BATCH,
    });
    castMarks.push(second);
    castCodes.push(b.confirmationCode);
    resolvedOrder.push(b.confirmationCode);
    await expectOnlyFullBatches();
    // The public counts move with the batches, not with each cast.
    expect(await status()).toMatchObject({ castCount: 0, challengedCount: 0 });
    const castTwice = await atBooth('booth-2', `/api/booth/ballots/${b.confirmationCode}/cast`);
    expect(castTwice.statusCode).toBe(409);
    expect(problem(castTwice).reason).toBe('ballot-already-cast');
    const unknownCode = await atBooth('booth-2', `/api/booth/ballots/${'ab'.repeat(32)}/cast`);
    expect(unknownCode.statusCode).toBe(404);
    const afterCast = await atBooth('booth-2', ballotsUrl, { selections: {} });
    expect(afterCast.statusCode).toBe(409);
    expect(problem(afterCast).reason).toBe('booth-session-ended');
  }, 120_000);

  it('shows a ballot waiting for its batch as recorded, with nothing that places it in the ledger', async () => {
    const code = castCodes[0]!;
    const found = await app.inject({
      method: 'GET',
      url: `/api/bulletin/ballots/${code.toUpperCase()}`,
    });
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json<BulletinPendingBallotView>()).toEqual({
      confirmationCode: code,
      status: 'cast',
      ballotStyleId: 'bs-2',
      published: false,
      publicationBatch: BATCH,
      message:
        'Your ballot is recorded as cast; it will appear in the public ledger with the next batch of 3 ballots or when the polls close.',
    });
    const challenged = await app.inject({
      method: 'GET',
      url: `/api/bulletin/ballots/${challengedCode}`,
    });
    expect(challenged.json<BulletinPendingBallotView>()).toMatchObject({
      status: 'challenged',
      published: false,
    });
    expect(Object.keys(challenged.json<object>())).not.toContain('ledger');
    const missing = await app.inject({
      method: 'GET',
      url: `/api/bulletin/ballots/${'cd'.repeat(32)}`,
    });
    expect(missing.statusCode).toBe(404);
    expect(problem(missing).detail).toContain('Check the code');
  });

  it('casts more ballots, expires an idle session, and spoils a ballot left at the close', async () => {
    const votes: [string, string, Record<string, string[]>][] = [
      [
        'BB-1',
        'booth-1',
        { governor: ['gov-marsh'], 'house-12-rep': ['h12-nakamura'], 'library-levy': ['no'] },
      ],
      [
        'BB-2',
        'booth-1',
        {
          governor: ['gov-marsh'],
          'county-commission': ['cc-dorsey'],
          'county-sheriff': ['sheriff-patel'],
        },
      ],
      [
        'BB-4',
        'booth-2',
        {
          governor: ['gov-haldane'],
          'millbrook-mayor': ['mayor-fontaine', 'mayor-kowalski', 'mayor-jackson'],
        },
      ],
      [
        'BB-6',
        'booth-2',
        { 'millbrook-mayor': ['mayor-jackson', 'mayor-kowalski'], 'library-levy': ['yes'] },
      ],
    ];
    // Four voters at two booths at once: each booth's chain takes the encryptions in
    // turn, and of two casts of one code exactly one lands.
    const sessionsOf = await Promise.all(
      votes.map(async ([voterId, stationId]) => {
        if (voterId === 'BB-6') return earlySession;
        const opened = await atBooth(stationId, '/api/booth/sessions', {
          credential: await credentialFor(voterId),
        });
        expect(opened.statusCode, opened.body).toBe(201);
        return opened.json<{ boothSessionId: string }>().boothSessionId;
      }),
    );
    const encrypted = await Promise.all(
      votes.map(([, stationId, selections], i) =>
        atBooth(stationId, `/api/booth/sessions/${sessionsOf[i]!}/ballots`, { selections }),
      ),
    );
    for (const [i, [, stationId, selections]] of votes.entries()) {
      const response = encrypted[i]!;
      expect(response.statusCode, response.body).toBe(201);
      const { confirmationCode } = response.json<EncryptedBallotView>();
      const url = `/api/booth/ballots/${confirmationCode}/cast`;
      const both = await Promise.all([atBooth(stationId, url), atBooth(stationId, url)]);
      expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      castMarks.push(selections);
      castCodes.push(confirmationCode);
      resolvedOrder.push(confirmationCode);
      await expectOnlyFullBatches();
      // The cast that completes a batch learns its (shuffled) place in the ledger.
      const landed = both.find((r) => r.statusCode === 200)!.json<CastView>();
      expect(landed.published).toBe(resolvedOrder.length % BATCH === 0);
      if (landed.published) {
        const inLedger = await codesInLedger();
        expect(inLedger.slice(-BATCH)).toContain(confirmationCode);
      }
    }
    // The first batch is public: a code of it is found with a proof.
    await expectPublishedWithProof(castCodes[0]!, 'cast');
    await expectPublishedWithProof(challengedCode, 'challenged');
    const fresh = await atBooth('booth-1', '/api/booth/sessions', {
      credential: await credentialFor('BB-5'),
    });
    expect(fresh.statusCode).toBe(201);
    const { boothSessionId } = fresh.json<{ boothSessionId: string }>();
    const pending = await atBooth('booth-1', `/api/booth/sessions/${boothSessionId}/ballots`, {
      selections: { governor: ['gov-okafor'] },
    });
    expect(pending.statusCode).toBe(201);
    pendingAtClose = pending.json<EncryptedBallotView>().confirmationCode;
    // Check BB-7 in now: the officials' sessions, too, end after 30 idle minutes.
    const lateCredential = await credentialFor('BB-7');
    offsetMs = 31 * 60_000;
    const expired = await atBooth('booth-1', `/api/booth/ballots/${pendingAtClose}/cast`);
    expect(expired.statusCode).toBe(410);
    expect(problem(expired).reason).toBe('booth-session-expired');

    // Two challenges and four casts: two full batches, all in the ledger.
    expect(resolvedOrder).toHaveLength(2 * BATCH);
    expect(await codesInLedger()).toHaveLength(2 * BATCH);
    const closed = await as('admin-1', 'POST', '/api/polls/close');
    expect(closed.statusCode, closed.body).toBe(200);
    // The close publishes whatever waits (here the ballot left pending, now spoiled).
    resolvedOrder.push(pendingAtClose);
    const inLedger = await codesInLedger();
    expect([...inLedger].sort()).toEqual([...resolvedOrder].sort());
    expect(inLedger.at(-1)).toBe(pendingAtClose);
    expect(closed.json<BallotBoxStatus>()).toMatchObject({
      phase: 'polls-closed',
      castCount: 5,
      challengedCount: 2,
    });
    const afterClose = await atBooth('booth-1', '/api/booth/sessions', {
      credential: lateCredential,
    });
    expect(afterClose.statusCode).toBe(409);
    expect(problem(afterClose).reason).toBe('polls-not-open');
    await expectPublishedWithProof(pendingAtClose, 'challenged');
    for (const code of castCodes) await expectPublishedWithProof(code, 'cast');
  }, 180_000);

  it('refuses to tally while a ballot entry waits for publication', async () => {
    // Closing the polls publishes the last batch, so the state cannot arise through the
    // API; a store that reports waiting entries stands in for a close that failed midway.
    const waitingStore = new Proxy(store, {
      get: (t, key) =>
        key === 'countUnpublishedBallots'
          ? () => Promise.resolve(2)
          : (Reflect.get(t, key) as unknown),
    });
    const box = new BallotBox({
      runtime: new Proxy(runtime, {
        get: (t, key) => (key === 'store' ? waitingStore : (Reflect.get(t, key) as unknown)),
      }),
      recordsDir: join(dataDir, 'records'),
      publicationBatch: BATCH,
    });
    const refused = await box.tally({ actorId: 'admin-1', stationId: 'test' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('ballots-unpublished');
      expect(refused.error.message).toContain('2 cast or challenged ballots');
    }
    expect((await status()).phase).toBe('polls-closed');
    expect(() => new BallotBox({ runtime, recordsDir: dataDir, publicationBatch: 0 })).toThrow(
      /at least 1/,
    );
  });

  it('tallies, decrypts with two of three guardians, and publishes results equal to the plaintext', async () => {
    const early = await app.inject({ method: 'GET', url: '/api/results' });
    expect(early.statusCode).toBe(409);
    const byGuardian = await as('guardian-1', 'POST', '/api/tally');
    expect(byGuardian.statusCode).toBe(403);
    const tallied = await as('admin-1', 'POST', '/api/tally');
    expect(tallied.statusCode, tallied.body).toBe(200);
    expect(tallied.json<BallotBoxStatus>().phase).toBe('tallied');
    const byAdmin = await as('admin-1', 'POST', '/api/tally/shares');
    expect(byAdmin.statusCode).toBe(403);

    const first = await as('guardian-1', 'POST', '/api/tally/shares');
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      guardianId: 'guardian-1',
      sharesReleased: 1,
      quorum: 2,
      phase: 'tallied',
    });
    const twice = await as('guardian-1', 'POST', '/api/tally/shares');
    expect(twice.statusCode).toBe(409);
    expect(problem(twice).reason).toBe('share-already-released');
    const second = await as('guardian-3', 'POST', '/api/tally/shares');
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json()).toMatchObject({ sharesReleased: 2, phase: 'decrypted' });
    const late = await as('guardian-2', 'POST', '/api/tally/shares');
    expect(late.statusCode).toBe(409);
    expect(problem(late).reason).toBe('tally-already-decrypted');

    const results = (await app.inject({ method: 'GET', url: '/api/results' })).json<ResultsView>();
    expect(results.castCount).toBe(castMarks.length);
    for (const contest of results.contests) {
      for (const option of contest.options) {
        const expected = castMarks.filter((m) =>
          contest.type === 'ranked-choice'
            ? m[contest.contestId]?.[0] === option.optionId
            : (m[contest.contestId] ?? []).includes(option.optionId),
        ).length;
        expect(option.votes, `${contest.contestId} ${option.optionId}`).toBe(expected);
      }
    }
    const mayor = results.contests.find((c) => c.contestId === 'millbrook-mayor')!;
    // First choices Kowalski 1, Fontaine 1, Jackson 1: the rounds eliminate down to a winner.
    expect(mayor.ranked?.source).toBe('paper-ballot-records');
    expect(mayor.ranked?.ballots).toBe(3);
    expect(mayor.ranked?.rounds.length).toBeGreaterThan(1);
    expect(mayor.ranked?.winner).not.toBeNull();

    const verification = await app.inject({ method: 'GET', url: '/api/verification' });
    expect(verification.statusCode).toBe(200);
    const report = verification.json<VerificationView>();
    expect(report.steps.filter((s) => s.status === 'fail')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.steps.find((s) => s.id === 'V12')?.status).toBe('pass');
    // Stored once: a second read is the same report, not a new run.
    const again = (
      await app.inject({ method: 'GET', url: '/api/verification' })
    ).json<VerificationView>();
    expect(again).toEqual(report);
  }, 300_000);

  it('serves the record as a zip and the paper ballots to the audit, without codes', async () => {
    const zip = await app.inject({ method: 'GET', url: '/api/election-record.zip' });
    expect(zip.statusCode).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const files = Object.keys(unzipSync(new Uint8Array(zip.rawPayload)));
    expect(files.some((f) => f.endsWith('/tally.json'))).toBe(true);
    expect(files.filter((f) => f.includes('/challenged_ballots/'))).toHaveLength(2);
    expect(files.some((f) => f.includes('private'))).toBe(false);

    const byGuardian = await as('guardian-1', 'GET', '/api/paper-ballots');
    expect(byGuardian.statusCode).toBe(403);
    const manifest = (await as('admin-1', 'GET', '/api/paper-ballots')).json<{
      count: number;
      paperIds: string[];
    }>();
    expect(manifest.count).toBe(castMarks.length);
    const papers = [];
    for (const id of manifest.paperIds) {
      const paper = await as('admin-1', 'GET', `/api/paper-ballots/${id}`);
      expect(paper.statusCode).toBe(200);
      const body = paper.json<{ paperId: string; marks: Record<string, string[]> }>();
      expect(Object.keys(body).sort()).toEqual(['ballotStyleId', 'marks', 'paperId']);
      for (const code of castCodes) expect(JSON.stringify(body)).not.toContain(code);
      papers.push(body.marks);
    }
    const normal = (m: Record<string, string[]>) =>
      JSON.stringify(
        Object.entries(m)
          .filter(([, v]) => v.length > 0)
          .sort(),
      );
    expect(papers.map(normal).sort()).toEqual(castMarks.map(normal).sort());
    const missing = await as('admin-1', 'GET', '/api/paper-ballots/paper-none');
    expect(missing.statusCode).toBe(404);

    const entries = await store.ledgerEntries(0, await store.ledgerSize());
    const text = entries.map((e) => Buffer.from(e.bytes).toString('utf8')).join('\n');
    for (const id of [
      'vigil-0300',
      'vigil-0301',
      'vigil-0302',
      'vigil-0303',
      'vigil-0304',
      'vigil-0306',
      'vigil-0307',
      'vigil-0308',
      'vigil-0309',
      'vigil-0310',
    ]) {
      expect(text, id).toContain(`"${id}"`);
    }
    const records = await readdir(join(dataDir, 'records', runtime.election.id));
    expect(records).not.toContain('private_data');
  });
}

describe('the ballot box on a SQLite file', () => {
  ballotBoxContract(sqliteFileTarget);
});

describe.runIf(postgres.kind !== 'skip')('the ballot box on PostgreSQL', () => {
  if (postgres.kind === 'fail') {
    it('needs PostgreSQL', () => {
      expect.fail(postgres.message);
    });
    return;
  }
  if (postgres.kind === 'available') ballotBoxContract(() => postgresTarget(postgres.url));
});
