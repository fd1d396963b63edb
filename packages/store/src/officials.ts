import type { Kysely, Selectable } from 'kysely';
import { ConflictError, InvalidInputError, NotFoundError, err, ok, type Result } from '@vigil/core';
import type { LedgerEntry } from '@vigil/ledger';
import { instantFromRow } from './dialect.ts';
import type { LedgerOperations } from './ledger.ts';
import type { OfficialsTable, StationsTable, VigilDatabase } from './schema.ts';

/**
 * Storage of election officials, polling-station devices and officials' sessions. The
 * store keeps hashes the service hands it (scrypt for passwords, SHA-256 for tokens) and
 * never sees a secret; what a role may do lives in @vigil/server's `auth` folder. Every
 * lifecycle change (official added, disabled, unlocked; station registered, revoked)
 * lands with its ledger entry in one transaction. Sign-ins and sessions are not ledger
 * entries: they are logged, so that a busy election day does not flood the ledger.
 */

/**
 * The roles of election staff, least to most administrative, then the guardians: the
 * trustees of the ElectionGuard key ceremony (spec 2.0 §3.2), who hold a share of the
 * election secret key and take part in nothing else.
 */
export type OfficialRole =
  'poll_worker' | 'supervisor' | 'registrar' | 'administrator' | 'guardian';
export const OFFICIAL_ROLES: readonly OfficialRole[] = [
  'poll_worker',
  'supervisor',
  'registrar',
  'administrator',
  'guardian',
];

export type OfficialStatus = 'active' | 'disabled';

export interface Official {
  readonly officialId: string;
  readonly displayName: string;
  readonly role: OfficialRole;
  readonly status: OfficialStatus;
  /** Polling places (precinct ids of the election definition) they may act at. */
  readonly pollingPlaces: readonly string[];
  readonly createdAt: Date;
  /** Sign-in attempts begun since the last success. */
  readonly failedLogins: number;
  /** Sign-in is refused until then; absent when the account was never locked. */
  readonly lockedUntil?: Date;
}

/** An official as stored, with the password hash to verify sign-ins against. */
export interface StoredOfficial extends Official {
  readonly passwordHash: string;
}

export type StationStatus = 'active' | 'revoked';

/** A polling-station device registered for one polling place. */
export interface Station {
  readonly stationId: string;
  readonly pollingPlace: string;
  readonly status: StationStatus;
  readonly registeredAt: Date;
  readonly revokedAt?: Date;
}

export interface OfficialSession {
  readonly officialId: string;
  /** The station the session was opened on, if any. */
  readonly stationId?: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly lastSeenAt: Date;
}

export interface OfficialOperations {
  /**
   * Adds an official with their assignments. Err ConflictError when the id is taken.
   * Throws InvalidInputError on a malformed id, an unknown role or an empty name.
   */
  readonly addOfficial: (
    input: {
      readonly officialId: string;
      readonly displayName: string;
      readonly role: OfficialRole;
      readonly pollingPlaces: readonly string[];
      readonly passwordHash: string;
      readonly createdAt: Date;
    },
    ledgerEntry: LedgerEntry,
  ) => Promise<Result<Official, ConflictError>>;
  readonly getOfficial: (officialId: string) => Promise<StoredOfficial | undefined>;
  /** Every official, by id, without password hashes. */
  readonly listOfficials: () => Promise<Official[]>;
  /**
   * Disables an official and ends their sessions. Err NotFoundError for an unknown id,
   * ConflictError when already disabled.
   */
  readonly disableOfficial: (
    officialId: string,
    ledgerEntry: LedgerEntry,
  ) => Promise<Result<Official, NotFoundError | ConflictError>>;
  /**
   * Lifts a sign-in lockout and clears the failure count; with `passwordHash`, also
   * replaces the password (and ends the official's sessions). Err NotFoundError.
   */
  readonly unlockOfficial: (
    input: { readonly officialId: string; readonly passwordHash?: string },
    ledgerEntry: LedgerEntry,
  ) => Promise<Result<Official, NotFoundError>>;
  /**
   * Reserves one sign-in attempt before the password is checked: true when the official
   * is not locked at `now` and fewer than `maxAttempts` attempts have begun since the
   * last success. Counting before checking means a burst of parallel guesses cannot
   * slip past the limit while the slow hashes run. One atomic statement.
   */
  readonly beginOfficialSignIn: (
    officialId: string,
    limits: { readonly now: Date; readonly maxAttempts: number },
  ) => Promise<boolean>;
  /**
   * Records that a reserved attempt failed: when `maxAttempts` attempts have failed,
   * locks the account until `lockUntil` (and starts the count again). True when this
   * call locked it.
   */
  readonly failOfficialSignIn: (
    officialId: string,
    limits: { readonly maxAttempts: number; readonly lockUntil: Date },
  ) => Promise<boolean>;
  /** Records a successful sign-in: the failure count and any lock are cleared. */
  readonly succeedOfficialSignIn: (officialId: string) => Promise<void>;

