import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSampleElection, systemClock, unwrap } from '@vigil/core';
import { buildServer, loadElection } from '@vigil/server';
import { openStore } from '@vigil/store';
import { runInProcess, runVigil } from '../testing.ts';
import { registerOfficialsCommands } from './officials.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-officials-cli-'));
  const store = await openStore({ dataDir });
  unwrap(await loadElection(store, loadSampleElection(), systemClock));
  await store.close();
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const vigil = (...args: string[]) =>
  runInProcess(registerOfficialsCommands, [...args, '--data-dir', dataDir]);

/** Signs in over HTTP against the same data, as the station would. */
async function signIn(officialId: string, password: string, stationToken?: string) {
  const store = await openStore({ dataDir });
  const app = await buildServer({ store, webDistDir: join(dataDir, 'no-web') });
  try {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { officialId, password },
      headers: stationToken === undefined ? {} : { 'vigil-station-token': stationToken },
    });
    return res.statusCode;
  } finally {
    await app.close();
    await store.close();
  }
}

describe('vigil officials and stations', () => {
  it('adds an official with a password shown once, lists and disables them', async () => {
    const added = await vigil(
      'officials',
      'add',
      '--id',
      'pw-1',
      '--name',
      'Pat Worker',
      '--role',
      'poll-worker',
      '--precinct',
      'p-101',
      'p-102',
    );
    expect(added.code, added.stderr).toBe(0);
    const password = /password: (\S+)/.exec(added.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const station = await vigil('stations', 'add', '--id', 'st-1', '--polling-place', 'p-101');
    expect(station.code, station.stderr).toBe(0);
    const token = /token: (vgt_\S+)/.exec(station.stdout)?.[1];
    expect(token).toBeDefined();
    expect(await signIn('pw-1', password!, token)).toBe(201);

    const list = await vigil('officials', 'list');
    expect(list.stdout).toBe('pw-1\tpoll_worker\tactive\tp-101,p-102\tPat Worker\n');
    const json = await vigil('officials', 'list', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      officials: [{ officialId: 'pw-1', role: 'poll_worker', pollingPlaces: ['p-101', 'p-102'] }],
    });
    expect(json.stdout).not.toContain('scrypt$');

    const disabled = await vigil('officials', 'disable', 'pw-1');
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain('pw-1\tpoll_worker\tdisabled');
    expect(await signIn('pw-1', password!, token)).toBe(401);
    const twice = await vigil('officials', 'disable', 'pw-1');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('already disabled');
  });

  it('refuses a bad role, a missing or unknown polling place, and a taken id', async () => {
    const role = await vigil('officials', 'add', '--id', 'x', '--name', 'X', '--role', 'mayor');
    expect(role.code).toBe(1);
    expect(role.stderr).toContain('--role must be one of poll_worker, supervisor');
    const place = await vigil(
      'officials',
      'add',
      '--id',
      'x',
      '--name',
      'X',
      '--role',
      'supervisor',
    );
    expect(place.code).toBe(1);
    expect(place.stderr).toContain('give at least one');
    expect(place.stderr).toContain('--precinct');
    const unknown = await vigil('stations', 'add', '--id', 's', '--polling-place', 'p-999');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'Polling place p-999 is not a precinct of a loaded election; the precincts are p-101, p-102, p-103, p-104.',
    );
    expect(
      (await vigil('officials', 'add', '--id', 'r', '--name', 'R', '--role', 'registrar')).code,
    ).toBe(0);
    const taken = await vigil(
      'officials',
      'add',
      '--id',
      'r',
      '--name',
      'R',
      '--role',
      'registrar',
    );
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('already exists');
  });

  it('unlocks a locked official, optionally with a new password', async () => {
    const added = await vigil(
      'officials',
      'add',
      '--id',
      'reg',
      '--name',
      'R',
      '--role',
      'registrar',
    );
    const password = /password: (\S+)/.exec(added.stdout)![1]!;
    for (let i = 0; i < 5; i++) expect(await signIn('reg', 'wrong password 12')).toBe(401);
    expect(await signIn('reg', password)).toBe(401);
    expect((await vigil('officials', 'list')).stdout).toContain('locked-until=');
    const unlocked = await vigil('officials', 'unlock', 'reg', '--reset-password');
    expect(unlocked.code).toBe(0);
    const fresh = /password: (\S+)/.exec(unlocked.stdout)?.[1];
    expect(fresh).toBeDefined();
    expect(await signIn('reg', password)).toBe(401);
    expect(await signIn('reg', fresh!)).toBe(201);
    expect((await vigil('officials', 'unlock', 'nobody')).stderr).toContain(
      'There is no official with id "nobody"',
    );
  });

  it('lists and revokes stations', async () => {
    await vigil('stations', 'add', '--id', 'st-2', '--polling-place', 'p-102');
    await vigil('stations', 'add', '--id', 'st-1', '--polling-place', 'p-101');
    const list = await vigil('stations', 'list');
    expect(
      list.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t').slice(0, 3)),
    ).toEqual([
      ['st-1', 'p-101', 'active'],
      ['st-2', 'p-102', 'active'],
    ]);
    const revoked = await vigil('stations', 'revoke', 'st-1');
    expect(revoked.stdout).toMatch(/^st-1\tp-101\trevoked\t/);
    expect((await vigil('stations', 'revoke', 'st-1')).stderr).toContain('already revoked');
    expect((await vigil('stations', 'revoke', 'st-9')).stderr).toContain(
      'no station with id "st-9"',
    );
  });

  it('is registered in the vigil program', async () => {
    const run = await runVigil(['officials', 'list', '--data-dir', dataDir]);
    expect(run.code, run.stderr).toBe(0);
    expect((await runVigil(['stations', '--help'])).stdout).toContain('revoke');
  });
});
