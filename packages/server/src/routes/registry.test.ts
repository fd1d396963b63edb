import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleElection, systemClock, unwrap } from '@vigil/core';
import { openStore, type Store } from '@vigil/store';
import {
  finishCredential,
  openRegistry,
  requestCredential,
  sharedDataDir,
  type CredentialPublicKey,
  type RegistryRuntime,
} from '@vigil/registry';
import { buildServer } from '../app.ts';
import { createOfficial, registerStation, type Actor } from '../auth/index.ts';
import { loadElection } from '../elections.ts';

/**
 * The registry's HTTP API end to end, as stations and officials use it: a registrar
 * imports the roll and enrols voters with real fingerprint images (FVC2002 DB1), poll
 * workers check voters in at their stations with a fresh impression of the finger and
 * obtain a blind ballot credential, which the ballot box spends once; and every refusal
 * on the way is a problem document saying why.
 */

const fingerprintDir = join(sharedDataDir(), 'fingerprints', 'FVC2002_DB1_B');
const haveFingerprints = existsSync(join(fingerprintDir, '101_1.tif'));
if (!haveFingerprints) {
  console.warn(
    `registry HTTP biometric tests skipped: no FVC2002 images under ${fingerprintDir} (set VIGIL_SHARED_DATA)`,
  );
}
const finger = (id: number, impression: number): string =>
  readFileSync(join(fingerprintDir, `${id}_${impression}.tif`)).toString('base64');

const ROLL = [
  'voter_id,given_name,family_name,birth_date,address_line1,city,state,postal_code,precinct_id',
  'FR-1,José,Núñez,1980-04-02,1 Elm St,Millbrook,OH,43001,p-101',
  'FR-2,Ada,Byron,1975-12-10,2 Elm St,Millbrook,OH,43001,p-101',
  'FR-3,Grace,Hopper,1990-01-01,3 Elm St,Millbrook,OH,43001,p-101',
  'FR-4,Alan,Turing,1985-06-23,4 Oak St,Millbrook,OH,43002,p-102',
].join('\n');

let dir: string;
let store: Store;
let runtime: RegistryRuntime;
let app: FastifyInstance;
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
const basic = (officialId: string) =>
  `Basic ${Buffer.from(`${officialId}:${passwords.get(officialId)!}`).toString('base64')}`;

function keyFor(ballotStyleId: string): CredentialPublicKey {
  const key = runtime.publicKeys.find((k) => k.ballotStyleId === ballotStyleId);
  if (key === undefined) throw new Error(`no key for ${ballotStyleId}`);
  return key;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-registry-http-'));
  store = await openStore({ dataDir: dir });
  unwrap(await loadElection(store, loadSampleElection(), systemClock));
  const actor: Actor = { actorId: 'test', stationId: 'test', now: new Date() };
  for (const [officialId, role, places] of [
    ['reg-1', 'registrar', []],
    ['pw-101', 'poll_worker', ['p-101']],
    ['sup-101', 'supervisor', ['p-101']],
    ['pw2-101', 'poll_worker', ['p-101']],
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
    ['st-101', 'p-101'],
    ['box-101', 'p-101'],
  ] as const) {
    const registered = unwrap(await registerStation(store, { stationId, pollingPlace }, actor));
    stationTokens.set(stationId, registered.token);
  }
  runtime = unwrap(
    await openRegistry({
      store,
      clock: systemClock,
      dataDir: dir,
      env: { VIGIL_MASTER_KEY: randomBytes(32).toString('base64') },
    }),
  );
  app = await buildServer({ store, registry: runtime });
}, 120_000);

