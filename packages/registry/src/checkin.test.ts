import { randomBytes } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, fixedClock, unwrap } from '@vigil/core';
import { decodeEntry, eventById, type LedgerEntry } from '@vigil/ledger';
import { openStore, type Store, type StoredCredentialKey } from '@vigil/store';
import {
  checkIn,
  issueCredential,
  issueProvisionalBallot,
  matchThreshold,
  overrideCheckIn,
  registryDirectory,
  type CheckInDeps,
} from './checkin.ts';
import { keyringFromKey } from './keys.ts';
import {
  impression,
  memoryDirectory,
  sampleElection,
  seedRoll,
  stationAt,
  supervisor,
  syntheticFinger,
  testDeps,
  testVoter,
} from './checkin-testing.ts';
import {
  createCredentialKeys,
  finishCredential,
  openCredentialSigner,
  requestCredential,
  spendCredential,
  type CredentialSigner,
} from './credentials.ts';

const masterKey = new Uint8Array(randomBytes(32));
let sealedKeys: readonly StoredCredentialKey[];

const fingers = new Map([
  ['v-ok', [syntheticFinger(11), syntheticFinger(12)]],
  ['v-worn', [syntheticFinger(21), syntheticFinger(22)]],
  ['v-elsewhere', [syntheticFinger(31)]],
]);
const voters = [
  testVoter('v-ok', { givenName: 'Ada', familyName: 'Lovelace' }),
  testVoter('v-worn'),
  testVoter('v-unenrolled'),
  testVoter('v-elsewhere', { precinctId: 'p-103', splitId: 'p-103-s', ballotStyleId: 'bs-3' }),
  testVoter('v-inactive', { status: 'inactive' }),
  testVoter('v-removed', { status: 'removed' }),
  testVoter('v-blocked', { blockedAsDuplicateOf: 'v-ok' }),
  testVoter('v-mismatch', { ballotStyleId: 'bs-2' }),
];
const directory = memoryDirectory(voters, fingers);
const genuine = (voterId: string, seed = 1) => impression(fingers.get(voterId)![0]!, seed);
const impostor = syntheticFinger(999);

const station1 = stationAt('station-1');
const station2 = stationAt('station-2', 'p-101', { officialId: 'pw-2', role: 'poll_worker' });

let store: Store;
let signer: CredentialSigner;
let deps: CheckInDeps & { clock: ReturnType<typeof fixedClock> };

beforeAll(async () => {
  const keyStore = await openStore({ url: ':memory:' });
  await createCredentialKeys(keyStore, {
    electionId: 'franklin-2026-general',
    ballotStyleIds: ['bs-1', 'bs-2', 'bs-3'],
    keyring: masterKey,
    clock: fixedClock(new Date()),
    modulusBits: 2048,
  });
  sealedKeys = await keyStore.listCredentialKeys('franklin-2026-general');
  await keyStore.close();
});

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  for (const k of sealedKeys) unwrap(await store.saveCredentialKey(k));
  signer = unwrap(await openCredentialSigner(store, 'franklin-2026-general', masterKey));
  deps = testDeps(store, directory, { signer });
});

async function ledger(s: Store = store): Promise<LedgerEntry[]> {
  const entries = await s.ledgerEntries(0, await s.ledgerSize());
  return entries.map((e) => unwrap(decodeEntry(e.bytes)));
}
const types = async () => (await ledger()).map((e) => eventById(e.eventId)?.type);

