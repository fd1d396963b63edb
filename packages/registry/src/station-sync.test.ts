import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FingerprintTemplate } from '@vigil/biometrics';
import { fixedClock, unwrap } from '@vigil/core';
import { sightingFromIncident } from '@vigil/intel';
import { decodeEntry, eventById } from '@vigil/ledger';
import { openStore, type Store } from '@vigil/store';
import { sqliteFileTarget, type StoreTarget } from '@vigil/store/testing';
import { checkIn, type CheckInDeps } from './checkin.ts';
import {
  impression,
  memoryDirectory,
  sampleElection,
  stationAt,
  syntheticFinger,
  testVoter,
} from './checkin-testing.ts';
import { compareHlc, createHlc, decodeHlc, type HybridLogicalClock } from './hlc.ts';
import { openStationJournal, type StationJournal } from './station-journal.ts';
import {
  incidentSighting,
  receiveStationJournal,
  syncStation,
  type StationSyncBatch,
} from './station-sync.ts';

const election = sampleElection();
const fingers = new Map<string, readonly FingerprintTemplate[]>(
  [1, 2, 3].map((n) => [`v-${n}`, [syntheticFinger(100 + n)]]),
);
const directory = memoryDirectory(
  [1, 2, 3].map((n) => testVoter(`v-${n}`)),
  fingers,
);
const T0 = new Date(`${election.date}T07:00:00.000Z`);

interface OfflineStation {
  readonly store: Store;
  readonly journal: StationJournal;
  readonly deps: CheckInDeps;
  readonly clock: ReturnType<typeof fixedClock>;
}

let targets: StoreTarget[];
let central: Store;
let registryClock: HybridLogicalClock;
let centralClock: ReturnType<typeof fixedClock>;

async function offlineStation(stationId: string, skewMs: number): Promise<OfflineStation> {
  const target = await sqliteFileTarget(); // the station's own data directory
  targets.push(target);
  const store = await target.open();
  const clock = fixedClock(new Date(T0.getTime() + skewMs));
  const journal = await openStationJournal(store, stationId, clock);
  return { store, journal, clock, deps: { store, clock, election, voters: directory, journal } };
}

const send = (batch: StationSyncBatch) =>
  receiveStationJournal(central, {
    batch,
    electionId: election.id,
    registryClock,
    clock: centralClock,
  });

const sync = (s: OfflineStation) =>
  syncStation(s.store, { journal: s.journal, electionId: election.id, clock: s.clock, send });

const checkInAt = (s: OfflineStation, voterId: string, seed: number) =>
  checkIn(s.deps, stationAt(s.journal.stationId), {
    voterId,
    fingerprint: impression(fingers.get(voterId)![0]!, seed),
  });

async function ledgerTypes(store: Store): Promise<(string | undefined)[]> {
  const entries = await store.ledgerEntries(0, await store.ledgerSize());
  return entries.map((e) => eventById(unwrap(decodeEntry(e.bytes)).eventId)?.type);
}

beforeEach(async () => {
  targets = [];
  central = await openStore({ url: ':memory:' });
  centralClock = fixedClock(T0);
  registryClock = createHlc('registry', centralClock);
});
afterEach(async () => {
  await central.close();
  for (const t of targets) await t.cleanup();
});

