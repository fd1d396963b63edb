import { sql, type Kysely, type Selectable } from 'kysely';
import { ConflictError, InvalidInputError, err, ok, type Result } from '@vigil/core';
import { bytesFromRow, bytesToParam, instantFromRow } from './dialect.ts';
import type {
  RegistryIncidentsTable,
  StationJournalTable,
  VigilDatabase,
  VoterParticipationTable,
} from './schema.ts';

/**
 * Storage of polling-station check-in (migration 0008-checkin). The meaning (who may
 * check in, the match threshold, blind signatures, clocks) lives in @vigil/registry; the
 * store gives it the conditional writes that make each rule hold under concurrency: a
 * write either lands (true) or finds the row another station wrote first (false), on
 * SQLite and PostgreSQL alike, without a read-then-write window.
 */

/** How a voter was let through: a 1:1 biometric match or a supervised override. */
export type CheckInMethod = 'biometric' | 'override';

/** The "has voted" record of one voter in one election. */
export interface VoterParticipation {
  readonly electionId: string;
  readonly voterId: string;
  readonly checkInId: string;
  readonly stationId: string;
  readonly officialId: string;
  readonly method: CheckInMethod;
  readonly supervisorId?: string;
  readonly overrideReason?: string;
  readonly ballotStyleId: string;
  /** The hybrid logical clock stamp, for a check-in made at a station's own store. */
  readonly hlc?: string;
  readonly checkedInAt: Date;
  /** Whether the registry has blind-signed a credential for this check-in. */
  readonly credentialIssued: boolean;
}

export type LockOutcome =
  { readonly locked: true } | { readonly locked: false; readonly existing: VoterParticipation };

export interface CheckInAttempt {
  readonly electionId: string;
  readonly voterId: string;
  /** 1, 2, 3, … per voter and election, across stations. */
  readonly attemptNo: number;
  readonly stationId: string;
  readonly officialId: string;
  readonly outcome: 'match' | 'no-match';
  readonly score: number;
  readonly attemptedAt: Date;
}

export interface ProvisionalBallotRecord {
  readonly envelopeId: string;
  readonly electionId: string;
  readonly stationId: string;
  readonly officialId: string;
  readonly precinctId: string;
  readonly ballotStyleId: string;
  readonly claimedVoterId?: string;
  readonly reason: string;
  readonly createdAt: Date;
}

/** A ballot style's credential key: the public key, and the private key only sealed. */
export interface StoredCredentialKey {
  readonly electionId: string;
  readonly ballotStyleId: string;
  /** SHA-256 (hex) of `publicKey`. */
  readonly keyId: string;
  /** SubjectPublicKeyInfo DER. */
  readonly publicKey: Uint8Array;
  /** nonce ‖ AES-256-GCM ciphertext ‖ tag of the PKCS #8 DER private key. */
  readonly sealedPrivateKey: Uint8Array;
  readonly createdAt: Date;
}

/** One check-in made at a station, in the station's own journal. */
export interface StationJournalEntry {
  readonly stationId: string;
  /** Encoded hybrid logical clock stamp; unique and increasing per station. */
  readonly hlc: string;
  readonly checkInId: string;
  readonly electionId: string;
  readonly voterId: string;
  readonly officialId: string;
  readonly method: CheckInMethod;
  readonly ballotStyleId: string;
  readonly syncedAt?: Date;
}

/** A check-in a station synced to the central store, and what became of it. */
export interface StationCheckIn {
  readonly checkInId: string;
  readonly stationId: string;
  readonly hlc: string;
  readonly electionId: string;
  readonly voterId: string;
  readonly outcome: 'accepted' | 'duplicate';
  readonly receivedAt: Date;
}

export interface RegistryIncident {
  readonly incidentId: string;
  readonly kind: 'double-check-in';
  readonly electionId: string;
  readonly voterId: string;
  readonly checkIns: readonly {
    readonly checkInId: string;
    readonly stationId: string;
    readonly hlc: string;
  }[];
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly raisedAt: Date;
}

