import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError, NotFoundError, sha256Hex } from '@vigil/core';
import { decodeEntry, eventIdOf, type EventType, type LedgerEntry } from '@vigil/ledger';
import type { Store } from './index.ts';
import {
  postgresTarget,
  postgresTestSetup,
  sqliteFileTarget,
  sqliteMemoryTarget,
  type StoreTarget,
} from './testing.ts';

const postgres = postgresTestSetup();
if (postgres.kind === 'skip') console.warn(postgres.message);

const T0 = new Date('2026-11-03T06:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const entry = (type: EventType, subject: string): LedgerEntry => ({
  eventId: eventIdOf(type),
  actorId: 'admin-1',
  stationId: 'vigil-server',
  time: T0.toISOString(),
  disposition: 'success',
  subjects: [subject],
});

async function addWorker(store: Store, officialId = 'pw-1', places = ['p-101']) {
  return store.addOfficial(
    {
      officialId,
      displayName: 'Pat Worker',
      role: 'poll_worker',
      pollingPlaces: places,
      passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
      createdAt: T0,
    },
    entry('official.created', `official:${officialId}`),
  );
}

async function ledgerTypes(store: Store): Promise<string[]> {
  const size = await store.ledgerSize();
  const entries = await store.ledgerEntries(0, size);
  return entries.map((e) => {
    const decoded = decodeEntry(e.bytes);
    if (!decoded.ok) throw decoded.error;
    return decoded.value.eventId;
  });
}

