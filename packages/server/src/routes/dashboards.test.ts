import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixedClock,
  loadSampleElection,
  parseElectionDefinition,
  unwrap,
  type Election,
} from '@vigil/core';
import { importRoll, readCsvRoll } from '@vigil/registry';
import type { CheckInMethod, OfficialRole, Store } from '@vigil/store';
import {
  postgresTarget,
  postgresTestSetup,
  sqliteFileTarget,
  type StoreTarget,
} from '@vigil/store/testing';
import { buildServer } from '../app.ts';
import { createOfficial } from '../auth/index.ts';
import { loadElection } from '../elections.ts';
import type {
  CheckInDashboard,
  EnrolmentDashboard,
  EnrolmentVotersResponse,
  TurnoutDashboard,
} from './console-types.ts';

/**
 * The administration's dashboards over HTTP, on SQLite and PostgreSQL: turnout by UTC
 * hour and by precinct, check-ins, failed matches and overrides by station, and
 * enrolment by precinct with the list of voters, each counted by the store from rows
 * written the way check-in and enrolment write them; and who may see which.
 */

const postgres = postgresTestSetup();
const targets: [string, () => Promise<StoreTarget>][] = [['sqlite', sqliteFileTarget]];
if (postgres.kind === 'available') targets.push(['postgres', () => postgresTarget(postgres.url)]);
else if (postgres.kind === 'fail') throw new Error(postgres.message);
else console.warn(postgres.message);

const ROLL = [
  'voter_id,given_name,family_name,birth_date,address_line1,city,state,postal_code,precinct_id',
  'D-1,Ada,Byron,1975-12-10,1 Elm St,Millbrook,OH,43001,p-101',
  'D-2,Grace,Hopper,1990-01-01,2 Elm St,Millbrook,OH,43001,p-101',
  'D-3,Alan,Turing,1985-06-23,3 Oak St,Millbrook,OH,43002,p-101',
  'D-4,Edsger,Dijkstra,1970-05-11,4 Oak St,Millbrook,OH,43002,p-102',
  'D-5,Barbara,Liskov,1969-11-07,5 Pine St,Millbrook,OH,43003,p-102',
  'D-6,Radia,Perlman,1971-12-18,6 Pine St,Millbrook,OH,43003,p-104',
].join('\n');

