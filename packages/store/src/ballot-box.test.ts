import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from './store.ts';
import {
  postgresTarget,
  postgresTestSetup,
  sqliteFileTarget,
  type StoreTarget,
} from './testing.ts';

/**
 * The ballot box's conditional writes, each from several connections at once (as several
 * server processes would make them): a ceremony starts once, a phase moves once, a
 * guardian publishes and releases once, a booth's chain advances one link at a time, and
 * a ballot leaves `pending` once.
 */
const postgres = postgresTestSetup();
if (postgres.kind === 'skip') console.warn(postgres.message);

const CONNECTIONS = 6;
const E = 'election-1';

function ballotBoxContract(makeTarget: () => Promise<StoreTarget>): void {
  let target: StoreTarget;
  let stores: Store[];
  beforeEach(async () => {
    target = await makeTarget();
    stores = [];
    for (let i = 0; i < CONNECTIONS; i++) stores.push(await target.open());
  });
  afterEach(async () => {
    await target.cleanup();
  });
  const first = (): Store => stores[0]!;
  const count = (results: readonly boolean[]): number => results.filter(Boolean).length;

  const start = (s: Store) =>
    s.createBallotBox({
      electionId: E,
      quorum: 2,
      guardianIds: ['g-1', 'g-2', 'g-3'],
      startedAt: new Date('2026-11-03T06:00:00Z'),
    });

  it('starts a ceremony once, and moves a phase only from the phase expected', async () => {
    expect(count(await Promise.all(stores.map(start)))).toBe(1);
    const box = await first().getBallotBox(E);
    expect(box?.phase).toBe('key-ceremony');
    expect(box?.guardians.map((g) => [g.guardianId, g.xCoordinate])).toEqual([
      ['g-1', 1],
      ['g-2', 2],
      ['g-3', 3],
    ]);
    const moved = await Promise.all(
      stores.map((s) => s.setBallotBoxPhase(E, 'key-ceremony', 'ready', { jointKey: 'ab' })),
    );
    expect(count(moved)).toBe(1);
    expect(await first().setBallotBoxPhase(E, 'key-ceremony', 'ready')).toBe(false);
    expect((await first().getBallotBox(E))?.jointKey).toBe('ab');
    await expect(
      first().createBallotBox({
        electionId: 'e-2',
        quorum: 3,
        guardianIds: ['g-1'],
        startedAt: new Date(),
      }),
    ).rejects.toThrow(/quorum/);
  });

  it('lets each guardian publish and release once', async () => {
    await start(first());
    const publish = (s: Store) =>
      s.publishGuardianKeys({
        electionId: E,
        guardianId: 'g-2',
        commitments: [{ publicKey: '01', challenge: '02', response: '03' }],
        sealedCoefficients: new Uint8Array([1, 2, 3]),
        at: new Date(),
      });
    expect(count(await Promise.all(stores.map(publish)))).toBe(1);
    await first().saveGuardianShares(E, [{ guardianId: 'g-2', sealedShare: new Uint8Array([9]) }]);
    const g2 = (await first().getBallotBox(E))?.guardians.find((g) => g.guardianId === 'g-2');
    expect(g2?.sealedCoefficients).toBeUndefined();
    expect([...(g2?.sealedShare ?? [])]).toEqual([9]);
    const release = (s: Store) => s.releaseGuardianShare(E, 'g-2', new Date());
    expect(count(await Promise.all(stores.map(release)))).toBe(1);
  });

  it('advances a booth chain one link at a time and resolves a ballot once', async () => {
    const advance = (s: Store, expectedCount: number, lastCode: string) =>
      s.advanceBallotDevice({ electionId: E, deviceId: 'booth-1', expectedCount, lastCode });
    expect(count(await Promise.all(stores.map((s, i) => advance(s, 0, `c${i}`))))).toBe(1);
    expect(count(await Promise.all(stores.map((s, i) => advance(s, 1, `d${i}`))))).toBe(1);
    const device = await first().getBallotDevice(E, 'booth-1');
    expect(device?.ballotCount).toBe(2);
    expect(device?.lastCode).toMatch(/^d\d$/);

    await first().openBoothSession({
      sessionId: 's-1',
      electionId: E,
      stationId: 'booth-1',
      ballotStyleId: 'bs-1',
      status: 'open',
      expiresAt: new Date('2026-11-03T08:00:00Z'),
    });
    await first().saveBallot({
      electionId: E,
      confirmationCode: 'aa'.repeat(32),
      ballotId: 'b-1',
      sessionId: 's-1',
      deviceId: 'booth-1',
      chainPosition: 1,
      ballotStyleId: 'bs-1',
      state: 'pending',
      encrypted: '{}',
      sealedSecret: new Uint8Array([7]),
    });
    expect((await first().listPendingBallots(E, 's-1')).map((b) => b.ballotId)).toEqual(['b-1']);
    const resolved = await Promise.all(
      stores.map((s, i) =>
        s.resolveBallot({
          electionId: E,
          confirmationCode: 'aa'.repeat(32),
          state: i % 2 === 0 ? 'cast' : 'challenged',
          encrypted: '{"state":"x"}',
          ledgerEntry: `{"n":${i}}`,
        }),
      ),
    );
    expect(count(resolved)).toBe(1);
    const ballot = await first().getBallot(E, 'aa'.repeat(32));
    expect(ballot?.sealedSecret).toBeUndefined();
    // Resolved: no tie to its booth session is kept, and its entry waits, unpublished.
    expect(ballot?.sessionId).toBeUndefined();
    expect(ballot?.ledgerIndex).toBeUndefined();
    expect(ballot?.unpublishedEntry).toBe(`{"n":${resolved.indexOf(true)}}`);
    expect(await first().countUnpublishedBallots(E)).toBe(1);
    expect(await first().listUnpublishedBallots(E)).toEqual([
      { confirmationCode: 'aa'.repeat(32), ledgerEntry: `{"n":${resolved.indexOf(true)}}` },
    ]);
    const state = resolved.indexOf(true) % 2 === 0 ? 'cast' : 'challenged';
    expect((await first().countBallots(E, { publishedOnly: true }))[state]).toBe(0);
    // Published once, whichever batch gets there first.
    const published = await Promise.all(
      stores.map((s, i) =>
        s.publishBallot({ electionId: E, confirmationCode: 'aa'.repeat(32), ledgerIndex: 40 + i }),
      ),
    );
    expect(count(published)).toBe(1);
    expect((await first().countBallots(E, { publishedOnly: true }))[state]).toBe(1);
    const after = await first().getBallot(E, 'aa'.repeat(32));
    expect(after?.ledgerIndex).toBe(40 + published.indexOf(true));
    expect(after?.unpublishedEntry).toBeUndefined();
    expect(await first().countUnpublishedBallots(E)).toBe(0);
    expect(await first().listUnpublishedBallots(E)).toEqual([]);
    expect(await first().listResolvedBallots(E)).toHaveLength(1);
    expect(await first().countBallots(E)).toEqual({
      pending: 0,
      cast: resolved.indexOf(true) % 2 === 0 ? 1 : 0,
      challenged: resolved.indexOf(true) % 2 === 0 ? 0 : 1,
    });
    expect(count(await Promise.all(stores.map((s) => s.endBoothSession('s-1', 'cast'))))).toBe(1);
    expect(await first().closeBoothSessions(E)).toBe(0);
  });

  it('keeps no order of writing and no time of day in the ballot tables', async () => {
    const s = first();
    for (const table of ['ballot_box_ballots', 'paper_ballots']) {
      const columns =
        s.dialect === 'sqlite'
          ? (
              await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(
                s.db,
              )
            ).rows
          : (
              await sql<{ name: string }>`select column_name as name from information_schema.columns
                where table_name = ${table}`.execute(s.db)
            ).rows;
      // No timestamp of casting: a time could be matched to the voter's check-in.
      expect(columns.map((c) => c.name).filter((n) => /_at$|time/.test(n))).toEqual([]);
      if (s.dialect === 'sqlite') {
        // WITHOUT ROWID: no hidden row number counting the rows in the order written.
        await expect(sql.raw(`select rowid from ${table}`).execute(s.db)).rejects.toThrow(/rowid/);
      }
    }
  });

  it('keeps paper ballot records by random id only', async () => {
    for (const paperId of ['paper-c', 'paper-a', 'paper-b']) {
      await first().savePaperBallot({
        electionId: E,
        paperId,
        ballotStyleId: 'bs-1',
        marks: { governor: [paperId] },
      });
    }
    expect(await first().listPaperBallotIds(E)).toEqual(['paper-a', 'paper-b', 'paper-c']);
    expect((await first().getPaperBallot(E, 'paper-b'))?.marks).toEqual({ governor: ['paper-b'] });
    expect(await first().getPaperBallot(E, 'paper-z')).toBeUndefined();
  });
}

describe('ballot-box storage on a SQLite file', () => {
  ballotBoxContract(sqliteFileTarget);
});

describe.runIf(postgres.kind !== 'skip')('ballot-box storage on PostgreSQL', () => {
  if (postgres.kind === 'fail') {
    it('needs PostgreSQL', () => {
      expect.fail(postgres.message);
    });
    return;
  }
  if (postgres.kind === 'available') ballotBoxContract(() => postgresTarget(postgres.url));
});