afterAll(async () => {
  await app.close();
  await runtime.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the registry over HTTP', () => {
  it('publishes the credential keys, one per ballot style, without sign-in', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/registry' });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ credentialKeys: { ballotStyleId: string }[] }>();
    expect(body.credentialKeys.map((k) => k.ballotStyleId).sort()).toEqual(
      runtime.election.ballotStyles.map((s) => s.id).sort(),
    );
  });

  it('imports the roll for a registrar only, and names the row and field of a bad file', async () => {
    const anonymous = await app.inject({
      method: 'POST',
      url: '/api/roll/imports',
      payload: ROLL,
      headers: { 'content-type': 'text/csv' },
    });
    expect(anonymous.statusCode).toBe(401);
    const worker = await login('pw-101', 'st-101');
    const refused = await app.inject({
      method: 'POST',
      url: '/api/roll/imports',
      payload: ROLL,
      headers: { ...bearer(worker), 'content-type': 'text/csv' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ code: string }>().code).toBe('forbidden-role');

    const registrar = await login('reg-1');
    const bad = await app.inject({
      method: 'POST',
      url: '/api/roll/imports?format=csv',
      payload: `${ROLL}\nFR-5,Bad,Date,1999-02-30,5 Elm St,Millbrook,OH,43001,p-101`,
      headers: { ...bearer(registrar), 'content-type': 'text/csv' },
    });
    expect(bad.statusCode).toBe(422);
    const problems = bad.json<{ problems: { path: string }[] }>().problems;
    expect(problems[0]?.path).toBe('row 6.birth_date');

    const imported = await app.inject({
      method: 'POST',
      url: '/api/roll/imports?format=csv',
      payload: ROLL,
      headers: { ...bearer(registrar), 'content-type': 'text/csv' },
    });
    expect(imported.statusCode, imported.body).toBe(201);
    expect(imported.json<{ registered: number }>().registered).toBe(4);
  });

  it('finds a voter despite a typo and missing accents', async () => {
    const worker = await login('pw-101', 'st-101');
    const response = await app.inject({
      method: 'GET',
      url: `/api/voters?name=${encodeURIComponent('Jose Nunes')}`,
      headers: bearer(worker),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ voters: { voterId: string }[] }>().voters[0]?.voterId).toBe('FR-1');
  });

  it('sends a voter at the wrong polling place to theirs, and a person not on the roll to a provisional ballot', async () => {
    const worker = await login('pw-101', 'st-101');
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/checkins',
      headers: bearer(worker),
      payload: {
        voterId: 'FR-4',
        fingerprint: { image: Buffer.from('not an image').toString('base64') },
      },
    });
    // The probe is read before the roll: an unreadable image is a retake, not an attempt.
    expect(wrong.statusCode).toBe(422);
    if (!haveFingerprints) return;
    const moved = await app.inject({
      method: 'POST',
      url: '/api/checkins',
      headers: bearer(worker),
      payload: { voterId: 'FR-4', fingerprint: { image: finger(108, 2) } },
    });
    expect(moved.statusCode, moved.body).toBe(409);
    const problem = moved.json<{ reason: string; goTo: { precinctId: string } }>();
    expect(problem.reason).toBe('wrong-polling-place');
    expect(problem.goTo.precinctId).toBe('p-102');

    const unknown = await app.inject({
      method: 'POST',
      url: '/api/checkins',
      headers: bearer(worker),
      payload: { voterId: 'NOBODY', fingerprint: { image: finger(108, 2) } },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ reason: string }>().reason).toBe('not-on-roll');
    const provisional = await app.inject({
      method: 'POST',
      url: '/api/provisional-ballots',
      headers: bearer(worker),
      payload: { claimedVoterId: 'NOBODY', reason: 'says they registered at the DMV in May' },
    });
    expect(provisional.statusCode, provisional.body).toBe(201);
    expect(provisional.json<{ envelopeId: string }>().envelopeId).toBeTruthy();
  });

  it.skipIf(!haveFingerprints)(
    'enrols, checks in with a fresh impression, and the blind credential is spent exactly once',
    async () => {
      const registrar = await login('reg-1');
      const enrolled = await app.inject({
        method: 'POST',
        url: '/api/voters/FR-1/enrolment',
        headers: bearer(registrar),
        payload: {
          fingers: [
            { position: 2, image: finger(101, 1) },
            { position: 7, image: finger(102, 1) },
          ],
        },
      });
      expect(enrolled.statusCode, enrolled.body).toBe(201);
      expect(enrolled.json<{ suspectedDuplicates: number }>().suspectedDuplicates).toBe(0);

      const worker = await login('pw-101', 'st-101');
      const ballotStyleId = (await store.getVoter('FR-1'))!.ballotStyleId;
      const { pending, blindedMessage } = await requestCredential(keyFor(ballotStyleId));
      const checked = await app.inject({
        method: 'POST',
        url: '/api/checkins',
        headers: bearer(worker),
        payload: {
          voterId: 'FR-1',
          fingerprint: { image: finger(101, 3) },
          blindedMessage: Buffer.from(blindedMessage).toString('base64'),
        },
      });
      expect(checked.statusCode, checked.body).toBe(201);
      const result = checked.json<{ method: string; blindSignature: string }>();
      expect(result.method).toBe('biometric');
      const credential = unwrap(
        await finishCredential(
          pending,
          new Uint8Array(Buffer.from(result.blindSignature, 'base64')),
        ),
      );

      const again = await app.inject({
        method: 'POST',
        url: '/api/checkins',
        headers: bearer(worker),
        payload: { voterId: 'FR-1', fingerprint: { image: finger(101, 4) } },
      });
      expect(again.statusCode).toBe(409);
      expect(again.json<{ reason: string }>().reason).toBe('already-voted');

      const spend = () =>
        app.inject({
          method: 'POST',
          url: '/api/ballot-box/credentials',
          headers: { 'vigil-station-token': stationTokens.get('box-101')! },
          payload: {
            ballotStyleId,
            credential: {
              electionId: credential.electionId,
              ballotStyleId: credential.ballotStyleId,
              preparedMessage: Buffer.from(credential.preparedMessage).toString('base64'),
              signature: Buffer.from(credential.signature).toString('base64'),
            },
          },
        });
      const first = await spend();
      expect(first.statusCode, first.body).toBe(201);
      const second = await spend();
      expect(second.statusCode).toBe(409);
      expect(second.json<{ reason: string }>().reason).toBe('already-spent');
      const noToken = await app.inject({
        method: 'POST',
        url: '/api/ballot-box/credentials',
        payload: {},
      });
      expect(noToken.statusCode).toBe(401);
    },
  );

  it.skipIf(!haveFingerprints)(
    'after three mismatches, an override needs a second official, a supervisor',
    async () => {
      const registrar = await login('reg-1');
      const enrolled = await app.inject({
        method: 'POST',
        url: '/api/voters/FR-2/enrolment',
        headers: bearer(registrar),
        payload: {
          fingers: [
            { position: 2, image: finger(103, 1) },
            { position: 7, image: finger(104, 1) },
          ],
        },
      });
      expect(enrolled.statusCode, enrolled.body).toBe(201);
      const worker = await login('pw-101', 'st-101');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const attempt = await app.inject({
          method: 'POST',
          url: '/api/checkins',
          headers: bearer(worker),
          payload: { voterId: 'FR-2', fingerprint: { image: finger(105, 2 + i) } },
        });
        statuses.push(attempt.statusCode);
      }
      expect(statuses.slice(0, 3)).toEqual([422, 422, 422]);
      expect(statuses[3]).toBe(423);

      const override = (headers: Record<string, string>) =>
        app.inject({
          method: 'POST',
          url: '/api/checkins/override',
          headers: { ...bearer(worker), ...headers },
          payload: { voterId: 'FR-2', reason: 'worn fingertips', idDocumentChecked: true },
        });
      const alone = await override({});
      expect(alone.statusCode).toBe(403);
      expect(alone.json<{ code: string }>().code).toBe('second-official-required');
      const anotherWorker = await override({ 'vigil-second-official': basic('pw2-101') });
      expect(anotherWorker.statusCode).toBe(403);
      expect(anotherWorker.json<{ code: string }>().code).toBe('second-official-role');
      const supervised = await override({ 'vigil-second-official': basic('sup-101') });
      expect(supervised.statusCode, supervised.body).toBe(201);
      expect(supervised.json<{ method: string }>().method).toBe('override');
    },
  );

  it.skipIf(!haveFingerprints)(
    'finds on sync a voter an offline station also checked in, and refuses a malformed journal',
    async () => {
      const worker = await login('pw-101', 'st-101');
      const malformed = await app.inject({
        method: 'POST',
        url: '/api/station-sync',
        headers: bearer(worker),
        payload: {
          stationId: 'st-101',
          electionId: runtime.election.id,
          sentAt: 'yesterday',
          checkIns: [],
        },
      });
      expect(malformed.statusCode).toBe(400);

      const now = Date.now();
      const stamp = (ms: number, counter: number) => ({ wallMs: ms, counter, node: 'st-101' });
      const encode = (t: { wallMs: number; counter: number; node: string }) =>
        `${String(t.wallMs).padStart(15, '0')}.${String(t.counter).padStart(5, '0')}.${t.node}`;
      const offline = {
        stationId: 'st-101',
        hlc: encode(stamp(now - 60_000, 0)),
        checkInId: 'offline-0001',
        electionId: runtime.election.id,
        // FR-1 voted online in the test above; FR-3 had not voted.
        voterId: 'FR-1',
        officialId: 'pw-101',
        method: 'override',
        ballotStyleId: (await store.getVoter('FR-1'))!.ballotStyleId,
      };
      const fresh = {
        ...offline,
        hlc: encode(stamp(now - 30_000, 0)),
        checkInId: 'offline-0002',
        voterId: 'FR-3',
        ballotStyleId: (await store.getVoter('FR-3'))!.ballotStyleId,
      };
      const batch = {
        stationId: 'st-101',
        electionId: runtime.election.id,
        sentAt: stamp(now, 1),
        checkIns: [offline, fresh],
      };
      const synced = await app.inject({
        method: 'POST',
        url: '/api/station-sync',
        headers: bearer(worker),
        payload: batch,
      });
      expect(synced.statusCode, synced.body).toBe(200);
      const receipt = synced.json<{
        accepted: string[];
        duplicates: string[];
        incidents: unknown[];
      }>();
      expect(receipt.accepted).toEqual(['offline-0002']);
      expect(receipt.duplicates).toEqual(['offline-0001']);
      expect(receipt.incidents).toHaveLength(1);
      // Sending it again changes nothing: sync is idempotent.
      const again = await app.inject({
        method: 'POST',
        url: '/api/station-sync',
        headers: bearer(worker),
        payload: batch,
      });
      expect(again.json<{ alreadyReceived: string[] }>().alreadyReceived.sort()).toEqual([
        'offline-0001',
        'offline-0002',
      ]);
    },
  );
});
