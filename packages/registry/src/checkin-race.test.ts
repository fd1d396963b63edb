import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, unwrap } from '@vigil/core';
import type { Store, StoredCredentialKey } from '@vigil/store';
import {
  postgresTarget,
  postgresTestSetup,
  sqliteFileTarget,
  type StoreTarget,
} from '@vigil/store/testing';
import { checkIn, overrideCheckIn } from './checkin.ts';
import {
  impression,
  memoryDirectory,
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
} from './credentials.ts';
import { openStore } from '@vigil/store';

/**
 * Stations racing for one voter, each with its own connection to the same database:
 * exactly one check-in takes the "has voted" lock; the attempt bound holds across
 * stations; one credential is spent once however many ballot boxes present it.
 */
const postgres = postgresTestSetup();
if (postgres.kind === 'skip') console.warn(postgres.message);

const STATIONS = 12;
const masterKey = new Uint8Array(randomBytes(32));
const finger = syntheticFinger(5);
const directory = memoryDirectory(
  [testVoter('v-1'), testVoter('v-2'), testVoter('v-3')],
  new Map([
    ['v-1', [finger]],
    ['v-2', [syntheticFinger(6)]],
  ]),
);
let sealedKeys: readonly StoredCredentialKey[];

beforeAll(async () => {
  const keyStore = await openStore({ url: ':memory:' });
  await createCredentialKeys(keyStore, {
    electionId: 'franklin-2026-general',
    ballotStyleIds: ['bs-1'],
    keyring: masterKey,
    clock: fixedClock(new Date()),
    modulusBits: 2048,
  });
  sealedKeys = await keyStore.listCredentialKeys('franklin-2026-general');
  await keyStore.close();
});

function raceContract(makeTarget: () => Promise<StoreTarget>): void {
  let target: StoreTarget;
  let stores: Store[];
  beforeEach(async () => {
    target = await makeTarget();
    stores = [];
    for (let i = 0; i < STATIONS; i++) stores.push(await target.open());
    for (const k of sealedKeys) unwrap(await stores[0]!.saveCredentialKey(k));
  });
  afterEach(async () => {
    await target.cleanup();
  });

  const depsFor = async (store: Store) =>
    testDeps(store, directory, {
      signer: unwrap(await openCredentialSigner(store, 'franklin-2026-general', masterKey)),
    });

  it('locks a voter exactly once when every station checks them in at once', async () => {
    const all = await Promise.all(
      stores.map(async (store, i) => {
        const deps = await depsFor(store);
        const { blindedMessage } = await requestCredential(deps.signer!.publicKeys.get('bs-1')!);
        return checkIn(deps, stationAt(`station-${i}`), {
          voterId: 'v-1',
          fingerprint: impression(finger, i + 1),
          blindedMessage,
        });
      }),
    );
    const won = all.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    expect(won[0]?.ok && won[0].value.blindSignature).toBeInstanceOf(Uint8Array);
    for (const r of all) if (!r.ok) expect(r.error.reason).toBe('already-voted');
    const rows = await stores[0]!.db.selectFrom('voter_participation').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.credential_issued).toBe(1);
    const completed = await stores[0]!.db
      .selectFrom('ledger_entries')
      .select('seq')
      .where('event_id', '=', 'vigil-0208')
      .execute();
    expect(completed).toHaveLength(1);
  });

  it('takes the lock alone exactly once: racing supervised overrides of one voter', async () => {
    // v-3 has no fingerprints, so no attempt numbers serialise these: only the
    // conditional insert of the "has voted" row decides.
    const all = await Promise.all(
      stores.map(async (store, i) =>
        overrideCheckIn(
          await depsFor(store),
          stationAt(`station-${i}`, 'p-101', { officialId: `pw-${i}`, role: 'poll_worker' }),
          {
            voterId: 'v-3',
            supervisor,
            reason: 'not enrolled',
            idDocumentChecked: true,
          },
        ),
      ),
    );
    expect(all.filter((r) => r.ok)).toHaveLength(1);
    for (const r of all) if (!r.ok) expect(r.error.reason).toBe('already-voted');
    const rows = await stores[0]!.db.selectFrom('voter_participation').selectAll().execute();
    expect(rows.map((r) => r.voter_id)).toEqual(['v-3']);
  });

  it('allows three failed attempts in all, however many stations try at once', async () => {
    const all = await Promise.all(
      stores.map(async (store, i) =>
        checkIn(await depsFor(store), stationAt(`station-${i}`), {
          voterId: 'v-2',
          fingerprint: syntheticFinger(500 + i),
        }),
      ),
    );
    const reasons = all.map((r) => (r.ok ? 'ok' : r.error.reason)).sort();
    expect(reasons.filter((r) => r === 'no-match')).toHaveLength(3);
    expect(reasons.filter((r) => r === 'attempts-exhausted')).toHaveLength(STATIONS - 3);
    expect(await stores[0]!.countCheckInAttempts('franklin-2026-general', 'v-2')).toEqual({
      total: 3,
      failed: 3,
    });
  });

  it('spends one credential once when several ballot boxes present it at once', async () => {
    const deps = await depsFor(stores[0]!);
    const { pending, blindedMessage } = await requestCredential(
      deps.signer!.publicKeys.get('bs-1')!,
    );
    const r = unwrap(
      await checkIn(deps, stationAt('station-0'), {
        voterId: 'v-1',
        fingerprint: impression(finger, 3),
        blindedMessage,
      }),
    );
    const credential = unwrap(await finishCredential(pending, r.blindSignature!));
    const publicKeys = [...deps.signer!.publicKeys.values()];
    const spends = await Promise.all(
      stores.map((store, i) =>
        spendCredential(store, {
          credential,
          ballotStyleId: 'bs-1',
          electionId: 'franklin-2026-general',
          publicKeys,
          ballotBoxId: `ballot-box-${i}`,
          clock: deps.clock,
        }),
      ),
    );
    expect(spends.filter((s) => s.ok)).toHaveLength(1);
    for (const s of spends) if (!s.ok) expect(s.error.reason).toBe('already-spent');
  });
}

describe('check-in races on a SQLite file', () => {
  raceContract(sqliteFileTarget);
});

describe.runIf(postgres.kind !== 'skip')('check-in races on PostgreSQL', () => {
  if (postgres.kind === 'fail') {
    it('needs PostgreSQL', () => {
      expect.fail(postgres.message);
    });
    return;
  }
  if (postgres.kind === 'available') raceContract(() => postgresTarget(postgres.url));
});
