import type { Kysely, Selectable } from 'kysely';
import { InvalidInputError } from '@vigil/core';
import { bytesFromRow, bytesToParam, instantFromRow } from './dialect.ts';
import type {
  BallotBoxBallotsTable,
  BallotBoxElectionsTable,
  BallotBoxGuardiansTable,
  BallotBoxSessionsTable,
  VigilDatabase,
} from './schema.ts';

/**
 * Storage of the ballot box (migration 0009-ballot-box). The meaning (the key ceremony,
 * encryption, the tally, who may do what) lives in @vigil/ballots and the server's
 * ballot-box service; the store gives it conditional writes, so that each step happens
 * once under concurrency: a phase moves only from the phase expected, a guardian
 * publishes and releases once, a device's chain advances from the link expected, a
 * ballot leaves `pending` once and is published in the ledger once. Every write returns
 * whether it landed.
 *
 * A cast or challenged ballot's ledger entry is not appended when it is cast: it waits in
 * the ballot's row until the service publishes a shuffled batch (docs/architecture.md,
 * "Batched publication"), so that the ledger's order cannot tie the ballot to the
 * check-in just before it.
 */

/** The phases of the ballot box, in order. */
export type BallotBoxPhase =
  'key-ceremony' | 'ready' | 'polls-open' | 'polls-closed' | 'tallied' | 'decrypted';

export interface BallotBoxGuardian {
  readonly guardianId: string;
  readonly xCoordinate: number;
  /** K_ij with their Schnorr proofs (hex), once published. */
  readonly commitments?: readonly {
    readonly publicKey: string;
    readonly challenge: string;
    readonly response: string;
  }[];
  readonly sealedCoefficients?: Uint8Array;
  readonly sealedShare?: Uint8Array;
  readonly keysPublishedAt?: Date;
  readonly shareReleasedAt?: Date;
}

export interface BallotBoxElection {
  readonly electionId: string;
  readonly phase: BallotBoxPhase;
  readonly numberOfGuardians: number;
  readonly quorum: number;
  /** Hex of the joint key K and of H_E, once the ceremony completed. */
  readonly jointKey?: string;
  readonly extendedBaseHash?: string;
  readonly ceremonyStartedAt: Date;
  readonly pollsOpenedAt?: Date;
  readonly pollsClosedAt?: Date;
  readonly talliedAt?: Date;
  readonly decryptedAt?: Date;
  /** JSON written once at decryption. */
  readonly results?: string;
  readonly verification?: string;
  /** By x-coordinate. */
  readonly guardians: readonly BallotBoxGuardian[];
}

/** What a phase change may set besides the phase. */
export interface BallotBoxPhaseFields {
  readonly jointKey?: string;
  readonly extendedBaseHash?: string;
  readonly pollsOpenedAt?: Date;
  readonly pollsClosedAt?: Date;
  readonly talliedAt?: Date;
  readonly decryptedAt?: Date;
  readonly results?: string;
  readonly verification?: string;
}

export type BoothSessionStatus = 'open' | 'cast' | 'closed';

export interface BoothSession {
  readonly sessionId: string;
  readonly electionId: string;
  readonly stationId: string;
  readonly ballotStyleId: string;
  readonly status: BoothSessionStatus;
  readonly expiresAt: Date;
}

export type StoredBallotState = 'pending' | 'cast' | 'challenged';

export interface StoredBallot {
  readonly electionId: string;
  /** Lowercase hex. */
  readonly confirmationCode: string;
  readonly ballotId: string;
  /** The booth session, while pending (dropped once cast or challenged). */
  readonly sessionId?: string;
  readonly deviceId: string;
  /** 1, 2, … along the device's chain. */
  readonly chainPosition: number;
  readonly ballotStyleId: string;
  readonly state: StoredBallotState;
  /** The encrypted ballot in the record's JSON form. */
  readonly encrypted: string;
  readonly sealedSecret?: Uint8Array;
  /** Cast or challenged but not yet published: the ledger entry (JSON) waiting. */
  readonly unpublishedEntry?: string;
  /** Its index in the ledger, once published. */
  readonly ledgerIndex?: number;
}