describe.each(targets)('dashboards API on %s', (_name, makeTarget) => {
  const clock = fixedClock(new Date('2026-11-03T13:59:00.000Z'));
  let target: StoreTarget;
  let store: Store;
  let app: FastifyInstance;
  let election: Election;
  const tokens = new Map<OfficialRole, string>();

  const checkIn = async (
    voterId: string,
    stationId: string,
    at: string,
    method: CheckInMethod,
    attempts: ('match' | 'no-match')[],
  ) => {
    for (const [i, outcome] of attempts.entries()) {
      await store.recordCheckInAttempt({
        electionId: election.id,
        voterId,
        attemptNo: i + 1,
        stationId,
        officialId: 'pw',
        outcome,
        score: outcome === 'match' ? 80 : 5,
        attemptedAt: new Date(at),
      });
    }
    await store.lockVoterParticipation({
      electionId: election.id,
      voterId,
      checkInId: `c-${voterId}`,
      stationId,
      officialId: 'pw',
      method,
      ...(method === 'override' ? { supervisorId: 'sup', overrideReason: 'worn fingers' } : {}),
      ballotStyleId: 'bs-1',
      checkedInAt: new Date(at),
      credentialIssued: false,
    });
  };

  beforeAll(async () => {
    target = await makeTarget();
    store = await target.open();
    app = await buildServer({ store, webDistDir: join(tmpdir(), 'no-web'), clock });

    // Before any election is loaded there is nothing to count.
    const actor = { actorId: 'test', stationId: 'test', now: clock.now() };
    for (const role of ['registrar', 'administrator'] as const) {
      const { password } = unwrap(
        await createOfficial(
          store,
          { officialId: `dash-${role}`, displayName: role, role, pollingPlaces: [] },
          actor,
        ),
      );
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { officialId: `dash-${role}`, password },
      });
      expect(login.statusCode, login.body).toBe(201);
      tokens.set(role, login.json<{ token: string }>().token);
    }
  });

  afterAll(async () => {
    await app.close();
    await target.cleanup();
  });

  const get = (url: string, role?: OfficialRole) =>
    app.inject({
      method: 'GET',
      url,
      headers: role === undefined ? {} : { authorization: `Bearer ${tokens.get(role) ?? ''}` },
    });

  it('answers 409 with what to do while no election is loaded', async () => {
    const res = await get('/api/dashboards/turnout', 'administrator');
    expect(res.statusCode).toBe(409);
    expect(res.json<{ code: string; hint: string }>()).toMatchObject({
      code: 'no-election',
      hint: expect.stringContaining('Load the election definition') as unknown,
    });
  });

  it('counts turnout by UTC hour and by precinct, and activity by station', async () => {
    const bytes = loadSampleElection();
    unwrap(await loadElection(store, bytes, clock));
    election = unwrap(parseElectionDefinition(bytes)).election;
    const csv = new TextEncoder().encode(ROLL);
    unwrap(
      await importRoll(store, {
        rows: unwrap(readCsvRoll(csv)),
        format: 'csv',
        fileBytes: csv,
        election,
        actorId: 'test',
        stationId: 'test',
        time: clock.now(),
      }),
    );
    await checkIn('D-1', 'st-a', '2026-11-03T14:05:00.000Z', 'biometric', ['match']);
    await checkIn('D-2', 'st-a', '2026-11-03T14:55:00.000Z', 'override', ['no-match', 'no-match']);
    await checkIn('D-4', 'st-b', '2026-11-03T16:10:00.000Z', 'biometric', ['no-match', 'match']);
    // A failed attempt of a voter who then left: an attempt, no check-in.
    await store.recordCheckInAttempt({
      electionId: election.id,
      voterId: 'D-5',
      attemptNo: 1,
      stationId: 'st-c',
      officialId: 'pw',
      outcome: 'no-match',
      score: 3,
      attemptedAt: new Date('2026-11-03T16:20:00.000Z'),
    });

    const turnout = await get('/api/dashboards/turnout', 'administrator');
    expect(turnout.statusCode, turnout.body).toBe(200);
    const t = turnout.json<TurnoutDashboard>();
    expect(t).toMatchObject({ electionId: election.id, registered: 6, checkedIn: 3 });
    expect(t.byHour).toEqual([
      { hour: '2026-11-03T14:00:00.000Z', checkIns: 2, overrides: 1 },
      { hour: '2026-11-03T16:00:00.000Z', checkIns: 1, overrides: 0 },
    ]);
    expect(t.byPrecinct).toEqual([
      { precinctId: 'p-101', name: 'Ashford', registered: 3, checkedIn: 2 },
      { precinctId: 'p-102', name: 'Benton Square', registered: 2, checkedIn: 1 },
      { precinctId: 'p-104', name: 'Dunmore', registered: 1, checkedIn: 0 },
    ]);

    const stations = await get('/api/dashboards/checkins', 'registrar');
    expect(stations.statusCode, stations.body).toBe(200);
    expect(stations.json<CheckInDashboard>().byStation).toEqual([
      { stationId: 'st-a', checkIns: 2, biometric: 1, overrides: 1, attempts: 3, failedMatches: 2 },
      { stationId: 'st-b', checkIns: 1, biometric: 1, overrides: 0, attempts: 2, failedMatches: 1 },
      { stationId: 'st-c', checkIns: 0, biometric: 0, overrides: 0, attempts: 1, failedMatches: 1 },
    ]);
  });

  it('counts enrolment by precinct and pages the roll with each voter enrolled or not', async () => {
    const record = (voterId: string, position: number) => ({
      voterId,
      modality: 'finger' as const,
      position,
      format: 1,
      quality: 60,
      keyId: 'k',
      wrappedKey: new Uint8Array([1]),
      nonce: new Uint8Array([2]),
      ciphertext: new Uint8Array([3]),
      enrolledAt: clock.now(),
      enrolledBy: 'dash-registrar',
    });
    // Two fingers of one voter count once.
    unwrap(
      await store.saveEnrolment({
        voterId: 'D-1',
        records: [record('D-1', 2), record('D-1', 7)],
        ledgerEntries: [],
      }),
    );
    unwrap(
      await store.saveEnrolment({ voterId: 'D-4', records: [record('D-4', 2)], ledgerEntries: [] }),
    );

    const res = await get('/api/dashboards/enrolment', 'registrar');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<EnrolmentDashboard>().byPrecinct).toEqual([
      { precinctId: 'p-101', name: 'Ashford', registered: 3, enrolled: 1, blockedAsDuplicates: 0 },
      {
        precinctId: 'p-102',
        name: 'Benton Square',
        registered: 2,
        enrolled: 1,
        blockedAsDuplicates: 0,
      },
      { precinctId: 'p-104', name: 'Dunmore', registered: 1, enrolled: 0, blockedAsDuplicates: 0 },
    ]);

    const page = async (query: string) => {
      const r = await get(`/api/dashboards/enrolment/voters?${query}`, 'registrar');
      expect(r.statusCode, r.body).toBe(200);
      return r.json<EnrolmentVotersResponse>();
    };
    const first = await page('limit=2');
    expect(first.voters.map((v) => [v.voterId, v.enrolled])).toEqual([
      ['D-1', true],
      ['D-2', false],
    ]);
    expect(first.next).toBe('D-2');
    const rest = await page(`limit=10&after=${first.next ?? ''}`);
    expect(rest.voters.map((v) => v.voterId)).toEqual(['D-3', 'D-4', 'D-5', 'D-6']);
    expect(rest.next).toBeUndefined();
    expect((await page('enrolled=no&precinct=p-101')).voters.map((v) => v.voterId)).toEqual([
      'D-2',
      'D-3',
    ]);
    expect((await page('enrolled=yes')).voters.map((v) => v.voterId)).toEqual(['D-1', 'D-4']);
  });

  it('lets only signed-in officials of the right roles see each figure', async () => {
    expect((await get('/api/dashboards/turnout')).statusCode).toBe(401);
    expect((await get('/api/dashboards/checkins')).statusCode).toBe(401);
    // The enrolment list names voters: registrars keep the roll, administrators do not.
    const refused = await get('/api/dashboards/enrolment/voters', 'administrator');
    expect(refused.statusCode).toBe(403);
    expect((await get('/api/dashboards/enrolment', 'administrator')).statusCode).toBe(403);
    const bad = await get('/api/dashboards/enrolment/voters?enrolled=maybe', 'registrar');
    expect(bad.statusCode).toBe(400);
  });
});