describe('check-in', () => {
  it('uses the sample election', () => {
    expect(deps.election.id).toBe('franklin-2026-general');
    // Two enrolled fingers: each comparison at FMR 5e-4, the attempt at 1e-3.
    expect(matchThreshold(1e-3, 2)).toBeGreaterThan(30);
  });

  it('matches, locks the voter and blind-signs one credential the ballot box accepts', async () => {
    const { pending, blindedMessage } = await requestCredential(signer.publicKeys.get('bs-1')!);
    const r = unwrap(
      await checkIn(deps, station1, {
        voterId: 'v-ok',
        fingerprint: genuine('v-ok'),
        blindedMessage,
      }),
    );
    expect(r).toMatchObject({ ballotStyleId: 'bs-1', method: 'biometric' });
    expect(r.score).toBeGreaterThan(matchThreshold(1e-3, 2));
    const credential = unwrap(await finishCredential(pending, r.blindSignature!));
    const spent = await spendCredential(store, {
      credential,
      ballotStyleId: 'bs-1',
      electionId: deps.election.id,
      publicKeys: [...signer.publicKeys.values()],
      ballotBoxId: 'ballot-box-1',
      clock: deps.clock,
    });
    expect(spent.ok).toBe(true);
    const participation = await store.getVoterParticipation(deps.election.id, 'v-ok');
    expect(participation).toMatchObject({
      checkInId: r.checkInId,
      stationId: 'station-1',
      credentialIssued: true,
    });
    expect(await types()).toEqual([
      'checkin.match.attempted',
      'checkin.completed',
      'credential.issued',
      'credential.spent',
    ]);
  });

  it('checks in without a credential, then issues exactly one for that check-in', async () => {
    const r = unwrap(
      await checkIn(deps, station1, { voterId: 'v-ok', fingerprint: genuine('v-ok') }),
    );
    expect(r.blindSignature).toBeUndefined();
    const ask = async (station = station1, checkInId = r.checkInId) =>
      issueCredential(deps, station, {
        voterId: 'v-ok',
        checkInId,
        blindedMessage: (await requestCredential(signer.publicKeys.get('bs-1')!)).blindedMessage,
      });
    const other = await ask(station2);
    expect(!other.ok && other.error.message).toMatch(/made at another station/);
    const unknown = await ask(station1, 'no-such-check-in');
    expect(!unknown.ok && unknown.error.reason).toBe('credential-refused');
    expect((await ask()).ok).toBe(true);
    const again = await ask();
    expect(!again.ok && again.error.message).toMatch(/already issued/);
  });

  it('issues no credential for a check-in older than the window', async () => {
    const r = unwrap(
      await checkIn(deps, station1, { voterId: 'v-ok', fingerprint: genuine('v-ok') }),
    );
    deps.clock.advance(16 * 60_000);
    const late = await issueCredential(deps, station1, {
      voterId: 'v-ok',
      checkInId: r.checkInId,
      blindedMessage: (await requestCredential(signer.publicKeys.get('bs-1')!)).blindedMessage,
    });
    expect(!late.ok && late.error.message).toMatch(/16 minutes old/);
  });

  it('keeps the check-in when the blinded message is bad, and says why no credential came', async () => {
    const r = unwrap(
      await checkIn(deps, station1, {
        voterId: 'v-ok',
        fingerprint: genuine('v-ok'),
        blindedMessage: new Uint8Array(7),
      }),
    );
    expect(r.blindSignature).toBeUndefined();
    expect(r.credentialRefused?.message).toMatch(/must be 256 bytes/);
    expect((await store.getVoterParticipation(deps.election.id, 'v-ok'))?.credentialIssued).toBe(
      false,
    );
  });

  it('refuses a second check-in of a voter who has voted, at any station', async () => {
    unwrap(await checkIn(deps, station1, { voterId: 'v-ok', fingerprint: genuine('v-ok') }));
    const again = await checkIn(deps, station2, {
      voterId: 'v-ok',
      fingerprint: genuine('v-ok', 2),
    });
    expect(!again.ok && again.error.reason).toBe('already-voted');
    expect(!again.ok && again.error.message).toMatch(/already checked in, at station station-1/);
    expect((await types()).at(-1)).toBe('checkin.duplicate.refused');
  });

  it('counts failed matches across stations, then needs a supervised override', async () => {
    const left: (number | undefined)[] = [];
    for (const station of [station1, station2, station1]) {
      const r = await checkIn(deps, station, { voterId: 'v-worn', fingerprint: impostor });
      expect(!r.ok && r.error.reason).toBe('no-match');
      if (!r.ok) left.push(r.error.attemptsLeft);
    }
    expect(left).toEqual([2, 1, 0]);
    // Even the right finger is not tried a fourth time.
    const fourth = await checkIn(deps, station2, {
      voterId: 'v-worn',
      fingerprint: genuine('v-worn'),
    });
    expect(!fourth.ok && fourth.error.reason).toBe('attempts-exhausted');
    const attempts = await store.db
      .selectFrom('checkin_attempts')
      .selectAll()
      .orderBy('attempt_no')
      .execute();
    expect(attempts.map((a) => [a.attempt_no, a.station_id, a.outcome])).toEqual([
      [1, 'station-1', 'no-match'],
      [2, 'station-2', 'no-match'],
      [3, 'station-1', 'no-match'],
    ]);

    const override = (
      changes: Partial<Parameters<typeof overrideCheckIn>[2]>,
      station = station1,
    ) =>
      overrideCheckIn(deps, station, {
        voterId: 'v-worn',
        supervisor,
        reason: 'worn fingerprints',
        idDocumentChecked: true,
        ...changes,
      });
    const refusals = [
      [await override({ supervisor: undefined }), /needs a second official/],
      [
        await override({}, stationAt('station-1', 'p-101', supervisor)),
        /different person from the poll worker/,
      ],
      [
        await override({ supervisor: { officialId: 'pw-2', role: 'poll_worker' } }),
        /only a supervisor/,
      ],
      [await override({ reason: '   ' }), /needs a reason/],
      [await override({ idDocumentChecked: false }), /ID document checked/],
    ] as const;
    for (const [r, why] of refusals) {
      expect(!r.ok && r.error.reason).toBe('override-refused');
      expect(!r.ok && r.error.message).toMatch(why);
    }
    expect(await store.getVoterParticipation(deps.election.id, 'v-worn')).toBeUndefined();

    const { pending, blindedMessage } = await requestCredential(signer.publicKeys.get('bs-1')!);
    const ok = unwrap(await override({ blindedMessage }));
    expect(ok.method).toBe('override');
    expect((await finishCredential(pending, ok.blindSignature!)).ok).toBe(true);
    expect(await store.getVoterParticipation(deps.election.id, 'v-worn')).toMatchObject({
      method: 'override',
      supervisorId: 'sup-1',
      overrideReason: 'worn fingerprints',
      officialId: 'pw-1',
    });
    const entries = await ledger();
    const granted = entries.find(
      (e) => eventById(e.eventId)?.type === 'checkin.override' && e.disposition === 'success',
    );
    expect(granted?.subjects).toContain('supervisor:sup-1');
    expect(JSON.stringify(entries)).not.toContain('worn fingerprints');
    expect(
      entries.filter((e) => eventById(e.eventId)?.type === 'checkin.override').map((e) => e.detail),
    ).toEqual([
      'no-second-official',
      'same-official',
      'not-a-supervisor',
      'no-reason',
      'no-id-check',
      'id document checked',
    ]);
  });

  it('refuses an override while fingerprint attempts are left, but allows it with none enrolled', async () => {
    const early = await overrideCheckIn(deps, station1, {
      voterId: 'v-worn',
      supervisor,
      reason: 'in a hurry',
      idDocumentChecked: true,
    });
    expect(!early.ok && early.error.reason).toBe('override-not-needed');
    expect(!early.ok && early.error.attemptsLeft).toBe(3);

    const noFingers = await checkIn(deps, station1, {
      voterId: 'v-unenrolled',
      fingerprint: impostor,
    });
    expect(!noFingers.ok && noFingers.error.reason).toBe('not-enrolled');
    const r = await overrideCheckIn(deps, station1, {
      voterId: 'v-unenrolled',
      supervisor,
      reason: 'not enrolled',
      idDocumentChecked: true,
    });
    expect(r.ok).toBe(true);
  });

  it('tells a voter at the wrong polling place where to go', async () => {
    const r = await checkIn(deps, station1, {
      voterId: 'v-elsewhere',
      fingerprint: genuine('v-elsewhere'),
    });
    expect(!r.ok && r.error.reason).toBe('wrong-polling-place');
    expect(!r.ok && r.error.goTo).toEqual({
      precinctId: 'p-103',
      precinctName: 'Cedar Falls',
      splitId: 'p-103-s',
      splitName: 'Cedar Falls South',
    });
    expect(!r.ok && r.error.message).toMatch(
      /votes in precinct Cedar Falls \(Cedar Falls South\).*p-103/,
    );
    // At their own polling place the same voter checks in.
    const home = stationAt('station-9', 'p-103');
    expect(
      (await checkIn(deps, home, { voterId: 'v-elsewhere', fingerprint: genuine('v-elsewhere') }))
        .ok,
    ).toBe(true);
  });

  it('refuses inactive, removed, blocked and mis-assigned records with reasons', async () => {
    const cases = [
      ['v-inactive', 'inactive', /inactive on the roll/],
      ['v-removed', 'removed', /removed on the roll/],
      ['v-blocked', 'blocked-duplicate', /same person as record "v-ok"/],
      ['v-mismatch', 'roll-mismatch', /ballot style "bs-2".*does not give precinct p-101/],
      ['v-nobody', 'not-on-roll', /No voter with id "v-nobody"/],
    ] as const;
    for (const [voterId, reason, message] of cases) {
      const r = await checkIn(deps, station1, { voterId, fingerprint: impostor });
      expect(!r.ok && r.error.reason).toBe(reason);
      expect(!r.ok && r.error.message).toMatch(message);
    }
    expect(await types()).toEqual(Array(cases.length).fill('checkin.refused'));
    await expect(
      checkIn(deps, stationAt('s', 'p-999'), { voterId: 'v-ok', fingerprint: impostor }),
    ).rejects.toThrow(/not a precinct of election/);
  });

  it('gives a person not on the roll a provisional ballot and no credential', async () => {
    const notOnRoll = await checkIn(deps, station1, { voterId: 'v-nobody', fingerprint: impostor });
    expect(!notOnRoll.ok && notOnRoll.error.hint).toMatch(/provisional ballot/);
    const p = unwrap(
      await issueProvisionalBallot(deps, station1, {
        claimedVoterId: 'v-nobody',
        reason: 'not found on the roll',
      }),
    );
    expect(p).toMatchObject({ precinctId: 'p-101', ballotStyleId: 'bs-1' });
    expect(p.envelopeId).toMatch(/^pv-[0-9a-f-]{36}$/);
    expect(await store.getProvisionalBallot(p.envelopeId)).toMatchObject({
      claimedVoterId: 'v-nobody',
      stationId: 'station-1',
      reason: 'not found on the roll',
    });
    expect(await store.db.selectFrom('voter_participation').selectAll().execute()).toEqual([]);
    expect((await ledger()).at(-1)?.subjects).toContain(`envelope:${p.envelopeId}`);

    // An inactive voter may vote provisionally; an active one checks in instead.
    expect(
      (
        await issueProvisionalBallot(deps, station1, {
          claimedVoterId: 'v-inactive',
          reason: 'inactive',
        })
      ).ok,
    ).toBe(true);
    const active = await issueProvisionalBallot(deps, station1, {
      claimedVoterId: 'v-ok',
      reason: 'forgot',
    });
    expect(!active.ok && active.error.message).toMatch(/on the roll and active/);

    // A polling place with two ballot styles needs the style named.
    const split = stationAt('station-9', 'p-103');
    const unnamed = await issueProvisionalBallot(deps, split, { reason: 'no id' });
    expect(!unnamed.ok && unnamed.error).toBeInstanceOf(InvalidInputError);
    expect(!unnamed.ok && unnamed.error.message).toMatch(/2 ballot styles \(bs-2, bs-3\)/);
    expect(
      unwrap(await issueProvisionalBallot(deps, split, { reason: 'no id', ballotStyleId: 'bs-3' }))
        .ballotStyleId,
    ).toBe('bs-3');
    const noReason = await issueProvisionalBallot(deps, station1, { reason: ' ' });
    expect(!noReason.ok && noReason.error.message).toMatch(/needs a reason/);
  });

  it('writes ids and hashes to the ledger, never names or templates', async () => {
    unwrap(await checkIn(deps, station1, { voterId: 'v-ok', fingerprint: genuine('v-ok') }));
    await checkIn(deps, station1, { voterId: 'v-worn', fingerprint: impostor });
    await checkIn(deps, station1, { voterId: 'v-elsewhere', fingerprint: impostor });
    const text = JSON.stringify(await ledger());
    for (const v of voters) {
      expect(text).not.toContain(v.givenName === 'Test' ? v.familyName : v.givenName);
      expect(text).not.toContain(v.address.line1);
    }
    expect(text).not.toContain('Lovelace');
    expect(text).not.toContain('Cedar Falls');
    expect(text).toContain('voter:v-ok');
    expect(text).not.toMatch(/score/);
  });
});

