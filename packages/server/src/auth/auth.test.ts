import { readFile, stat } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, loadSampleElection, unwrap } from '@vigil/core';
import { decodeEntry, eventIdOf } from '@vigil/ledger';
import { openStore, type OfficialRole, type Store } from '@vigil/store';
import { buildServer } from '../app.ts';
import { loadElection } from '../elections.ts';
import { sendProblem } from '../problem.ts';
import { createOfficial, registerStation, unlockOfficial, type Actor } from './accounts.ts';
import { createDemoCredentials } from './demo.ts';
import { officialOf, requireOfficial, stationOf, verifySecondOfficial } from './guard.ts';
import { DEFAULT_AUTH_POLICY, rolesFor } from './policy.ts';

const T0 = new Date('2026-11-03T06:00:00.000Z');
const MINUTE = 60_000;

let dir: string;
let store: Store;
let app: FastifyInstance;
let clock: ReturnType<typeof fixedClock>;
const passwords: Record<string, string> = {};
const stations: Record<string, string> = {};

const actor = (): Actor => ({ actorId: 'admin', stationId: 'vigil-server', now: clock.now() });

async function official(id: string, role: OfficialRole, places: string[] = []): Promise<void> {
  const created = unwrap(
    await createOfficial(
      store,
      { officialId: id, displayName: id, role, pollingPlaces: places },
      actor(),
    ),
  );
  passwords[id] = created.password;
}

async function station(id: string, place: string): Promise<void> {
  stations[id] = unwrap(
    await registerStation(store, { stationId: id, pollingPlace: place }, actor()),
  ).token;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-auth-'));
  store = await openStore({ dataDir: dir });
  clock = fixedClock(T0);
  unwrap(await loadElection(store, loadSampleElection(), clock));
  await Promise.all([
    official('pw-1', 'poll_worker', ['p-101']),
    official('pw-2', 'poll_worker', ['p-101']),
    official('sup-1', 'supervisor', ['p-101']),
    official('sup-2', 'supervisor', ['p-102']),
    official('reg-1', 'registrar'),
    official('admin-1', 'administrator'),
    official('admin-101', 'administrator', ['p-101']),
  ]);
  await station('st-101', 'p-101');
  await station('st-102', 'p-102');
  app = await buildServer({ store, webDistDir: join(dir, 'no-web'), clock });
  // A route as the registry will write one: check-in at a station, with a supervised
  // override confirmed by a second official.
  app.post(
    '/test/override',
    {
      preHandler: requireOfficial({
        store,
        roles: rolesFor('checkin'),
        station: 'required',
        clock,
      }),
    },
    async (request, reply) => {
      const second = await verifySecondOfficial(store, request.headers['vigil-second-official'], {
        acting: officialOf(request),
        pollingPlace: stationOf(request).pollingPlace,
        clock,
      });
      if (!second.ok) return sendProblem(request, reply, second.error);
      return { acting: officialOf(request).officialId, second: second.value.officialId };
    },
  );
  app.get(
    '/test/enrolment-desk',
    { preHandler: requireOfficial({ store, roles: ['registrar'], station: 'required', clock }) },
    () => ({ ok: true }),
  );
});

