import type { Kysely } from 'kysely';
import { eventIdOf } from '@vigil/ledger';
import type { StoreDialect } from './dialect.ts';
import { createLedgerOperations, type LedgerOperations } from './ledger.ts';
import { createAuditOperations, type AuditOperations } from './audits.ts';
import { createIntelOperations, type IntelOperations } from './intel.ts';
import { createCheckInOperations, type CheckInOperations } from './checkin.ts';
import { createOfficialOperations, type OfficialOperations } from './officials.ts';
import { createVoterOperations, type VoterOperations } from './voters.ts';
import {
  createBiometricIndexOperations,
  type BiometricIndexOperations,
} from './biometric-index.ts';
import { createDashboardOperations, type DashboardOperations } from './dashboards.ts';
import { createBallotBoxOperations, type BallotBoxOperations } from './ballot-box.ts';
import {
  ConflictError,
  InvalidInputError,
  err,
  ok,
  type ElectionId,
  type Result,
} from '@vigil/core';
import { bytesFromRow, bytesToParam, instantFromRow } from './dialect.ts';
import type { ElectionRow, VigilDatabase } from './schema.ts';

/**
 * The domain shapes the store hands out and takes in. They are not the stored rows
 * (`schema.ts`): names are the election's own, ids are branded, instants are Dates.
 */

/** An election definition as loaded: the exact bytes received and what identifies them. */
export interface StoredElection {
  readonly electionId: ElectionId;
  /** Hash of `definition`, as the caller computed it (hex). */
  readonly hash: string;
  /** The definition exactly as received, byte for byte. */
  readonly definition: Uint8Array;
  readonly title: string;
  /** When this definition was first loaded. */
  readonly loadedAt: Date;
}

/** A loaded election without its definition bytes, for lists. */
export type ElectionSummary = Omit<StoredElection, 'definition'>;

export interface SaveElectionInput extends StoredElection {
  /** Who loaded it and where, for the ledger entry (default: system, vigil-server). */
  readonly recordedBy?: { readonly actorId: string; readonly stationId: string };
}

/** What `saveElection` did: stored it now, or found exactly this definition already. */
export interface SaveElectionOutcome {
  readonly outcome: 'created' | 'already-loaded';
  /** The stored election; when already loaded, with its original title and loadedAt. */
  readonly election: StoredElection;
}

/**
 * Every database operation of Vigil, in one place (the Signal-Desktop habit). Both a
 * `Store` and the transaction handle given to `Store.transaction` implement it, so an
 * operation can run alone or as part of a larger transaction.
 *
 * To add operations: declare them here, implement them in `createOperations` against
 * any `Kysely<VigilDatabase>` (a `Transaction` is one), and in `openStore` route the
 * ones that write through `transaction` so that SQLite writers queue in order.
 */
export interface StoreOperations
  extends
    LedgerOperations,
    AuditOperations,
    IntelOperations,
    OfficialOperations,
    VoterOperations,
    CheckInOperations,
    BiometricIndexOperations,
    DashboardOperations,
    BallotBoxOperations {
  /**
   * Stores an election definition. Saving the same bytes under the same id again is
   * harmless and returns `already-loaded` with the first copy's title and loadedAt.
   * Returns an err ConflictError, storing nothing, when the id is already loaded with
   * different bytes or these bytes are already loaded under another id: a loaded
   * definition never changes, because its hash is on ballots and exports.
   * Throws InvalidInputError on an empty id, hash or definition, or an invalid date.
   */
  readonly saveElection: (
    input: SaveElectionInput,
  ) => Promise<Result<SaveElectionOutcome, ConflictError>>;
  /** The election with this id, or undefined. */
  readonly getElection: (electionId: ElectionId) => Promise<StoredElection | undefined>;
  /** The election whose definition has this hash, or undefined. */
  readonly getElectionByHash: (hash: string) => Promise<StoredElection | undefined>;
  /** Every loaded election, oldest load first (then by id), without definition bytes. */
  readonly listElections: () => Promise<readonly ElectionSummary[]>;
  readonly countElections: () => Promise<number>;
}

function electionFromRow(row: ElectionRow): StoredElection {
  return {
    electionId: row.election_id as ElectionId,
    hash: row.hash,
    definition: bytesFromRow(row.definition),
    title: row.title,
    loadedAt: instantFromRow(row.loaded_at),
  };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return bytesToParam(a).equals(b);
}