describe('offline stations', () => {
  it('keep checking in on their own store, stamping each check-in with their clock', async () => {
    const a = await offlineStation('station-a', 0);
    unwrap(await checkInAt(a, 'v-1', 1));
    a.clock.advance(-5_000); // the station's wall clock is set back
    unwrap(await checkInAt(a, 'v-2', 2));
    const journal = await a.store.listStationJournal('station-a');
    expect(journal.map((j) => j.voterId)).toEqual(['v-1', 'v-2']);
    const [s1, s2] = journal.map((j) => unwrap(decodeHlc(j.hlc)));
    expect(compareHlc(s1!, s2!)).toBeLessThan(0);
    expect((await a.store.getVoterParticipation(election.id, 'v-1'))?.hlc).toBe(journal[0]?.hlc);
    // After a restart the clock goes on from the journal.
    const reopened = await openStationJournal(a.store, 'station-a', fixedClock(T0));
    expect(compareHlc(s2!, reopened.clock.send())).toBeLessThan(0);
  });

  it('find a voter checked in at two disconnected stations on sync, and raise an incident', async () => {
    const a = await offlineStation('station-a', 0);
    const b = await offlineStation('station-b', 1_500); // clocks a little apart
    unwrap(await checkInAt(a, 'v-1', 1));
    unwrap(await checkInAt(a, 'v-2', 2));
    for (const c of [centralClock, a.clock, b.clock]) c.advance(60_000);
    unwrap(await checkInAt(b, 'v-1', 3)); // the same voter, at a station that cannot see A
    unwrap(await checkInAt(b, 'v-3', 4));

    // An hour later the network is back.
    for (const c of [centralClock, a.clock, b.clock]) c.advance(3_600_000);
    const fromA = unwrap(await sync(a));
    expect(fromA.accepted).toHaveLength(2);
    expect(fromA.incidents).toEqual([]);
    const fromB = unwrap(await sync(b));
    expect(fromB.accepted).toHaveLength(1);
    expect(fromB.duplicates).toHaveLength(1);
    expect(fromB.incidents).toHaveLength(1);
    const incident = fromB.incidents[0]!;
    expect(incident).toMatchObject({ kind: 'double-check-in', voterId: 'v-1' });
    expect(incident.checkIns.map((c) => c.stationId)).toEqual(['station-a', 'station-b']);
    expect(incident.lastSeen.getTime() - incident.firstSeen.getTime()).toBe(61_500);
    expect(await central.listRegistryIncidents(election.id)).toEqual([incident]);

    expect(await ledgerTypes(central)).toEqual([
      'checkin.completed',
      'checkin.completed',
      'station.synced',
      'incident.raised', // B's check-ins in B's clock order: v-1 (double), then v-3
      'checkin.completed',
      'station.synced',
    ]);
    const participation = await central.getVoterParticipation(election.id, 'v-1');
    expect(participation?.stationId).toBe('station-a');
    // The stations merged the registry's clock: their next stamps come after it.
    expect(compareHlc(fromB.registryClock, b.journal.clock.send())).toBeLessThan(0);
    expect(await b.store.listStationJournal('station-b', { unsyncedOnly: true })).toEqual([]);

    // The intelligence pillar's sighting names the jurisdiction, never the voter.
    const input = incidentSighting(incident, { orgId: 'franklin', name: 'Franklin County' });
    expect(input).toMatchObject({
      kind: 'double-check-in',
      stationId: 'station-b',
      count: 2,
      jurisdiction: 'franklin',
    });
    const [, , sighting] = sightingFromIncident(input);
    expect(sighting).toMatchObject({
      type: 'sighting',
      count: 2,
      x_vigil_recipients: ['franklin'],
    });
    expect(JSON.stringify(sightingFromIncident(input))).not.toContain('v-1');
  });

  it('sync again after a lost answer changes nothing', async () => {
    const a = await offlineStation('station-a', 0);
    const b = await offlineStation('station-b', 0);
    unwrap(await checkInAt(a, 'v-1', 1));
    unwrap(await checkInAt(b, 'v-1', 2));
    const pending = await b.store.listStationJournal('station-b', { unsyncedOnly: true });
    const batch = (s: OfflineStation, checkIns = pending): StationSyncBatch => ({
      stationId: s.journal.stationId,
      electionId: election.id,
      sentAt: s.journal.clock.send(),
      checkIns,
    });
    unwrap(await sync(a));
    unwrap(await send(batch(b))); // the answer is "lost": B does not mark its journal
    const sizeBefore = await central.ledgerSize();
    const again = unwrap(await sync(b));
    expect(again.alreadyReceived).toEqual(pending.map((p) => p.checkInId));
    expect(again.incidents).toEqual([]);
    expect(await central.listRegistryIncidents(election.id)).toHaveLength(1);
    expect(await central.ledgerSize()).toBe(sizeBefore + 1); // only station.synced
    const nothing = unwrap(await sync(b));
    expect(
      nothing.accepted.length + nothing.duplicates.length + nothing.alreadyReceived.length,
    ).toBe(0);
  });

  it('refuses, applying nothing, a batch of another election, another station, or a clock far ahead', async () => {
    const a = await offlineStation('station-a', 0);
    unwrap(await checkInAt(a, 'v-1', 1));
    const checkIns = await a.store.listStationJournal('station-a');
    const base = {
      stationId: 'station-a',
      electionId: election.id,
      sentAt: a.journal.clock.send(),
      checkIns,
    };
    const wrongElection = await send({ ...base, electionId: 'other-election' });
    expect(!wrongElection.ok && wrongElection.error.message).toMatch(/this registry runs/);
    const impersonated = await send({ ...base, stationId: 'station-z' });
    expect(!impersonated.ok && impersonated.error.message).toMatch(/not by station station-z/);
    const future = await send({
      ...base,
      sentAt: { ...base.sentAt, wallMs: T0.getTime() + 3_600_000 },
    });
    expect(!future.ok && future.error.message).toMatch(/ahead of this station's clock/);
    expect(await central.ledgerSize()).toBe(0);
    expect(await central.getVoterParticipation(election.id, 'v-1')).toBeUndefined();
  });
});