export interface PaperBallot {
  readonly electionId: string;
  readonly paperId: string;
  readonly ballotStyleId: string;
  readonly marks: Readonly<Record<string, readonly string[]>>;
}

export interface BallotBoxOperations {
  /** Starts the ceremony: false (storing nothing) when this election already has a ballot box. */
  readonly createBallotBox: (input: {
    readonly electionId: string;
    readonly quorum: number;
    readonly guardianIds: readonly string[];
    readonly startedAt: Date;
  }) => Promise<boolean>;
  readonly getBallotBox: (electionId: string) => Promise<BallotBoxElection | undefined>;
  /** Moves the phase from `from` to `to`; false when the phase was not `from`. */
  readonly setBallotBoxPhase: (
    electionId: string,
    from: BallotBoxPhase,
    to: BallotBoxPhase,
    fields?: BallotBoxPhaseFields,
  ) => Promise<boolean>;
  /** A guardian's commitments and sealed polynomial; false when it already published. */
  readonly publishGuardianKeys: (input: {
    readonly electionId: string;
    readonly guardianId: string;
    readonly commitments: NonNullable<BallotBoxGuardian['commitments']>;
    readonly sealedCoefficients: Uint8Array;
    readonly at: Date;
  }) => Promise<boolean>;
  /** Stores each guardian's sealed share z_ℓ and drops the sealed polynomials. */
  readonly saveGuardianShares: (
    electionId: string,
    shares: readonly { readonly guardianId: string; readonly sealedShare: Uint8Array }[],
  ) => Promise<void>;
  /** False when the guardian already released its share. */
  readonly releaseGuardianShare: (
    electionId: string,
    guardianId: string,
    at: Date,
  ) => Promise<boolean>;
  /** The device's chain position: ballots encrypted so far and the last code (hex). */
  readonly getBallotDevice: (
    electionId: string,
    deviceId: string,
  ) => Promise<{ readonly ballotCount: number; readonly lastCode: string } | undefined>;
  /**
   * Advances a device's chain from `expectedCount` ballots to one more, ending in
   * `lastCode`; false when another encryption advanced it first.
   */
  readonly advanceBallotDevice: (input: {
    readonly electionId: string;
    readonly deviceId: string;
    readonly expectedCount: number;
    readonly lastCode: string;
  }) => Promise<boolean>;
  readonly listBallotDevices: (
    electionId: string,
  ) => Promise<readonly { readonly deviceId: string; readonly ballotCount: number }[]>;
  readonly openBoothSession: (session: BoothSession) => Promise<void>;
  readonly getBoothSession: (sessionId: string) => Promise<BoothSession | undefined>;
  /** Ends an open session; false when it was not open. */
  readonly endBoothSession: (sessionId: string, status: 'cast' | 'closed') => Promise<boolean>;
  /** Ends every open session of the election (the polls closed); how many. */
  readonly closeBoothSessions: (electionId: string) => Promise<number>;
  readonly saveBallot: (ballot: StoredBallot) => Promise<void>;
  readonly getBallot: (
    electionId: string,
    confirmationCode: string,
  ) => Promise<StoredBallot | undefined>;
  /**
   * Moves a pending ballot to cast or challenged, drops its sealed secret and its booth
   * session, stores the new encrypted form and queues its ledger entry (JSON) for the
   * next batch; false when it was not pending.
   */
  readonly resolveBallot: (input: {
    readonly electionId: string;
    readonly confirmationCode: string;
    readonly state: 'cast' | 'challenged';
    readonly encrypted: string;
    readonly ledgerEntry: string;
  }) => Promise<boolean>;
  /**
   * The ballots whose ledger entry waits for publication, by code (a hash: no order of
   * casting).
   */
  readonly listUnpublishedBallots: (
    electionId: string,
  ) => Promise<readonly { readonly confirmationCode: string; readonly ledgerEntry: string }[]>;
  readonly countUnpublishedBallots: (electionId: string) => Promise<number>;
  /**
   * Records a waiting ballot's ledger index and drops the waiting entry; false when it
   * was not waiting (another batch published it).
   */
  readonly publishBallot: (input: {
    readonly electionId: string;
    readonly confirmationCode: string;
    readonly ledgerIndex: number;
  }) => Promise<boolean>;
  /** The pending ballots of a session, or of the whole election when no session is given. */
  readonly listPendingBallots: (
    electionId: string,
    sessionId?: string,
  ) => Promise<readonly StoredBallot[]>;
  /**
   * How many ballots are in each state; with `publishedOnly`, only those whose ledger
   * entry is published (so the counts move a batch at a time, like the ledger).
   */
  readonly countBallots: (
    electionId: string,
    options?: { readonly publishedOnly?: boolean },
  ) => Promise<Readonly<Record<StoredBallotState, number>>>;
  /** Every ballot that is cast or challenged, by device and chain position. */
  readonly listResolvedBallots: (electionId: string) => Promise<readonly StoredBallot[]>;
  readonly savePaperBallot: (paper: PaperBallot) => Promise<void>;
  /** Paper ids in id order (random, so the order says nothing of the order of voting). */
  readonly listPaperBallotIds: (electionId: string) => Promise<readonly string[]>;
  readonly getPaperBallot: (
    electionId: string,
    paperId: string,
  ) => Promise<PaperBallot | undefined>;
  readonly listPaperBallots: (electionId: string) => Promise<readonly PaperBallot[]>;
}