  /** Registers a station. Err ConflictError when the id (or token) is taken. */
  readonly addStation: (
    input: {
      readonly stationId: string;
      readonly pollingPlace: string;
      readonly tokenHash: string;
      readonly registeredAt: Date;
    },
    ledgerEntry: LedgerEntry,
  ) => Promise<Result<Station, ConflictError>>;
  readonly getStation: (stationId: string) => Promise<Station | undefined>;
  /** The station whose token hashes to `tokenHash` (SHA-256 hex), whatever its status. */
  readonly getStationByToken: (tokenHash: string) => Promise<Station | undefined>;
  readonly listStations: () => Promise<Station[]>;
  /**
   * Revokes a station and ends every session opened on it. Err NotFoundError for an
   * unknown id, ConflictError when already revoked.
   */
  readonly revokeStation: (
    stationId: string,
    revokedAt: Date,
    ledgerEntry: LedgerEntry,
  ) => Promise<Result<Station, NotFoundError | ConflictError>>;

  /** Stores a new session under the SHA-256 (hex) of its token. */
  readonly createOfficialSession: (
    input: OfficialSession & { readonly sessionHash: string },
  ) => Promise<void>;
  readonly getOfficialSession: (sessionHash: string) => Promise<OfficialSession | undefined>;
  /** Records activity on a session (for the idle timeout). */
  readonly touchOfficialSession: (sessionHash: string, at: Date) => Promise<void>;
  /** Ends a session; false when there was none. */
  readonly deleteOfficialSession: (sessionHash: string) => Promise<boolean>;
  /** Deletes sessions past `expiresBefore` or idle since before `idleBefore`; the count. */
  readonly deleteStaleOfficialSessions: (limits: {
    readonly expiresBefore: Date;
    readonly idleBefore: Date;
  }) => Promise<number>;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function requireId(value: string, what: string, path: string): void {
  if (!ID_PATTERN.test(value)) {
    throw new InvalidInputError(
      `${what} "${value}" is not a valid id: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.`,
      { path },
    );
  }
}

function officialFromRow(
  row: Selectable<OfficialsTable>,
  pollingPlaces: readonly string[],
): StoredOfficial {
  return {
    officialId: row.official_id,
    displayName: row.display_name,
    role: row.role as OfficialRole,
    status: row.status as OfficialStatus,
    pollingPlaces,
    createdAt: instantFromRow(row.created_at),
    failedLogins: row.failed_logins,
    ...(row.locked_until === null ? {} : { lockedUntil: instantFromRow(row.locked_until) }),
    passwordHash: row.password_hash,
  };
}

/** An official without the password hash, for lists and answers. */
function withoutSecret(official: StoredOfficial): Official {
  const { passwordHash: _hidden, ...rest } = official;
  return rest;
}

function stationFromRow(row: Selectable<StationsTable>): Station {
  return {
    stationId: row.station_id,
    pollingPlace: row.polling_place,
    status: row.status as StationStatus,
    registeredAt: instantFromRow(row.registered_at),
    ...(row.revoked_at === null ? {} : { revokedAt: instantFromRow(row.revoked_at) }),
  };
}

export function createOfficialOperations(
  db: Kysely<VigilDatabase>,
  ledger: LedgerOperations,
): OfficialOperations {
  const placesOf = async (officialIds: readonly string[]): Promise<Map<string, string[]>> => {
    const places = new Map<string, string[]>();
    if (officialIds.length === 0) return places;
    const rows = await db
      .selectFrom('official_assignments')
      .select(['official_id', 'polling_place'])
      .where('official_id', 'in', officialIds)
      .orderBy('polling_place')
      .execute();
    for (const row of rows) {
      const list = places.get(row.official_id) ?? [];
      list.push(row.polling_place);
      places.set(row.official_id, list);
    }
    return places;
  };

  const getOfficial = async (officialId: string): Promise<StoredOfficial | undefined> => {
    const row = await db
      .selectFrom('officials')
      .selectAll()
      .where('official_id', '=', officialId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return officialFromRow(row, (await placesOf([officialId])).get(officialId) ?? []);
  };

  const getStation = async (stationId: string): Promise<Station | undefined> => {
    const row = await db
      .selectFrom('stations')
      .selectAll()
      .where('station_id', '=', stationId)
      .executeTakeFirst();
    return row === undefined ? undefined : stationFromRow(row);
  };

  const unknownOfficial = (officialId: string) =>
    new NotFoundError(`There is no official with id "${officialId}".`, {
      hint: 'List the officials with `vigil officials list`.',
    });

  return {
    addOfficial: async (input, ledgerEntry) => {
      requireId(input.officialId, 'The official id', 'officialId');
      if (!OFFICIAL_ROLES.includes(input.role)) {
        throw new InvalidInputError(
          `The role "${input.role}" is not one of ${OFFICIAL_ROLES.join(', ')}.`,
          { path: 'role' },
        );
      }
      if (input.displayName.trim() === '') {
        throw new InvalidInputError('An official needs a display name; it was empty.', {
          path: 'displayName',
        });
      }
      for (const place of input.pollingPlaces)
        requireId(place, 'The polling place', 'pollingPlaces');
      const places = [...new Set(input.pollingPlaces)].sort();
      // Insert-or-nothing: a failed statement would abort a PostgreSQL transaction.
      const inserted = await db
        .insertInto('officials')
        .values({
          official_id: input.officialId,
          display_name: input.displayName.trim(),
          role: input.role,
          status: 'active',
          password_hash: input.passwordHash,
          failed_logins: 0,
          locked_until: null,
          created_at: input.createdAt.toISOString(),
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows !== 1n) {
        return err(
          new ConflictError(`An official with id "${input.officialId}" already exists.`, {
            hint: 'Choose another id; a disabled official keeps theirs, so that the ledger stays unambiguous.',
          }),
        );
      }
      if (places.length > 0) {
        await db
          .insertInto('official_assignments')
          .values(places.map((p) => ({ official_id: input.officialId, polling_place: p })))
          .execute();
      }
      await ledger.appendLedgerEntries([ledgerEntry]);
      return ok({
        officialId: input.officialId,
        displayName: input.displayName.trim(),
        role: input.role,
        status: 'active',
        pollingPlaces: places,
        createdAt: input.createdAt,
        failedLogins: 0,
      });
    },

    getOfficial,

    listOfficials: async () => {
      const rows = await db.selectFrom('officials').selectAll().orderBy('official_id').execute();
      const places = await placesOf(rows.map((r) => r.official_id));
      return rows.map((r) => withoutSecret(officialFromRow(r, places.get(r.official_id) ?? [])));
    },

    disableOfficial: async (officialId, ledgerEntry) => {
      const updated = await db
        .updateTable('officials')
        .set({ status: 'disabled' })
        .where('official_id', '=', officialId)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (updated.numUpdatedRows !== 1n) {
        const existing = await getOfficial(officialId);
        if (existing === undefined) return err(unknownOfficial(officialId));
        return err(new ConflictError(`Official "${officialId}" is already disabled.`));
      }
      await db.deleteFrom('official_sessions').where('official_id', '=', officialId).execute();
      await ledger.appendLedgerEntries([ledgerEntry]);
      return ok(withoutSecret((await getOfficial(officialId))!));
    },

    unlockOfficial: async ({ officialId, passwordHash }, ledgerEntry) => {
      const updated = await db
        .updateTable('officials')
        .set({
          failed_logins: 0,
          locked_until: null,
          ...(passwordHash === undefined ? {} : { password_hash: passwordHash }),
        })
        .where('official_id', '=', officialId)
        .executeTakeFirst();
      if (updated.numUpdatedRows !== 1n) return err(unknownOfficial(officialId));
      if (passwordHash !== undefined) {
        // A new password ends what the old one opened.
        await db.deleteFrom('official_sessions').where('official_id', '=', officialId).execute();
      }
      await ledger.appendLedgerEntries([ledgerEntry]);
      return ok(withoutSecret((await getOfficial(officialId))!));
    },

    beginOfficialSignIn: async (officialId, { now, maxAttempts }) => {
      const updated = await db
        .updateTable('officials')
        .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
        .where('official_id', '=', officialId)
        .where('failed_logins', '<', maxAttempts)
        .where((eb) =>
          eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now.toISOString())]),
        )
        .executeTakeFirst();
      return updated.numUpdatedRows === 1n;
    },

    failOfficialSignIn: async (officialId, { maxAttempts, lockUntil }) => {
      const updated = await db
        .updateTable('officials')
        .set({ failed_logins: 0, locked_until: lockUntil.toISOString() })
        .where('official_id', '=', officialId)
        .where('failed_logins', '>=', maxAttempts)
        .executeTakeFirst();
      return updated.numUpdatedRows === 1n;
    },

    succeedOfficialSignIn: async (officialId) => {
      await db
        .updateTable('officials')
        .set({ failed_logins: 0, locked_until: null })
        .where('official_id', '=', officialId)
        .execute();
    },

    addStation: async (input, ledgerEntry) => {
      requireId(input.stationId, 'The station id', 'stationId');
      requireId(input.pollingPlace, 'The polling place', 'pollingPlace');
      const inserted = await db
        .insertInto('stations')
        .values({
          station_id: input.stationId,
          polling_place: input.pollingPlace,
          token_hash: input.tokenHash,
          status: 'active',
          registered_at: input.registeredAt.toISOString(),
          revoked_at: null,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows !== 1n) {
        return err(
          new ConflictError(`A station with id "${input.stationId}" is already registered.`, {
            hint: 'Choose another id; a revoked station keeps its id.',
          }),
        );
      }
      await ledger.appendLedgerEntries([ledgerEntry]);
      return ok({
        stationId: input.stationId,
        pollingPlace: input.pollingPlace,
        status: 'active',
        registeredAt: input.registeredAt,
      });
    },

    getStation,

    getStationByToken: async (tokenHash) => {
      const row = await db
        .selectFrom('stations')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row === undefined ? undefined : stationFromRow(row);
    },

    listStations: async () => {
      const rows = await db.selectFrom('stations').selectAll().orderBy('station_id').execute();
      return rows.map(stationFromRow);
    },

    revokeStation: async (stationId, revokedAt, ledgerEntry) => {
      const updated = await db
        .updateTable('stations')
        .set({ status: 'revoked', revoked_at: revokedAt.toISOString() })
        .where('station_id', '=', stationId)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (updated.numUpdatedRows !== 1n) {
        if ((await getStation(stationId)) === undefined) {
          return err(
            new NotFoundError(`There is no station with id "${stationId}".`, {
              hint: 'List the stations with `vigil stations list`.',
            }),
          );
        }
        return err(new ConflictError(`Station "${stationId}" is already revoked.`));
      }
      await db.deleteFrom('official_sessions').where('station_id', '=', stationId).execute();
      await ledger.appendLedgerEntries([ledgerEntry]);
      return ok((await getStation(stationId))!);
    },

    createOfficialSession: async (input) => {
      await db
        .insertInto('official_sessions')
        .values({
          session_hash: input.sessionHash,
          official_id: input.officialId,
          station_id: input.stationId ?? null,
          created_at: input.createdAt.toISOString(),
          expires_at: input.expiresAt.toISOString(),
          last_seen_at: input.lastSeenAt.toISOString(),
        })
        .execute();
    },

    getOfficialSession: async (sessionHash) => {
      const row = await db
        .selectFrom('official_sessions')
        .selectAll()
        .where('session_hash', '=', sessionHash)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        officialId: row.official_id,
        ...(row.station_id === null ? {} : { stationId: row.station_id }),
        createdAt: instantFromRow(row.created_at),
        expiresAt: instantFromRow(row.expires_at),
        lastSeenAt: instantFromRow(row.last_seen_at),
      };
    },

    touchOfficialSession: async (sessionHash, at) => {
      await db
        .updateTable('official_sessions')
        .set({ last_seen_at: at.toISOString() })
        .where('session_hash', '=', sessionHash)
        .execute();
    },

    deleteOfficialSession: async (sessionHash) => {
      const deleted = await db
        .deleteFrom('official_sessions')
        .where('session_hash', '=', sessionHash)
        .executeTakeFirst();
      return deleted.numDeletedRows === 1n;
    },

    deleteStaleOfficialSessions: async ({ expiresBefore, idleBefore }) => {
      const deleted = await db
        .deleteFrom('official_sessions')
        .where((eb) =>
          eb.or([
            eb('expires_at', '<=', expiresBefore.toISOString()),
            eb('last_seen_at', '<=', idleBefore.toISOString()),
          ]),
        )
        .executeTakeFirst();
      return Number(deleted.numDeletedRows);
    },
  };
}