function checkSaveElectionInput(input: SaveElectionInput): void {
  if (input.electionId.length === 0) {
    throw new InvalidInputError('An election to store needs an election id; it was empty.', {
      path: 'electionId',
    });
  }
  if (input.hash.length === 0) {
    throw new InvalidInputError('An election to store needs the hash of its definition.', {
      path: 'hash',
    });
  }
  if (input.definition.length === 0) {
    throw new InvalidInputError('An election definition to store was empty (0 bytes).', {
      path: 'definition',
    });
  }
  if (Number.isNaN(input.loadedAt.getTime())) {
    throw new InvalidInputError('The time an election was loaded is not a valid date.', {
      path: 'loadedAt',
    });
  }
}

/** The operations, run against `db`: the store's own handle or a transaction. */
export function createOperations(
  db: Kysely<VigilDatabase>,
  dialect: StoreDialect,
): StoreOperations {
  const ledger = createLedgerOperations(db, dialect);
  const audits = createAuditOperations(db, ledger);
  const intel = createIntelOperations(db, ledger);
  const checkIn = createCheckInOperations(db);
  const officials = createOfficialOperations(db, ledger);
  const voters = createVoterOperations(db, ledger);
  const biometricIndexes = createBiometricIndexOperations(db);
  const dashboards = createDashboardOperations(db, dialect);
  const ballotBox = createBallotBoxOperations(db);
  const getElection = async (electionId: ElectionId): Promise<StoredElection | undefined> => {
    const row = await db
      .selectFrom('elections')
      .selectAll()
      .where('election_id', '=', electionId)
      .executeTakeFirst();
    return row === undefined ? undefined : electionFromRow(row);
  };

  const getElectionByHash = async (hash: string): Promise<StoredElection | undefined> => {
    const row = await db
      .selectFrom('elections')
      .selectAll()
      .where('hash', '=', hash)
      .executeTakeFirst();
    return row === undefined ? undefined : electionFromRow(row);
  };

  return {
    ...ledger,
    ...audits,
    ...intel,
    ...checkIn,
    ...officials,
    ...voters,
    ...biometricIndexes,
    ...dashboards,
    ...ballotBox,
    saveElection: async (input) => {
      checkSaveElectionInput(input);
      // Insert-or-nothing, then look at what is there: no window between a check and the
      // insert for a concurrent writer to slip into, on either dialect.
      const inserted = await db
        .insertInto('elections')
        .values({
          election_id: input.electionId,
          hash: input.hash,
          definition: bytesToParam(input.definition),
          title: input.title,
          loaded_at: input.loadedAt.toISOString(),
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows === 1n) {
        // The ledger entry lands in the same transaction as the definition it records.
        await ledger.appendLedgerEntries([
          {
            eventId: eventIdOf('election.definition.loaded'),
            actorId: input.recordedBy?.actorId ?? 'system',
            stationId: input.recordedBy?.stationId ?? 'vigil-server',
            time: input.loadedAt.toISOString(),
            disposition: 'success',
            subjects: [`election:${input.electionId}`, `sha256:${input.hash}`],
          },
        ]);
        return ok({
          outcome: 'created',
          election: {
            electionId: input.electionId,
            hash: input.hash,
            definition: new Uint8Array(input.definition),
            title: input.title,
            loadedAt: input.loadedAt,
          },
        });
      }

      const existing = await getElection(input.electionId);
      if (existing !== undefined) {
        if (existing.hash === input.hash && bytesEqual(existing.definition, input.definition)) {
          return ok({ outcome: 'already-loaded', election: existing });
        }
        return err(
          new ConflictError(
            `Election "${input.electionId}" is already loaded with a different definition ` +
              `(hash ${existing.hash}); a loaded definition cannot be replaced.`,
            {
              hint: 'If the definition really changed, give the new one its own election id.',
            },
          ),
        );
      }
      const sameBytes = await getElectionByHash(input.hash);
      if (sameBytes !== undefined) {
        return err(
          new ConflictError(
            `This definition (hash ${input.hash}) is already loaded as election ` +
              `"${sameBytes.electionId}", not "${input.electionId}".`,
            { hint: `Use election "${sameBytes.electionId}".` },
          ),
        );
      }
      // Nothing is ever deleted from this table, so a conflict with no conflicting row
      // means the database broke a rule it should keep.
      throw new Error(
        `storing election "${input.electionId}" hit a conflict, but no row with its id or hash exists`,
      );
    },

    getElection,
    getElectionByHash,

    listElections: async () => {
      const rows = await db
        .selectFrom('elections')
        .select(['election_id', 'hash', 'title', 'loaded_at'])
        .orderBy('loaded_at')
        .orderBy('election_id')
        .execute();
      return rows.map((row) => ({
        electionId: row.election_id as ElectionId,
        hash: row.hash,
        title: row.title,
        loadedAt: instantFromRow(row.loaded_at),
      }));
    },

    countElections: async () => {
      const row = await db
        .selectFrom('elections')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}