const optionalDate = (value: Date | string | null): Date | undefined =>
  value === null ? undefined : instantFromRow(value);

function guardianFromRow(row: Selectable<BallotBoxGuardiansTable>): BallotBoxGuardian {
  const publishedAt = optionalDate(row.keys_published_at);
  const releasedAt = optionalDate(row.share_released_at);
  return {
    guardianId: row.guardian_id,
    xCoordinate: row.x_coordinate,
    ...(row.commitments === null
      ? {}
      : { commitments: JSON.parse(row.commitments) as BallotBoxGuardian['commitments'] }),
    ...(row.sealed_coefficients === null
      ? {}
      : { sealedCoefficients: bytesFromRow(row.sealed_coefficients) }),
    ...(row.sealed_share === null ? {} : { sealedShare: bytesFromRow(row.sealed_share) }),
    ...(publishedAt === undefined ? {} : { keysPublishedAt: publishedAt }),
    ...(releasedAt === undefined ? {} : { shareReleasedAt: releasedAt }),
  };
}

function electionFromRow(
  row: Selectable<BallotBoxElectionsTable>,
  guardians: readonly BallotBoxGuardian[],
): BallotBoxElection {
  const dates = {
    pollsOpenedAt: optionalDate(row.polls_opened_at),
    pollsClosedAt: optionalDate(row.polls_closed_at),
    talliedAt: optionalDate(row.tallied_at),
    decryptedAt: optionalDate(row.decrypted_at),
  };
  return {
    electionId: row.election_id,
    phase: row.phase as BallotBoxPhase,
    numberOfGuardians: row.number_of_guardians,
    quorum: row.quorum,
    ...(row.joint_key === null ? {} : { jointKey: row.joint_key }),
    ...(row.extended_base_hash === null ? {} : { extendedBaseHash: row.extended_base_hash }),
    ceremonyStartedAt: instantFromRow(row.ceremony_started_at),
    ...Object.fromEntries(Object.entries(dates).filter(([, v]) => v !== undefined)),
    ...(row.results === null ? {} : { results: row.results }),
    ...(row.verification === null ? {} : { verification: row.verification }),
    guardians,
  };
}