/**
 * The write operations routed through `transaction`, for `openStore`: on SQLite writers
 * then take their turn in the file's queue, and multi-statement writes are atomic.
 */
export function routeOfficialWrites(
  transaction: <T>(fn: (tx: OfficialOperations) => Promise<T>) => Promise<T>,
): Pick<
  OfficialOperations,
  | 'addOfficial'
  | 'disableOfficial'
  | 'unlockOfficial'
  | 'beginOfficialSignIn'
  | 'failOfficialSignIn'
  | 'succeedOfficialSignIn'
  | 'addStation'
  | 'revokeStation'
  | 'createOfficialSession'
  | 'touchOfficialSession'
  | 'deleteOfficialSession'
  | 'deleteStaleOfficialSessions'
> {
  return {
    addOfficial: (input, entry) => transaction((tx) => tx.addOfficial(input, entry)),
    disableOfficial: (id, entry) => transaction((tx) => tx.disableOfficial(id, entry)),
    unlockOfficial: (input, entry) => transaction((tx) => tx.unlockOfficial(input, entry)),
    beginOfficialSignIn: (id, limits) => transaction((tx) => tx.beginOfficialSignIn(id, limits)),
    failOfficialSignIn: (id, limits) => transaction((tx) => tx.failOfficialSignIn(id, limits)),
    succeedOfficialSignIn: (id) => transaction((tx) => tx.succeedOfficialSignIn(id)),
    addStation: (input, entry) => transaction((tx) => tx.addStation(input, entry)),
    revokeStation: (id, at, entry) => transaction((tx) => tx.revokeStation(id, at, entry)),
    createOfficialSession: (input) => transaction((tx) => tx.createOfficialSession(input)),
    touchOfficialSession: (hash, at) => transaction((tx) => tx.touchOfficialSession(hash, at)),
    deleteOfficialSession: (hash) => transaction((tx) => tx.deleteOfficialSession(hash)),
    deleteStaleOfficialSessions: (limits) =>
      transaction((tx) => tx.deleteStaleOfficialSessions(limits)),
  };
}