export interface CheckInOperations {
  /**
   * The "has voted" lock: one conditional INSERT keyed by (election, voter). Exactly one
   * of any number of concurrent callers gets `locked: true`; the others get the row that
   * won. Run it in the transaction that appends the check-in's ledger entry.
   */
  readonly lockVoterParticipation: (input: VoterParticipation) => Promise<LockOutcome>;
  readonly getVoterParticipation: (
    electionId: string,
    voterId: string,
  ) => Promise<VoterParticipation | undefined>;
  /**
   * Marks the check-in as having received its one blind signature. True only for the
   * one caller that flips it (UPDATE … WHERE credential_issued = 0).
   */
  readonly markCredentialIssued: (electionId: string, checkInId: string) => Promise<boolean>;
  /**
   * `getVoterParticipation` and `countCheckInAttempts` in one query: what a check-in
   * reads in its transaction before claiming an attempt (one round trip on PostgreSQL).
   */
  readonly getCheckInStatus: (
    electionId: string,
    voterId: string,
  ) => Promise<{
    readonly participation: VoterParticipation | undefined;
    readonly attempts: { readonly total: number; readonly failed: number };
  }>;
  /** The 1:1 attempts recorded for a voter, across stations. */
  readonly countCheckInAttempts: (
    electionId: string,
    voterId: string,
  ) => Promise<{ readonly total: number; readonly failed: number }>;
  /**
   * Records attempt number `attemptNo`; false when another station took that number
   * first (the caller counts again).
   */
  readonly recordCheckInAttempt: (attempt: CheckInAttempt) => Promise<boolean>;
  readonly saveProvisionalBallot: (record: ProvisionalBallotRecord) => Promise<void>;
  readonly getProvisionalBallot: (
    envelopeId: string,
  ) => Promise<ProvisionalBallotRecord | undefined>;
  /** Err ConflictError when the ballot style already has a key (keys are never replaced). */
  readonly saveCredentialKey: (key: StoredCredentialKey) => Promise<Result<void, ConflictError>>;
  readonly listCredentialKeys: (electionId: string) => Promise<readonly StoredCredentialKey[]>;
  /**
   * Ballot side: spends a one-time token, by its hash. True the first time; false for a
   * token already spent (a double spend or a replay).
   */
  readonly spendCredentialToken: (input: {
    readonly electionId: string;
    readonly ballotStyleId: string;
    readonly tokenHash: string;
  }) => Promise<boolean>;
  readonly appendStationJournal: (entry: StationJournalEntry) => Promise<void>;
  /** A station's journal in clock order; only what has not been synced when asked. */
  readonly listStationJournal: (
    stationId: string,
    options?: { readonly unsyncedOnly?: boolean },
  ) => Promise<readonly StationJournalEntry[]>;
  readonly markStationJournalSynced: (
    stationId: string,
    checkInIds: readonly string[],
    at: Date,
  ) => Promise<number>;
  /** The station's latest journal stamp, to restart its clock from. */
  readonly lastStationHlc: (stationId: string) => Promise<string | undefined>;
  /** Central side: false when this check-in was already received (a re-sent batch). */
  readonly recordStationCheckIn: (checkIn: StationCheckIn) => Promise<boolean>;
  readonly listStationCheckIns: (electionId: string) => Promise<readonly StationCheckIn[]>;
  /** False when the incident was already raised. */
  readonly saveRegistryIncident: (incident: RegistryIncident) => Promise<boolean>;
  readonly listRegistryIncidents: (electionId: string) => Promise<readonly RegistryIncident[]>;
}

function participationFromRow(row: Selectable<VoterParticipationTable>): VoterParticipation {
  return {
    electionId: row.election_id,
    voterId: row.voter_id,
    checkInId: row.checkin_id,
    stationId: row.station_id,
    officialId: row.official_id,
    method: row.method as CheckInMethod,
    ...(row.supervisor_id === null ? {} : { supervisorId: row.supervisor_id }),
    ...(row.override_reason === null ? {} : { overrideReason: row.override_reason }),
    ballotStyleId: row.ballot_style_id,
    ...(row.hlc === null ? {} : { hlc: row.hlc }),
    checkedInAt: instantFromRow(row.checked_in_at),
    credentialIssued: row.credential_issued === 1,
  };
}

function journalFromRow(row: Selectable<StationJournalTable>): StationJournalEntry {
  return {
    stationId: row.station_id,
    hlc: row.hlc,
    checkInId: row.checkin_id,
    electionId: row.election_id,
    voterId: row.voter_id,
    officialId: row.official_id,
    method: row.method as CheckInMethod,
    ballotStyleId: row.ballot_style_id,
    ...(row.synced_at === null ? {} : { syncedAt: instantFromRow(row.synced_at) }),
  };
}