function sessionFromRow(row: Selectable<BallotBoxSessionsTable>): BoothSession {
  return {
    sessionId: row.session_id,
    electionId: row.election_id,
    stationId: row.station_id,
    ballotStyleId: row.ballot_style_id,
    status: row.status as BoothSessionStatus,
    expiresAt: instantFromRow(row.expires_at),
  };
}

function ballotFromRow(row: Selectable<BallotBoxBallotsTable>): StoredBallot {
  return {
    electionId: row.election_id,
    confirmationCode: row.confirmation_code,
    ballotId: row.ballot_id,
    ...(row.session_id === null ? {} : { sessionId: row.session_id }),
    deviceId: row.device_id,
    chainPosition: row.chain_position,
    ballotStyleId: row.ballot_style_id,
    state: row.state as StoredBallotState,
    encrypted: row.encrypted,
    ...(row.sealed_secret === null ? {} : { sealedSecret: bytesFromRow(row.sealed_secret) }),
    ...(row.ledger_entry === null ? {} : { unpublishedEntry: row.ledger_entry }),
    ...(row.ledger_index === null ? {} : { ledgerIndex: Number(row.ledger_index) }),
  };
}

const iso = (d: Date | undefined): string | undefined => d?.toISOString();

export function createBallotBoxOperations(db: Kysely<VigilDatabase>): BallotBoxOperations {
  return {
    createBallotBox: async ({ electionId, quorum, guardianIds, startedAt }) => {
      if (guardianIds.length === 0 || quorum < 1 || quorum > guardianIds.length) {
        throw new InvalidInputError(
          `A key ceremony needs 1 ≤ quorum ≤ guardians; got a quorum of ${quorum} of ${guardianIds.length}.`,
          { path: 'quorum' },
        );
      }
      const inserted = await db
        .insertInto('ballot_box_elections')
        .values({
          election_id: electionId,
          phase: 'key-ceremony',
          number_of_guardians: guardianIds.length,
          quorum,
          joint_key: null,
          extended_base_hash: null,
          ceremony_started_at: startedAt.toISOString(),
          polls_opened_at: null,
          polls_closed_at: null,
          tallied_at: null,
          decrypted_at: null,
          results: null,
          verification: null,
        })
        .onConflict((oc) => oc.column('election_id').doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows !== 1n) return false;
      await db
        .insertInto('ballot_box_guardians')
        .values(
          guardianIds.map((guardianId, i) => ({
            election_id: electionId,
            guardian_id: guardianId,
            x_coordinate: i + 1,
            commitments: null,
            sealed_coefficients: null,
            sealed_share: null,
            keys_published_at: null,
            share_released_at: null,
          })),
        )
        .execute();
      return true;
    },

    getBallotBox: async (electionId) => {
      const row = await db
        .selectFrom('ballot_box_elections')
        .selectAll()
        .where('election_id', '=', electionId)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const guardians = await db
        .selectFrom('ballot_box_guardians')
        .selectAll()
        .where('election_id', '=', electionId)
        .orderBy('x_coordinate')
        .execute();
      return electionFromRow(row, guardians.map(guardianFromRow));
    },

    setBallotBoxPhase: async (electionId, from, to, fields = {}) => {
      const updated = await db
        .updateTable('ballot_box_elections')
        .set({
          phase: to,
          ...(fields.jointKey === undefined ? {} : { joint_key: fields.jointKey }),
          ...(fields.extendedBaseHash === undefined
            ? {}
            : { extended_base_hash: fields.extendedBaseHash }),
          ...(fields.pollsOpenedAt === undefined
            ? {}
            : { polls_opened_at: iso(fields.pollsOpenedAt) }),
          ...(fields.pollsClosedAt === undefined
            ? {}
            : { polls_closed_at: iso(fields.pollsClosedAt) }),
          ...(fields.talliedAt === undefined ? {} : { tallied_at: iso(fields.talliedAt) }),
          ...(fields.decryptedAt === undefined ? {} : { decrypted_at: iso(fields.decryptedAt) }),
          ...(fields.results === undefined ? {} : { results: fields.results }),
          ...(fields.verification === undefined ? {} : { verification: fields.verification }),
        })
        .where('election_id', '=', electionId)
        .where('phase', '=', from)
        .executeTakeFirst();
      return updated.numUpdatedRows === 1n;
    },

    publishGuardianKeys: async (input) => {
      const updated = await db
        .updateTable('ballot_box_guardians')
        .set({
          commitments: JSON.stringify(input.commitments),
          sealed_coefficients: bytesToParam(input.sealedCoefficients),
          keys_published_at: input.at.toISOString(),
        })
        .where('election_id', '=', input.electionId)
        .where('guardian_id', '=', input.guardianId)
        .where('keys_published_at', 'is', null)
        .executeTakeFirst();
      return updated.numUpdatedRows === 1n;
    },

    saveGuardianShares: async (electionId, shares) => {
      for (const s of shares) {
        await db
          .updateTable('ballot_box_guardians')
          .set({ sealed_share: bytesToParam(s.sealedShare), sealed_coefficients: null })
          .where('election_id', '=', electionId)
          .where('guardian_id', '=', s.guardianId)
          .execute();
      }
    },

    releaseGuardianShare: async (electionId, guardianId, at) => {
      const updated = await db
        .updateTable('ballot_box_guardians')
        .set({ share_released_at: at.toISOString() })
        .where('election_id', '=', electionId)
        .where('guardian_id', '=', guardianId)
        .where('share_released_at', 'is', null)
        .executeTakeFirst();
      return updated.numUpdatedRows === 1n;
    },

    getBallotDevice: async (electionId, deviceId) => {
      const row = await db
        .selectFrom('ballot_box_devices')
        .select(['ballot_count', 'last_code'])
        .where('election_id', '=', electionId)
        .where('device_id', '=', deviceId)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : { ballotCount: row.ballot_count, lastCode: row.last_code };
    },

    advanceBallotDevice: async ({ electionId, deviceId, expectedCount, lastCode }) => {
      if (expectedCount === 0) {
        const inserted = await db
          .insertInto('ballot_box_devices')
          .values({
            election_id: electionId,
            device_id: deviceId,
            ballot_count: 1,
            last_code: lastCode,
          })
          .onConflict((oc) => oc.columns(['election_id', 'device_id']).doNothing())
          .executeTakeFirst();
        return inserted.numInsertedOrUpdatedRows === 1n;
      }
      const updated = await db
        .updateTable('ballot_box_devices')
        .set({ ballot_count: expectedCount + 1, last_code: lastCode })
        .where('election_id', '=', electionId)
        .where('device_id', '=', deviceId)
        .where('ballot_count', '=', expectedCount)
        .executeTakeFirst();
      return updated.numUpdatedRows === 1n;
    },

    listBallotDevices: async (electionId) => {
      const rows = await db
        .selectFrom('ballot_box_devices')
        .select(['device_id', 'ballot_count'])
        .where('election_id', '=', electionId)
        .orderBy('device_id')
        .execute();
      return rows.map((r) => ({ deviceId: r.device_id, ballotCount: r.ballot_count }));
    },

    openBoothSession: async (s) => {
      await db
        .insertInto('ballot_box_sessions')
        .values({
          session_id: s.sessionId,
          election_id: s.electionId,
          station_id: s.stationId,
          ballot_style_id: s.ballotStyleId,
          status: s.status,
          expires_at: s.expiresAt.toISOString(),
        })
        .execute();
    },

    getBoothSession: async (sessionId) => {
      const row = await db
        .selectFrom('ballot_box_sessions')
        .selectAll()
        .where('session_id', '=', sessionId)
        .executeTakeFirst();
      return row === undefined ? undefined : sessionFromRow(row);
    },

    endBoothSession: async (sessionId, status) => {
      const updated = await db
        .updateTable('ballot_box_sessions')
        .set({ status })
        .where('session_id', '=', sessionId)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return updated.numUpdatedRows === 1n;
    },

    closeBoothSessions: async (electionId) => {
      const updated = await db
        .updateTable('ballot_box_sessions')
        .set({ status: 'closed' })
        .where('election_id', '=', electionId)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return Number(updated.numUpdatedRows);
    },

    saveBallot: async (b) => {
      await db
        .insertInto('ballot_box_ballots')
        .values({
          election_id: b.electionId,
          confirmation_code: b.confirmationCode,
          ballot_id: b.ballotId,
          session_id: b.sessionId ?? null,
          device_id: b.deviceId,
          chain_position: b.chainPosition,
          ballot_style_id: b.ballotStyleId,
          state: b.state,
          encrypted: b.encrypted,
          sealed_secret: b.sealedSecret === undefined ? null : bytesToParam(b.sealedSecret),
          ledger_entry: b.unpublishedEntry ?? null,
          ledger_index: b.ledgerIndex ?? null,
        })
        .execute();
    },

    getBallot: async (electionId, confirmationCode) => {
      const row = await db
        .selectFrom('ballot_box_ballots')
        .selectAll()
        .where('election_id', '=', electionId)
        .where('confirmation_code', '=', confirmationCode)
        .executeTakeFirst();
      return row === undefined ? undefined : ballotFromRow(row);
    },

    resolveBallot: async (input) => {
      const updated = await db
        .updateTable('ballot_box_ballots')
        .set({
          state: input.state,
          encrypted: input.encrypted,
          sealed_secret: null,
          session_id: null,
          ledger_entry: input.ledgerEntry,
          ledger_index: null,
        })
        .where('election_id', '=', input.electionId)
        .where('confirmation_code', '=', input.confirmationCode)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return updated.numUpdatedRows === 1n;
    },

    listUnpublishedBallots: async (electionId) => {
      const rows = await db
        .selectFrom('ballot_box_ballots')
        .select(['confirmation_code', 'ledger_entry'])
        .where('election_id', '=', electionId)
        .where('ledger_entry', 'is not', null)
        .orderBy('confirmation_code')
        .execute();
      return rows.map((r) => ({
        confirmationCode: r.confirmation_code,
        ledgerEntry: r.ledger_entry ?? '',
      }));
    },

    countUnpublishedBallots: async (electionId) => {
      const row = await db
        .selectFrom('ballot_box_ballots')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
        .where('election_id', '=', electionId)
        .where('ledger_entry', 'is not', null)
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    publishBallot: async ({ electionId, confirmationCode, ledgerIndex }) => {
      const updated = await db
        .updateTable('ballot_box_ballots')
        .set({ ledger_entry: null, ledger_index: ledgerIndex })
        .where('election_id', '=', electionId)
        .where('confirmation_code', '=', confirmationCode)
        .where('ledger_entry', 'is not', null)
        .executeTakeFirst();
      return updated.numUpdatedRows === 1n;
    },

    listPendingBallots: async (electionId, sessionId) => {
      let query = db
        .selectFrom('ballot_box_ballots')
        .selectAll()
        .where('election_id', '=', electionId)
        .where('state', '=', 'pending');
      if (sessionId !== undefined) query = query.where('session_id', '=', sessionId);
      const rows = await query.orderBy('device_id').orderBy('chain_position').execute();
      return rows.map(ballotFromRow);
    },

    countBallots: async (electionId, options = {}) => {
      let query = db
        .selectFrom('ballot_box_ballots')
        .select(['state', (eb) => eb.fn.countAll<number | string | bigint>().as('count')])
        .where('election_id', '=', electionId);
      if (options.publishedOnly === true) query = query.where('ledger_index', 'is not', null);
      const rows = await query.groupBy('state').execute();
      const counts: Record<StoredBallotState, number> = { pending: 0, cast: 0, challenged: 0 };
      for (const r of rows) counts[r.state as StoredBallotState] = Number(r.count);
      return counts;
    },

    listResolvedBallots: async (electionId) => {
      const rows = await db
        .selectFrom('ballot_box_ballots')
        .selectAll()
        .where('election_id', '=', electionId)
        .where('state', 'in', ['cast', 'challenged'])
        .orderBy('device_id')
        .orderBy('chain_position')
        .execute();
      return rows.map(ballotFromRow);
    },

    savePaperBallot: async (p) => {
      await db
        .insertInto('paper_ballots')
        .values({
          election_id: p.electionId,
          paper_id: p.paperId,
          ballot_style_id: p.ballotStyleId,
          marks: JSON.stringify(p.marks),
        })
        .execute();
    },

    listPaperBallotIds: async (electionId) => {
      const rows = await db
        .selectFrom('paper_ballots')
        .select('paper_id')
        .where('election_id', '=', electionId)
        .orderBy('paper_id')
        .execute();
      return rows.map((r) => r.paper_id);
    },

    getPaperBallot: async (electionId, paperId) => {
      const row = await db
        .selectFrom('paper_ballots')
        .selectAll()
        .where('election_id', '=', electionId)
        .where('paper_id', '=', paperId)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : {
            electionId: row.election_id,
            paperId: row.paper_id,
            ballotStyleId: row.ballot_style_id,
            marks: JSON.parse(row.marks) as PaperBallot['marks'],
          };
    },

    listPaperBallots: async (electionId) => {
      const rows = await db
        .selectFrom('paper_ballots')
        .selectAll()
        .where('election_id', '=', electionId)
        .orderBy('paper_id')
        .execute();
      return rows.map((row) => ({
        electionId: row.election_id,
        paperId: row.paper_id,
        ballotStyleId: row.ballot_style_id,
        marks: JSON.parse(row.marks) as PaperBallot['marks'],
      }));
    },
  };
}

/** The writes above, each run in its own transaction (so SQLite writers take turns). */
export function routeBallotBoxWrites(
  transaction: <T>(fn: (tx: BallotBoxOperations) => Promise<T>) => Promise<T>,
): Pick<
  BallotBoxOperations,
  | 'createBallotBox'
  | 'setBallotBoxPhase'
  | 'publishGuardianKeys'
  | 'saveGuardianShares'
  | 'releaseGuardianShare'
  | 'advanceBallotDevice'
  | 'openBoothSession'
  | 'endBoothSession'
  | 'closeBoothSessions'
  | 'saveBallot'
  | 'resolveBallot'
  | 'publishBallot'
  | 'savePaperBallot'
> {
  return {
    createBallotBox: (i) => transaction((tx) => tx.createBallotBox(i)),
    setBallotBoxPhase: (e, f, t, x) => transaction((tx) => tx.setBallotBoxPhase(e, f, t, x)),
    publishGuardianKeys: (i) => transaction((tx) => tx.publishGuardianKeys(i)),
    saveGuardianShares: (e, s) => transaction((tx) => tx.saveGuardianShares(e, s)),
    releaseGuardianShare: (e, g, a) => transaction((tx) => tx.releaseGuardianShare(e, g, a)),
    advanceBallotDevice: (i) => transaction((tx) => tx.advanceBallotDevice(i)),
    openBoothSession: (s) => transaction((tx) => tx.openBoothSession(s)),
    endBoothSession: (s, st) => transaction((tx) => tx.endBoothSession(s, st)),
    closeBoothSessions: (e) => transaction((tx) => tx.closeBoothSessions(e)),
    saveBallot: (b) => transaction((tx) => tx.saveBallot(b)),
    resolveBallot: (i) => transaction((tx) => tx.resolveBallot(i)),
    publishBallot: (i) => transaction((tx) => tx.publishBallot(i)),
    savePaperBallot: (p) => transaction((tx) => tx.savePaperBallot(p)),
  };
}