afterEach(async () => {
  await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: Record<string, unknown>;
}

async function call(
  method: 'GET' | 'POST',
  url: string,
  options: { token?: string; headers?: Record<string, string>; payload?: object } = {},
): Promise<Answer> {
  const res = await app.inject({
    method,
    url,
    headers: {
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });
  return {
    status: res.statusCode,
    headers: res.headers,
    body: res.body === '' ? {} : res.json<Record<string, unknown>>(),
  };
}

function login(officialId: string, password: string | undefined, stationId?: string) {
  return call('POST', '/api/auth/login', {
    payload: { officialId, password: password ?? 'not-the-password' },
    headers: stationId === undefined ? {} : { 'vigil-station-token': stations[stationId]! },
  });
}

async function tokenOf(officialId: string, stationId?: string): Promise<string> {
  const res = await login(officialId, passwords[officialId], stationId);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.token as string;
}

const basic = (id: string, password: string) =>
  `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`;

describe('sign-in', () => {
  it('opens a session for the right password and answers who is signed in', async () => {
    const res = await login('reg-1', passwords['reg-1']);
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresAt: new Date(T0.getTime() + 12 * 60 * MINUTE).toISOString(),
      idleTimeoutSeconds: 30 * 60,
      official: { officialId: 'reg-1', role: 'registrar', pollingPlaces: [] },
      station: null,
    });
    expect(res.body.token).toMatch(/^vgs_[A-Za-z0-9_-]{43}$/);
    const me = await call('GET', '/api/auth/me', { token: res.body.token as string });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ official: { officialId: 'reg-1' }, station: null });
    // The token itself is not what the database keeps.
    const rows = await store.db.selectFrom('official_sessions').select('session_hash').execute();
    expect(rows.map((r) => r.session_hash)).not.toContain(res.body.token);
  });

  it('answers a wrong password and an unknown id alike: 401 with a challenge', async () => {
    const wrong = await login('reg-1', 'wrong password 123');
    const unknown = await login('nobody', 'wrong password 123');
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="vigil"');
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const strip = ({ requestId: _r, ...rest }: Record<string, unknown>) => rest;
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.body).toMatchObject({
      status: 401,
      code: 'sign-in-refused',
      type: 'urn:vigil:problem:sign-in-refused',
    });
    expect(wrong.body.detail).toContain('locked for 15 minutes');
  });

  it(`locks an account after ${DEFAULT_AUTH_POLICY.maxFailedSignIns} failures, for 15 minutes or until unlocked`, async () => {
    for (let i = 0; i < DEFAULT_AUTH_POLICY.maxFailedSignIns; i++) {
      expect((await login('reg-1', 'wrong password 123')).status).toBe(401);
    }
    // Locked: even the right password is refused, with the same answer as a wrong one.
    const locked = await login('reg-1', passwords['reg-1']);
    expect(locked.status).toBe(401);
    expect(locked.body.code).toBe('sign-in-refused');
    expect((await store.getOfficial('reg-1'))?.lockedUntil).toEqual(
      new Date(T0.getTime() + 15 * MINUTE),
    );
    clock.advance(14 * MINUTE);
    expect((await login('reg-1', passwords['reg-1'])).status).toBe(401);
    clock.advance(MINUTE);
    expect((await login('reg-1', passwords['reg-1'])).status).toBe(201);

    // The administrator's way out: unlock at once.
    for (let i = 0; i < DEFAULT_AUTH_POLICY.maxFailedSignIns; i++) {
      await login('reg-1', 'wrong password 123');
    }
    expect((await login('reg-1', passwords['reg-1'])).status).toBe(401);
    unwrap(await unlockOfficial(store, 'reg-1', actor()));
    expect((await login('reg-1', passwords['reg-1'])).status).toBe(201);
  });

  it('refuses a burst of parallel guesses beyond the limit without checking them', async () => {
    const burst = await Promise.all(
      Array.from({ length: 12 }, () => login('reg-1', 'wrong password 123')),
    );
    expect(burst.every((r) => r.status === 401)).toBe(true);
    expect((await store.getOfficial('reg-1'))?.lockedUntil).toBeDefined();
    expect((await login('reg-1', passwords['reg-1'])).status).toBe(401);
  });

  it('refuses a disabled official, and ends their open sessions', async () => {
    const token = await tokenOf('reg-1');
    const admin = await tokenOf('admin-1');
    const disabled = await call('POST', '/api/officials/reg-1/disable', { token: admin });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ official: { status: 'disabled' } });
    expect((await call('GET', '/api/auth/me', { token })).status).toBe(401);
    expect((await login('reg-1', passwords['reg-1'])).body.code).toBe('sign-in-refused');
  });
});

describe('sessions', () => {
  it('end 12 hours after sign-in, however active', async () => {
    const token = await tokenOf('reg-1');
    for (let i = 0; i < 24; i++) {
      clock.advance(29 * MINUTE);
      expect((await call('GET', '/api/auth/me', { token })).status).toBe(200);
    }
    // 24 × 29 min = 11 h 36 min; 24 more minutes reach 12 h.
    clock.advance(24 * MINUTE);
    const expired = await call('GET', '/api/auth/me', { token });
    expect(expired.status).toBe(401);
    expect(expired.headers['www-authenticate']).toBe('Bearer realm="vigil", error="invalid_token"');
    expect(expired.body).toMatchObject({ code: 'unauthenticated' });
    expect(expired.body.detail).toContain('expired');
  });

  it('end after 30 minutes without a request', async () => {
    const token = await tokenOf('reg-1');
    clock.advance(30 * MINUTE);
    const idle = await call('GET', '/api/auth/me', { token });
    expect(idle.status).toBe(401);
    expect(idle.body.detail).toContain('without activity');
    // An ended session stays ended.
    clock.advance(-10 * MINUTE);
    expect((await call('GET', '/api/auth/me', { token })).status).toBe(401);
  });

  it('end at sign-out', async () => {
    const token = await tokenOf('reg-1');
    const out = await call('POST', '/api/auth/logout', { token });
    expect(out.status).toBe(204);
    const after = await call('GET', '/api/auth/me', { token });
    expect(after.status).toBe(401);
    expect(after.body.detail).toContain('signed out');
    expect((await call('POST', '/api/auth/logout', { token })).status).toBe(401);
  });
});