function incidentFromRow(row: Selectable<RegistryIncidentsTable>): RegistryIncident {
  return {
    incidentId: row.incident_id,
    kind: row.kind as RegistryIncident['kind'],
    electionId: row.election_id,
    voterId: row.voter_id,
    checkIns: JSON.parse(row.checkins) as RegistryIncident['checkIns'],
    firstSeen: instantFromRow(row.first_seen),
    lastSeen: instantFromRow(row.last_seen),
    raisedAt: instantFromRow(row.raised_at),
  };
}

function requireId(value: string, what: string): void {
  if (value.length === 0) throw new InvalidInputError(`${what} is empty.`, { path: what });
}

export function createCheckInOperations(db: Kysely<VigilDatabase>): CheckInOperations {
  const getVoterParticipation = async (
    electionId: string,
    voterId: string,
  ): Promise<VoterParticipation | undefined> => {
    const row = await db
      .selectFrom('voter_participation')
      .selectAll()
      .where('election_id', '=', electionId)
      .where('voter_id', '=', voterId)
      .executeTakeFirst();
    return row === undefined ? undefined : participationFromRow(row);
  };

  return {
    lockVoterParticipation: async (p) => {
      requireId(p.electionId, 'electionId');
      requireId(p.voterId, 'voterId');
      requireId(p.checkInId, 'checkInId');
      const inserted = await db
        .insertInto('voter_participation')
        .values({
          election_id: p.electionId,
          voter_id: p.voterId,
          checkin_id: p.checkInId,
          station_id: p.stationId,
          official_id: p.officialId,
          method: p.method,
          supervisor_id: p.supervisorId ?? null,
          override_reason: p.overrideReason ?? null,
          ballot_style_id: p.ballotStyleId,
          hlc: p.hlc ?? null,
          checked_in_at: p.checkedInAt.toISOString(),
          credential_issued: p.credentialIssued ? 1 : 0,
        })
        .onConflict((oc) => oc.columns(['election_id', 'voter_id']).doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows === 1n) return { locked: true };
      const existing = await getVoterParticipation(p.electionId, p.voterId);
      if (existing === undefined) {
        // The conflict can also be on checkin_id (unique): a check-in id reused for
        // another voter is a bug in the caller, not a lost race.
        throw new Error(
          `check-in ${p.checkInId} could not be stored, and voter ${p.voterId} has no participation row: is the check-in id reused?`,
        );
      }
      return { locked: false, existing };
    },

    getVoterParticipation,

    getCheckInStatus: async (electionId, voterId) => {
      // The aggregate always gives one row; the participation columns are null when the
      // voter has not checked in.
      const { rows } = await sql<
        Omit<Selectable<VoterParticipationTable>, 'election_id'> & {
          election_id: string | null;
          attempts_total: number | string;
          attempts_failed: number | string;
        }
      >`select p.*, a.attempts_total, a.attempts_failed
        from (select count(*) as attempts_total,
                     coalesce(sum(case when outcome = 'no-match' then 1 else 0 end), 0) as attempts_failed
              from checkin_attempts where election_id = ${electionId} and voter_id = ${voterId}) a
        left join voter_participation p on p.election_id = ${electionId} and p.voter_id = ${voterId}`.execute(
        db,
      );
      const row = rows[0];
      if (row === undefined) throw new Error('the check-in status query returned no row');
      const { election_id, attempts_total, attempts_failed, ...rest } = row;
      return {
        participation:
          election_id === null ? undefined : participationFromRow({ ...rest, election_id }),
        attempts: { total: Number(attempts_total), failed: Number(attempts_failed) },
      };
    },

    markCredentialIssued: async (electionId, checkInId) => {
      const updated = await db
        .updateTable('voter_participation')
        .set({ credential_issued: 1 })
        .where('election_id', '=', electionId)
        .where('checkin_id', '=', checkInId)
        .where('credential_issued', '=', 0)
        .executeTakeFirst();
      return updated.numUpdatedRows === 1n;
    },

    countCheckInAttempts: async (electionId, voterId) => {
      const rows = await db
        .selectFrom('checkin_attempts')
        .select(['outcome'])
        .where('election_id', '=', electionId)
        .where('voter_id', '=', voterId)
        .execute();
      return { total: rows.length, failed: rows.filter((r) => r.outcome === 'no-match').length };
    },

    recordCheckInAttempt: async (a) => {
      const inserted = await db
        .insertInto('checkin_attempts')
        .values({
          election_id: a.electionId,
          voter_id: a.voterId,
          attempt_no: a.attemptNo,
          station_id: a.stationId,
          official_id: a.officialId,
          outcome: a.outcome,
          score: a.score,
          attempted_at: a.attemptedAt.toISOString(),
        })
        .onConflict((oc) => oc.columns(['election_id', 'voter_id', 'attempt_no']).doNothing())
        .executeTakeFirst();
      return inserted.numInsertedOrUpdatedRows === 1n;
    },

    saveProvisionalBallot: async (r) => {
      requireId(r.envelopeId, 'envelopeId');
      await db
        .insertInto('provisional_ballots')
        .values({
          envelope_id: r.envelopeId,
          election_id: r.electionId,
          station_id: r.stationId,
          official_id: r.officialId,
          precinct_id: r.precinctId,
          ballot_style_id: r.ballotStyleId,
          claimed_voter_id: r.claimedVoterId ?? null,
          reason: r.reason,
          created_at: r.createdAt.toISOString(),
        })
        .execute();
    },

    getProvisionalBallot: async (envelopeId) => {
      const row = await db
        .selectFrom('provisional_ballots')
        .selectAll()
        .where('envelope_id', '=', envelopeId)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        envelopeId: row.envelope_id,
        electionId: row.election_id,
        stationId: row.station_id,
        officialId: row.official_id,
        precinctId: row.precinct_id,
        ballotStyleId: row.ballot_style_id,
        ...(row.claimed_voter_id === null ? {} : { claimedVoterId: row.claimed_voter_id }),
        reason: row.reason,
        createdAt: instantFromRow(row.created_at),
      };
    },

    saveCredentialKey: async (k) => {
      const inserted = await db
        .insertInto('credential_keys')
        .values({
          election_id: k.electionId,
          ballot_style_id: k.ballotStyleId,
          key_id: k.keyId,
          public_key: bytesToParam(k.publicKey),
          sealed_private_key: bytesToParam(k.sealedPrivateKey),
          created_at: k.createdAt.toISOString(),
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows === 1n) return ok(undefined);
      return err(
        new ConflictError(
          `Ballot style "${k.ballotStyleId}" of election "${k.electionId}" already has a credential key; keys are never replaced.`,
          { hint: 'Use the existing key; credentials already issued verify only under it.' },
        ),
      );
    },

    listCredentialKeys: async (electionId) => {
      const rows = await db
        .selectFrom('credential_keys')
        .selectAll()
        .where('election_id', '=', electionId)
        .orderBy('ballot_style_id')
        .execute();
      return rows.map((r) => ({
        electionId: r.election_id,
        ballotStyleId: r.ballot_style_id,
        keyId: r.key_id,
        publicKey: bytesFromRow(r.public_key),
        sealedPrivateKey: bytesFromRow(r.sealed_private_key),
        createdAt: instantFromRow(r.created_at),
      }));
    },

    spendCredentialToken: async ({ electionId, ballotStyleId, tokenHash }) => {
      const inserted = await db
        .insertInto('spent_credentials')
        .values({ election_id: electionId, token_hash: tokenHash, ballot_style_id: ballotStyleId })
        .onConflict((oc) => oc.columns(['election_id', 'token_hash']).doNothing())
        .executeTakeFirst();
      return inserted.numInsertedOrUpdatedRows === 1n;
    },

    appendStationJournal: async (e) => {
      await db
        .insertInto('station_journal')
        .values({
          station_id: e.stationId,
          hlc: e.hlc,
          checkin_id: e.checkInId,
          election_id: e.electionId,
          voter_id: e.voterId,
          official_id: e.officialId,
          method: e.method,
          ballot_style_id: e.ballotStyleId,
          synced_at: e.syncedAt?.toISOString() ?? null,
        })
        .execute();
    },

    listStationJournal: async (stationId, options = {}) => {
      let query = db.selectFrom('station_journal').selectAll().where('station_id', '=', stationId);
      if (options.unsyncedOnly === true) query = query.where('synced_at', 'is', null);
      const rows = await query.orderBy('hlc').execute();
      return rows.map(journalFromRow);
    },

    markStationJournalSynced: async (stationId, checkInIds, at) => {
      if (checkInIds.length === 0) return 0;
      const updated = await db
        .updateTable('station_journal')
        .set({ synced_at: at.toISOString() })
        .where('station_id', '=', stationId)
        .where('checkin_id', 'in', [...checkInIds])
        .where('synced_at', 'is', null)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows);
    },

    lastStationHlc: async (stationId) => {
      const row = await db
        .selectFrom('station_journal')
        .select('hlc')
        .where('station_id', '=', stationId)
        .orderBy('hlc', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.hlc;
    },

    recordStationCheckIn: async (c) => {
      const inserted = await db
        .insertInto('station_checkins')
        .values({
          checkin_id: c.checkInId,
          station_id: c.stationId,
          hlc: c.hlc,
          election_id: c.electionId,
          voter_id: c.voterId,
          outcome: c.outcome,
          received_at: c.receivedAt.toISOString(),
        })
        .onConflict((oc) => oc.column('checkin_id').doNothing())
        .executeTakeFirst();
      return inserted.numInsertedOrUpdatedRows === 1n;
    },

    listStationCheckIns: async (electionId) => {
      const rows = await db
        .selectFrom('station_checkins')
        .selectAll()
        .where('election_id', '=', electionId)
        .orderBy('hlc')
        .execute();
      return rows.map((r) => ({
        checkInId: r.checkin_id,
        stationId: r.station_id,
        hlc: r.hlc,
        electionId: r.election_id,
        voterId: r.voter_id,
        outcome: r.outcome as StationCheckIn['outcome'],
        receivedAt: instantFromRow(r.received_at),
      }));
    },

    saveRegistryIncident: async (i) => {
      const inserted = await db
        .insertInto('registry_incidents')
        .values({
          incident_id: i.incidentId,
          kind: i.kind,
          election_id: i.electionId,
          voter_id: i.voterId,
          checkins: JSON.stringify(i.checkIns),
          first_seen: i.firstSeen.toISOString(),
          last_seen: i.lastSeen.toISOString(),
          raised_at: i.raisedAt.toISOString(),
        })
        .onConflict((oc) => oc.column('incident_id').doNothing())
        .executeTakeFirst();
      return inserted.numInsertedOrUpdatedRows === 1n;
    },

    listRegistryIncidents: async (electionId) => {
      const rows = await db
        .selectFrom('registry_incidents')
        .selectAll()
        .where('election_id', '=', electionId)
        .orderBy('first_seen')
        .orderBy('incident_id')
        .execute();
      return rows.map(incidentFromRow);
    },
  };
}