function officialsContract(makeTarget: () => Promise<StoreTarget>): void {
  let target: StoreTarget;
  let store: Store;
  beforeEach(async () => {
    target = await makeTarget();
    store = await target.open();
  });
  afterEach(async () => {
    await target.cleanup();
  });

  it('adds, gets and lists officials with their polling places, never exposing the hash in lists', async () => {
    const added = await addWorker(store, 'pw-1', ['p-102', 'p-101', 'p-101']);
    expect(added.ok && added.value.pollingPlaces).toEqual(['p-101', 'p-102']);
    await store.addOfficial(
      {
        officialId: 'admin-1',
        displayName: 'Ada Admin',
        role: 'administrator',
        pollingPlaces: [],
        passwordHash: 'scrypt$x',
        createdAt: T0,
      },
      entry('official.created', 'official:admin-1'),
    );
    const got = await store.getOfficial('pw-1');
    expect(got).toMatchObject({
      officialId: 'pw-1',
      role: 'poll_worker',
      status: 'active',
      pollingPlaces: ['p-101', 'p-102'],
      failedLogins: 0,
      passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
    });
    expect(got?.createdAt.toISOString()).toBe(T0.toISOString());
    const list = await store.listOfficials();
    expect(list.map((o) => o.officialId)).toEqual(['admin-1', 'pw-1']);
    expect(list.every((o) => !('passwordHash' in o))).toBe(true);
    expect(await store.getOfficial('nobody')).toBeUndefined();
    expect(await ledgerTypes(store)).toEqual([
      eventIdOf('official.created'),
      eventIdOf('official.created'),
    ]);
  });

  it('refuses a taken id with a ConflictError, and bad input with an InvalidInputError', async () => {
    await addWorker(store);
    const again = await addWorker(store);
    expect(!again.ok && again.error).toBeInstanceOf(ConflictError);
    await expect(addWorker(store, 'bad id')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      store.addOfficial(
        {
          officialId: 'x',
          displayName: 'X',
          role: 'king' as 'poll_worker',
          pollingPlaces: [],
          passwordHash: 'h',
          createdAt: T0,
        },
        entry('official.created', 'official:x'),
      ),
    ).rejects.toThrow(/role "king"/);
    // Nothing of the refused attempts reached the ledger.
    expect(await store.ledgerSize()).toBe(1);
  });

  it('counts sign-in attempts before checking, locks after the limit, and unlocks', async () => {
    await addWorker(store);
    const limits = { now: at(0), maxAttempts: 3 };
    // Three attempts may begin (even in parallel); the fourth may not.
    const begun = await Promise.all(
      [1, 2, 3, 4].map(() => store.beginOfficialSignIn('pw-1', limits)),
    );
    expect(begun.filter(Boolean)).toHaveLength(3);
    // The first failure to finish at the limit locks the account; the others do not relock.
    const lockUntil = at(15);
    expect(await store.failOfficialSignIn('pw-1', { maxAttempts: 3, lockUntil })).toBe(true);
    expect(await store.failOfficialSignIn('pw-1', { maxAttempts: 3, lockUntil })).toBe(false);
    const locked = await store.getOfficial('pw-1');
    expect(locked?.lockedUntil?.toISOString()).toBe(lockUntil.toISOString());
    expect(await store.beginOfficialSignIn('pw-1', { now: at(5), maxAttempts: 3 })).toBe(false);
    // After the lock ends, attempts may begin again.
    expect(await store.beginOfficialSignIn('pw-1', { now: at(15), maxAttempts: 3 })).toBe(true);
    await store.succeedOfficialSignIn('pw-1');
    expect(await store.getOfficial('pw-1')).toMatchObject({ failedLogins: 0 });
    expect((await store.getOfficial('pw-1'))?.lockedUntil).toBeUndefined();

    // An administrator lifts a lock at once, and may replace the password.
    for (let i = 0; i < 3; i++) await store.beginOfficialSignIn('pw-1', limits);
    await store.failOfficialSignIn('pw-1', { maxAttempts: 3, lockUntil });
    const unlocked = await store.unlockOfficial(
      { officialId: 'pw-1', passwordHash: 'scrypt$new' },
      entry('official.unlocked', 'official:pw-1'),
    );
    expect(unlocked.ok && unlocked.value.lockedUntil).toBeUndefined();
    expect((await store.getOfficial('pw-1'))?.passwordHash).toBe('scrypt$new');
    const missing = await store.unlockOfficial(
      { officialId: 'nobody' },
      entry('official.unlocked', 'official:nobody'),
    );
    expect(!missing.ok && missing.error).toBeInstanceOf(NotFoundError);
    // An unknown id begins nothing.
    expect(await store.beginOfficialSignIn('nobody', limits)).toBe(false);
  });

  it('registers, finds by token hash, lists and revokes stations, ending their sessions', async () => {
    await addWorker(store);
    const tokenHash = sha256Hex('vgt_secret');
    const added = await store.addStation(
      { stationId: 'st-1', pollingPlace: 'p-101', tokenHash, registeredAt: T0 },
      entry('station.registered', 'station:st-1'),
    );
    expect(added.ok).toBe(true);
    const dup = await store.addStation(
      { stationId: 'st-1', pollingPlace: 'p-102', tokenHash: sha256Hex('other'), registeredAt: T0 },
      entry('station.registered', 'station:st-1'),
    );
    expect(!dup.ok && dup.error).toBeInstanceOf(ConflictError);
    expect(await store.getStationByToken(tokenHash)).toMatchObject({
      stationId: 'st-1',
      pollingPlace: 'p-101',
      status: 'active',
    });
    expect(await store.getStationByToken(sha256Hex('guess'))).toBeUndefined();
    await store.createOfficialSession({
      sessionHash: 'h1',
      officialId: 'pw-1',
      stationId: 'st-1',
      createdAt: T0,
      expiresAt: at(720),
      lastSeenAt: T0,
    });
    const revoked = await store.revokeStation(
      'st-1',
      at(60),
      entry('station.revoked', 'station:st-1'),
    );
    expect(revoked.ok && revoked.value).toMatchObject({ status: 'revoked', revokedAt: at(60) });
    expect(await store.getOfficialSession('h1')).toBeUndefined();
    const again = await store.revokeStation(
      'st-1',
      at(61),
      entry('station.revoked', 'station:st-1'),
    );
    expect(!again.ok && again.error).toBeInstanceOf(ConflictError);
    const unknown = await store.revokeStation(
      'st-9',
      at(61),
      entry('station.revoked', 'station:st-9'),
    );
    expect(!unknown.ok && unknown.error).toBeInstanceOf(NotFoundError);
    expect((await store.listStations()).map((s) => s.stationId)).toEqual(['st-1']);
    expect(await ledgerTypes(store)).toEqual([
      eventIdOf('official.created'),
      eventIdOf('station.registered'),
      eventIdOf('station.revoked'),
    ]);
  });

  it('keeps sessions, touches, deletes and sweeps stale ones; disabling ends them', async () => {
    await addWorker(store);
    const session = (hash: string, lastSeenAt: Date, expiresAt: Date) =>
      store.createOfficialSession({
        sessionHash: hash,
        officialId: 'pw-1',
        createdAt: T0,
        expiresAt,
        lastSeenAt,
      });
    await session('live', at(0), at(720));
    await session('idle', at(-60), at(720));
    await session('expired', at(0), at(1));
    expect(await store.getOfficialSession('live')).toMatchObject({
      officialId: 'pw-1',
      lastSeenAt: at(0),
      expiresAt: at(720),
    });
    expect((await store.getOfficialSession('live'))?.stationId).toBeUndefined();
    await store.touchOfficialSession('live', at(10));
    expect((await store.getOfficialSession('live'))?.lastSeenAt).toEqual(at(10));
    expect(
      await store.deleteStaleOfficialSessions({ expiresBefore: at(2), idleBefore: at(-30) }),
    ).toBe(2);
    expect(await store.getOfficialSession('idle')).toBeUndefined();
    expect(await store.deleteOfficialSession('live')).toBe(true);
    expect(await store.deleteOfficialSession('live')).toBe(false);

    await session('again', at(0), at(720));
    const disabled = await store.disableOfficial(
      'pw-1',
      entry('official.disabled', 'official:pw-1'),
    );
    expect(disabled.ok && disabled.value.status).toBe('disabled');
    expect(await store.getOfficialSession('again')).toBeUndefined();
    const twice = await store.disableOfficial('pw-1', entry('official.disabled', 'official:pw-1'));
    expect(!twice.ok && twice.error).toBeInstanceOf(ConflictError);
    const nobody = await store.disableOfficial('nobody', entry('official.disabled', 'official:x'));
    expect(!nobody.ok && nobody.error).toBeInstanceOf(NotFoundError);
  });
}

describe('officials and stations on SQLite (file)', () => {
  officialsContract(sqliteFileTarget);
});

describe('officials and stations on SQLite (:memory:)', () => {
  officialsContract(sqliteMemoryTarget);
});

describe.skipIf(postgres.kind === 'skip')('officials and stations on PostgreSQL', () => {
  officialsContract(() => {
    if (postgres.kind !== 'available') throw new Error(postgres.message);
    return postgresTarget(postgres.url);
  });
});