describe('roles', () => {
  it('401 without a token, with the bare RFC 6750 challenge', async () => {
    const res = await call('GET', '/api/officials');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="vigil"');
    expect(res.body).toMatchObject({
      type: 'urn:vigil:problem:unauthenticated',
      title: 'Unauthorized',
      status: 401,
      instance: '/api/officials',
    });
    const garbage = await call('GET', '/api/officials', { token: 'vgs_not-a-session' });
    expect(garbage.status).toBe(401);
    expect(garbage.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('403 naming the role needed and the role held', async () => {
    const poll = await tokenOf('pw-1', 'st-101');
    const res = await call('GET', '/api/officials', { token: poll });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      type: 'urn:vigil:problem:forbidden-role',
      title: 'Forbidden',
      code: 'forbidden-role',
      detail: 'This action needs the role administrator; you are signed in as poll_worker.',
    });
    // The administrator manages accounts but takes no part in voting.
    const admin = await tokenOf('admin-1');
    const vote = await call('POST', '/test/override', { token: admin });
    expect(vote.status).toBe(403);
    expect(vote.body.detail).toBe(
      'This action needs the role poll_worker or supervisor; you are signed in as administrator.',
    );
  });

  it('lets administrators manage officials and stations, recorded in the ledger', async () => {
    const admin = await tokenOf('admin-1');
    const before = await store.ledgerSize();
    const created = await call('POST', '/api/officials', {
      token: admin,
      payload: {
        officialId: 'pw-9',
        displayName: 'New Worker',
        role: 'poll_worker',
        pollingPlaces: ['p-104'],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const noPlace = await call('POST', '/api/officials', {
      token: admin,
      payload: { officialId: 'pw-10', displayName: 'W', role: 'poll_worker' },
    });
    expect(noPlace.status).toBe(422);
    const badPlace = await call('POST', '/api/officials', {
      token: admin,
      payload: {
        officialId: 'pw-10',
        displayName: 'W',
        role: 'supervisor',
        pollingPlaces: ['p-999'],
      },
    });
    expect(badPlace.status).toBe(422);
    expect(badPlace.body.detail).toContain('p-999 is not a precinct');
    const st = await call('POST', '/api/stations', {
      token: admin,
      payload: { stationId: 'st-104', pollingPlace: 'p-104' },
    });
    expect(st.status).toBe(201);
    expect(st.body.token).toMatch(/^vgt_/);
    const list = await call('GET', '/api/stations', { token: admin });
    expect((list.body.stations as { stationId: string }[]).map((s) => s.stationId)).toEqual([
      'st-101',
      'st-102',
      'st-104',
    ]);
    const entries = await store.ledgerEntries(before, await store.ledgerSize());
    const decoded = entries.map((e) => unwrap(decodeEntry(e.bytes)));
    expect(decoded.map((e) => e.eventId)).toEqual([
      eventIdOf('official.created'),
      eventIdOf('station.registered'),
    ]);
    expect(decoded[0]).toMatchObject({
      actorId: 'admin-1',
      subjects: ['official:pw-9', 'precinct:p-104'],
      detail: 'role poll_worker',
    });
    // Ids only: no display name in the ledger.
    expect(JSON.stringify(decoded)).not.toContain('New Worker');
  });
});

describe('stations', () => {
  it('bind a session to the station it was opened on', async () => {
    const res = await login('pw-1', passwords['pw-1'], 'st-101');
    expect(res.status).toBe(201);
    expect(res.body.station).toEqual({ stationId: 'st-101', pollingPlace: 'p-101' });
    const me = await call('GET', '/api/auth/me', { token: res.body.token as string });
    expect(me.body.station).toEqual({ stationId: 'st-101', pollingPlace: 'p-101' });
  });

  it('are where poll workers and supervisors sign in, and only at their own place', async () => {
    const none = await login('pw-1', passwords['pw-1']);
    expect(none.status).toBe(403);
    expect(none.body.code).toBe('station-required');
    const elsewhere = await login('sup-1', passwords['sup-1'], 'st-102');
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toMatchObject({ code: 'not-assigned' });
    expect(elsewhere.body.detail).toContain('p-101');
    const forged = await call('POST', '/api/auth/login', {
      payload: { officialId: 'pw-1', password: passwords['pw-1'] },
      headers: { 'vigil-station-token': 'vgt_forged' },
    });
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('station-not-recognised');
  });

  it('end their sessions when revoked, and refuse new ones', async () => {
    const token = await tokenOf('pw-1', 'st-101');
    const admin = await tokenOf('admin-1');
    expect((await call('POST', '/api/stations/st-101/revoke', { token: admin })).status).toBe(200);
    expect((await call('GET', '/api/auth/me', { token })).status).toBe(401);
    const again = await login('pw-1', passwords['pw-1'], 'st-101');
    expect(again.body.code).toBe('station-not-recognised');
  });

  it('are required by routes that say so, even for a role that may sign in without one', async () => {
    const desk = await tokenOf('reg-1');
    const res = await call('GET', '/test/enrolment-desk', { token: desk });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('station-required');
    const atStation = await tokenOf('reg-1', 'st-102');
    expect((await call('GET', '/test/enrolment-desk', { token: atStation })).status).toBe(200);
  });
});

describe('second official of a supervised override', () => {
  let acting: string;
  beforeEach(async () => {
    acting = await tokenOf('pw-1', 'st-101');
  });
  const override = (header?: string, token = acting) =>
    call('POST', '/test/override', {
      token,
      headers: header === undefined ? {} : { 'vigil-second-official': header },
    });

  it('is required', async () => {
    const res = await override();
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('second-official-required');
    expect((await override('Bearer something')).body.code).toBe('second-official-required');
  });

  it('must hold the supervisor (or administrator) role', async () => {
    const res = await override(basic('pw-2', passwords['pw-2']!));
    expect(res.body).toMatchObject({ status: 403, code: 'second-official-role' });
    expect(res.body.detail).toContain('pw-2 is a poll_worker');
  });

  it('must be someone else', async () => {
    const supervisor = await tokenOf('sup-1', 'st-101');
    const res = await override(basic('sup-1', passwords['sup-1']!), supervisor);
    expect(res.body.code).toBe('second-official-same');
  });

  it('must be assigned to the polling place', async () => {
    expect((await override(basic('sup-2', passwords['sup-2']!))).body.code).toBe(
      'second-official-not-assigned',
    );
    // An administrator counts only where assigned.
    expect((await override(basic('admin-1', passwords['admin-1']!))).body.code).toBe(
      'second-official-not-assigned',
    );
  });

  it('must prove themselves, and wrong passwords count towards their lockout', async () => {
    const res = await override(basic('sup-1', 'wrong password 123'));
    expect(res.body.code).toBe('second-official-refused');
    expect((await override(basic('ghost', 'wrong password 123'))).body.code).toBe(
      'second-official-refused',
    );
    expect((await store.getOfficial('sup-1'))?.failedLogins).toBe(1);
  });

  it('is accepted when all holds', async () => {
    const res = await override(basic('sup-1', passwords['sup-1']!));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ acting: 'pw-1', second: 'sup-1' });
    const admin = await override(basic('admin-101', passwords['admin-101']!));
    expect(admin.body).toEqual({ acting: 'pw-1', second: 'admin-101' });
  });
});

describe('demo credentials', () => {
  it('are made once for a fresh store, in a 0600 file, and work', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'vigil-demo-'));
    const demoStore = await openStore({ dataDir: fresh });
    try {
      unwrap(await loadElection(demoStore, loadSampleElection(), clock));
      const file = join(fresh, 'demo-credentials.txt');
      const demo = await createDemoCredentials(demoStore, { file, clock });
      expect(demo).toMatchObject({ stationId: 'demo-station-1', pollingPlace: 'p-101' });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const text = await readFile(file, 'utf8');
      const token = /token: (vgt_\S+)/.exec(text)?.[1];
      const password = /official demo-poll-worker .*\n {2}password: (\S+)/.exec(text)?.[1];
      expect(token).toBeDefined();
      expect(password).toBeDefined();
      expect((await demoStore.listOfficials()).map((o) => o.role).sort()).toEqual([
        'administrator',
        'guardian',
        'guardian',
        'guardian',
        'poll_worker',
        'registrar',
        'supervisor',
      ]);
      expect((await demoStore.listStations()).map((s) => s.stationId).sort()).toEqual([
        'demo-booth-1',
        'demo-station-1',
      ]);
      const demoApp = await buildServer({
        store: demoStore,
        webDistDir: join(fresh, 'no-web'),
        clock,
      });
      const res = await demoApp.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'vigil-station-token': token! },
        payload: { officialId: 'demo-poll-worker', password: password! },
      });
      await demoApp.close();
      expect(res.statusCode).toBe(201);
      expect(await createDemoCredentials(demoStore, { file, clock })).toBeUndefined();
    } finally {
      await demoStore.close();
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