/** The writes above, each run in its own transaction (so SQLite writers take turns). */
export function routeCheckInWrites(
  transaction: <T>(fn: (tx: CheckInOperations) => Promise<T>) => Promise<T>,
): Pick<
  CheckInOperations,
  | 'lockVoterParticipation'
  | 'markCredentialIssued'
  | 'recordCheckInAttempt'
  | 'saveProvisionalBallot'
  | 'saveCredentialKey'
  | 'spendCredentialToken'
  | 'appendStationJournal'
  | 'markStationJournalSynced'
  | 'recordStationCheckIn'
  | 'saveRegistryIncident'
> {
  return {
    lockVoterParticipation: (p) => transaction((tx) => tx.lockVoterParticipation(p)),
    markCredentialIssued: (e, c) => transaction((tx) => tx.markCredentialIssued(e, c)),
    recordCheckInAttempt: (a) => transaction((tx) => tx.recordCheckInAttempt(a)),
    saveProvisionalBallot: (r) => transaction((tx) => tx.saveProvisionalBallot(r)),
    saveCredentialKey: (k) => transaction((tx) => tx.saveCredentialKey(k)),
    spendCredentialToken: (i) => transaction((tx) => tx.spendCredentialToken(i)),
    appendStationJournal: (e) => transaction((tx) => tx.appendStationJournal(e)),
    markStationJournalSynced: (s, ids, at) =>
      transaction((tx) => tx.markStationJournalSynced(s, ids, at)),
    recordStationCheckIn: (c) => transaction((tx) => tx.recordStationCheckIn(c)),
    saveRegistryIncident: (i) => transaction((tx) => tx.saveRegistryIncident(i)),
  };
}