describe('check-in over the registry store', () => {
  it('finds voters and their enrolled fingers through the roll and the keyring', async () => {
    const keyring = keyringFromKey(new Uint8Array(randomBytes(32)));
    const own = await openStore({ url: ':memory:' });
    const finger = syntheticFinger(77);
    await seedRoll(own, keyring, sampleElection(), [
      { voter: testVoter('r-1'), fingers: [finger, syntheticFinger(78)] },
      { voter: testVoter('r-2'), fingers: [] },
      { voter: testVoter('r-3'), fingers: [syntheticFinger(79), syntheticFinger(80)] },
    ]);
    const registryDeps = testDeps(own, registryDirectory(own, keyring));
    const r = await checkIn(registryDeps, station1, {
      voterId: 'r-1',
      fingerprint: impression(finger, 9),
    });
    expect(r.ok).toBe(true);
    const unenrolled = await checkIn(registryDeps, station1, {
      voterId: 'r-2',
      fingerprint: finger,
    });
    expect(!unenrolled.ok && unenrolled.error.reason).toBe('not-enrolled');
    // Another master key cannot read the templates: that is a fault, not a refusal.
    const wrongKey = testDeps(
      own,
      registryDirectory(own, keyringFromKey(new Uint8Array(randomBytes(32)))),
    );
    await expect(
      checkIn(wrongKey, stationAt('station-2'), { voterId: 'r-3', fingerprint: finger }),
    ).rejects.toThrow(/master key/);
    await own.close();
  });
});
