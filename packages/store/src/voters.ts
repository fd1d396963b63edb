import type { Insertable, Kysely, Selectable } from 'kysely';
import { ConflictError, InvalidInputError, NotFoundError, err, ok, type Result } from '@vigil/core';
import type { LedgerEntry } from '@vigil/ledger';
import { bytesFromRow, bytesToParam, instantFromRow } from './dialect.ts';
import type { LedgerOperations } from './ledger.ts';
import type {
  DuplicateReviewsTable,
  VigilDatabase,
  VotersTable,
  VoterTemplatesTable,
} from './schema.ts';

/**
 * Storage of the voter registry: the roll, its name index, encrypted biometric templates
 * and the de-duplication review queue. The store keeps what @vigil/registry hands it and
 * never interprets it: normalising names, encrypting templates and matching fingers live
 * there. Every write takes the ledger entries that record it, in the same transaction.
 */

/** Registration status on the roll (NIST SP 1500-102 VoterStatus, narrowed). */
export type VoterStatus = 'active' | 'inactive' | 'removed';

export const VOTER_STATUSES: readonly VoterStatus[] = ['active', 'inactive', 'removed'];

export interface VoterAddress {
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly state: string;
  readonly postalCode: string;
}

/**
 * One voter on the roll, the single definition of the registry's `Voter`. Dates are ISO
 * 8601 calendar dates (YYYY-MM-DD).
 */
export interface StoredVoter {
  /** The jurisdiction's voter id (as on the roll), unique within the roll. */
  readonly voterId: string;
  readonly givenName: string;
  readonly middleName?: string;
  readonly familyName: string;
  readonly birthDate: string;
  readonly address: VoterAddress;
  /** A precinct of the election definition. */
  readonly precinctId: string;
  /** The split of the precinct, when the precinct has splits. */
  readonly splitId?: string;
  /** The ballot style assigned from the election definition. */
  readonly ballotStyleId: string;
  readonly status: VoterStatus;
  /** Government id document number (driver's licence, state id) for barcode lookup. */
  readonly documentNumber?: string;
  /**
   * Set when the voter's enrolment was found to duplicate another voter's and an
   * official decided it is the same person: this record is blocked from check-in.
   */
  readonly blockedAsDuplicateOf?: string;
}

/** A voter to insert or replace, with what the registry derived from it. */
export interface VoterWrite {
  readonly voter: StoredVoter;
  /** Trigrams of the normalised names (the search index rows). */
  readonly nameTrigrams: readonly string[];
  /** Random salt and SHA-256 (hex) of salt and record: what ledger entries name. */
  readonly recordSalt: Uint8Array;
  readonly recordDigest: string;
}

/** A search of the roll; every given criterion must hold. */
export interface VoterQuery {
  readonly voterIds?: readonly string[];
  readonly birthDate?: string;
  readonly documentNumber?: string;
  /**
   * Name trigrams: only voters sharing at least `minSharedTrigrams` (default 1) of them,
   * most shared first. The registry ranks these candidates by edit distance.
   */
  readonly nameTrigrams?: readonly string[];
  readonly minSharedTrigrams?: number;
  readonly statuses?: readonly VoterStatus[];
  readonly limit: number;
}

export interface VoterMatch {
  readonly voter: StoredVoter;
  /** Name trigrams shared with the query (0 when the query gave none). */
  readonly sharedTrigrams: number;
}

export type TemplateModality = 'finger' | 'face';

/** One encrypted template as stored: the envelope, never the template in the clear. */
export interface EncryptedTemplateRecord {
  readonly voterId: string;
  readonly modality: TemplateModality;
  /** ISO/IEC 19794-2 finger position 1..10; 0 for the face. */
  readonly position: number;
  readonly format: number;
  readonly quality: number;
  /** Fingerprint of the master key that wrapped `wrappedKey`. */
  readonly keyId: string;
  readonly wrappedKey: Uint8Array;
  readonly nonce: Uint8Array;
  /** Ciphertext followed by the 16-byte GCM tag. */
  readonly ciphertext: Uint8Array;
  readonly enrolledAt: Date;
  readonly enrolledBy: string;
}

export type DuplicateReviewStatus = 'pending' | 'same-person' | 'different-people';
export type DuplicateDecision = Exclude<DuplicateReviewStatus, 'pending'>;

export interface StoredDuplicateReview {
  readonly reviewId: string;
  /** The voter whose enrolment found the candidate: the later record. */
  readonly voterId: string;
  /** The voter already enrolled who may be the same person. */
  readonly candidateVoterId: string;
  readonly score: number;
  readonly fusedFmr: number;
  readonly fingerScores: readonly { readonly position: number; readonly score: number }[];
  readonly status: DuplicateReviewStatus;
  readonly createdAt: Date;
  readonly decidedAt?: Date;
  readonly decidedBy?: string;
  readonly reason?: string;
}

export interface VoterOperations {
  /** The voter with this id, or undefined. */
  readonly getVoter: (voterId: string) => Promise<StoredVoter | undefined>;
  /** The voters with these ids that exist (any order). */
  readonly getVoters: (voterIds: readonly string[]) => Promise<StoredVoter[]>;
  /**
   * Inserts or replaces voters (and their name index rows) with the ledger entries that
   * record the change. Call inside a transaction, so a failed import stores nothing.
   */
  readonly saveVoters: (
    writes: readonly VoterWrite[],
    updatedAt: Date,
    ledgerEntries: readonly LedgerEntry[],
  ) => Promise<void>;
  /** Voters matching every criterion of the query, at most `limit`. */
  readonly findVoters: (query: VoterQuery) => Promise<VoterMatch[]>;
  readonly countVoters: () => Promise<number>;
  /**
   * Stores a voter's encrypted templates with the entries recording the enrolment. Err
   * ConflictError, storing nothing, when the voter already has templates.
   */
  readonly saveEnrolment: (input: {
    voterId: string;
    records: readonly EncryptedTemplateRecord[];
    ledgerEntries: readonly LedgerEntry[];
  }) => Promise<Result<void, ConflictError>>;
  /** A voter's encrypted template records (empty when not enrolled), by modality and position. */
  readonly getEnrolment: (voterId: string) => Promise<EncryptedTemplateRecord[]>;
  /**
   * The records of up to `limit` enrolled voters whose ids sort after `afterVoterId`, in
   * voter id order: a page for loading the de-duplication gallery.
   */
  readonly listEnrolments: (input: {
    afterVoterId?: string;
    limit: number;
  }) => Promise<EncryptedTemplateRecord[]>;
  readonly countEnrolments: () => Promise<number>;
  /** Queues suspected duplicates (status pending) with their ledger entries. */
  readonly addDuplicateReviews: (
    reviews: readonly StoredDuplicateReview[],
    ledgerEntries: readonly LedgerEntry[],
  ) => Promise<void>;
  /** Reviews with this status (all when unset), oldest first, at most `limit`. */
  readonly listDuplicateReviews: (query: {
    status?: DuplicateReviewStatus;
    limit: number;
  }) => Promise<StoredDuplicateReview[]>;
  readonly getDuplicateReview: (reviewId: string) => Promise<StoredDuplicateReview | undefined>;
  /**
   * Records an official's decision on a pending review; on `same-person` the review's
   * voter is blocked as a duplicate of the candidate. Err NotFoundError for an unknown
   * review, ConflictError when it was already decided (two officials never both decide).
   */
  readonly decideDuplicateReview: (input: {
    reviewId: string;
    decision: DuplicateDecision;
    decidedBy: string;
    reason: string;
    decidedAt: Date;
    ledgerEntries: readonly LedgerEntry[];
  }) => Promise<Result<StoredDuplicateReview, ConflictError | NotFoundError>>;
}

// Rows per multi-row insert: well under SQLite's and PostgreSQL's bound-parameter limits.
const VOTER_CHUNK = 200;
const TRIGRAM_CHUNK = 1000;
const ID_CHUNK = 500;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function voterFromRow(row: Selectable<VotersTable>): StoredVoter {
  const address = {
    line1: row.address_line1,
    ...(row.address_line2 === null ? {} : { line2: row.address_line2 }),
    city: row.city,
    state: row.state,
    postalCode: row.postal_code,
  };
  return {
    voterId: row.voter_id,
    givenName: row.given_name,
    ...(row.middle_name === null ? {} : { middleName: row.middle_name }),
    familyName: row.family_name,
    birthDate: row.birth_date,
    address,
    precinctId: row.precinct_id,
    ...(row.split_id === null ? {} : { splitId: row.split_id }),
    ballotStyleId: row.ballot_style_id,
    status: row.status as VoterStatus,
    ...(row.document_number === null ? {} : { documentNumber: row.document_number }),
    ...(row.blocked_as_duplicate_of === null
      ? {}
      : { blockedAsDuplicateOf: row.blocked_as_duplicate_of }),
  };
}

function voterToRow(w: VoterWrite, updatedAt: Date): Insertable<VotersTable> {
  const v = w.voter;
  return {
    voter_id: v.voterId,
    given_name: v.givenName,
    middle_name: v.middleName ?? null,
    family_name: v.familyName,
    birth_date: v.birthDate,
    address_line1: v.address.line1,
    address_line2: v.address.line2 ?? null,
    city: v.address.city,
    state: v.address.state,
    postal_code: v.address.postalCode,
    precinct_id: v.precinctId,
    split_id: v.splitId ?? null,
    ballot_style_id: v.ballotStyleId,
    status: v.status,
    document_number: v.documentNumber ?? null,
    blocked_as_duplicate_of: v.blockedAsDuplicateOf ?? null,
    record_salt: bytesToParam(w.recordSalt),
    record_digest: w.recordDigest,
    updated_at: updatedAt.toISOString(),
  };
}

function templateFromRow(row: Selectable<VoterTemplatesTable>): EncryptedTemplateRecord {
  return {
    voterId: row.voter_id,
    modality: row.modality as TemplateModality,
    position: row.position,
    format: row.format,
    quality: row.quality,
    keyId: row.key_id,
    wrappedKey: bytesFromRow(row.wrapped_key),
    nonce: bytesFromRow(row.nonce),
    ciphertext: bytesFromRow(row.ciphertext),
    enrolledAt: instantFromRow(row.enrolled_at),
    enrolledBy: row.enrolled_by,
  };
}

function reviewFromRow(row: Selectable<DuplicateReviewsTable>): StoredDuplicateReview {
  return {
    reviewId: row.review_id,
    voterId: row.voter_id,
    candidateVoterId: row.candidate_voter_id,
    score: row.score,
    fusedFmr: row.fused_fmr,
    fingerScores: JSON.parse(row.finger_scores) as { position: number; score: number }[],
    status: row.status as DuplicateReviewStatus,
    createdAt: instantFromRow(row.created_at),
    ...(row.decided_at === null ? {} : { decidedAt: instantFromRow(row.decided_at) }),
    ...(row.decided_by === null ? {} : { decidedBy: row.decided_by }),
    ...(row.reason === null ? {} : { reason: row.reason }),
  };
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new InvalidInputError(
      `A result limit must be a whole number from 1 to 10000, not ${limit}.`,
      {
        path: 'limit',
      },
    );
  }
}

export function createVoterOperations(
  db: Kysely<VigilDatabase>,
  ledger: LedgerOperations,
): VoterOperations {
  const getEnrolment = async (voterId: string): Promise<EncryptedTemplateRecord[]> => {
    const rows = await db
      .selectFrom('voter_templates')
      .selectAll()
      .where('voter_id', '=', voterId)
      .orderBy('modality')
      .orderBy('position')
      .execute();
    return rows.map(templateFromRow);
  };

  const getDuplicateReview = async (reviewId: string) => {
    const row = await db
      .selectFrom('duplicate_reviews')
      .selectAll()
      .where('review_id', '=', reviewId)
      .executeTakeFirst();
    return row === undefined ? undefined : reviewFromRow(row);
  };

  return {
    getVoter: async (voterId) => {
      const row = await db
        .selectFrom('voters')
        .selectAll()
        .where('voter_id', '=', voterId)
        .executeTakeFirst();
      return row === undefined ? undefined : voterFromRow(row);
    },

    getVoters: async (voterIds) => {
      const out: StoredVoter[] = [];
      for (const ids of chunks([...new Set(voterIds)], ID_CHUNK)) {
        const rows = await db
          .selectFrom('voters')
          .selectAll()
          .where('voter_id', 'in', ids)
          .execute();
        out.push(...rows.map(voterFromRow));
      }
      return out;
    },

    saveVoters: async (writes, updatedAt, ledgerEntries) => {
      for (const part of chunks(writes, VOTER_CHUNK)) {
        await db
          .insertInto('voters')
          .values(part.map((w) => voterToRow(w, updatedAt)))
          .onConflict((oc) =>
            oc.column('voter_id').doUpdateSet((eb) => ({
              given_name: eb.ref('excluded.given_name'),
              middle_name: eb.ref('excluded.middle_name'),
              family_name: eb.ref('excluded.family_name'),
              birth_date: eb.ref('excluded.birth_date'),
              address_line1: eb.ref('excluded.address_line1'),
              address_line2: eb.ref('excluded.address_line2'),
              city: eb.ref('excluded.city'),
              state: eb.ref('excluded.state'),
              postal_code: eb.ref('excluded.postal_code'),
              precinct_id: eb.ref('excluded.precinct_id'),
              split_id: eb.ref('excluded.split_id'),
              ballot_style_id: eb.ref('excluded.ballot_style_id'),
              status: eb.ref('excluded.status'),
              document_number: eb.ref('excluded.document_number'),
              blocked_as_duplicate_of: eb.ref('excluded.blocked_as_duplicate_of'),
              record_salt: eb.ref('excluded.record_salt'),
              record_digest: eb.ref('excluded.record_digest'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
        await db
          .deleteFrom('voter_name_trigrams')
          .where(
            'voter_id',
            'in',
            part.map((w) => w.voter.voterId),
          )
          .execute();
        const trigramRows = part.flatMap((w) =>
          [...new Set(w.nameTrigrams)].map((trigram) => ({ trigram, voter_id: w.voter.voterId })),
        );
        for (const rows of chunks(trigramRows, TRIGRAM_CHUNK)) {
          await db.insertInto('voter_name_trigrams').values(rows).execute();
        }
      }
      if (ledgerEntries.length > 0) await ledger.appendLedgerEntries(ledgerEntries);
    },

    findVoters: async (query) => {
      checkLimit(query.limit);
      const trigrams = [...new Set(query.nameTrigrams ?? [])];
      let q = db.selectFrom('voters').selectAll('voters');
      if (query.voterIds !== undefined) {
        if (query.voterIds.length === 0) return [];
        q = q.where('voters.voter_id', 'in', [...query.voterIds].slice(0, ID_CHUNK));
      }
      if (query.birthDate !== undefined) q = q.where('voters.birth_date', '=', query.birthDate);
      if (query.documentNumber !== undefined) {
        q = q.where('voters.document_number', '=', query.documentNumber);
      }
      if (query.statuses !== undefined) {
        if (query.statuses.length === 0) return [];
        q = q.where('voters.status', 'in', [...query.statuses]);
      }
      if (query.nameTrigrams === undefined) {
        const rows = await q.orderBy('voters.voter_id').limit(query.limit).execute();
        return rows.map((row) => ({ voter: voterFromRow(row), sharedTrigrams: 0 }));
      }
      if (trigrams.length === 0) return [];
      // Candidate retrieval: voters sharing enough trigrams, counted on the index rows
      // (an indexed range scan per trigram); ranking by edit distance is the caller's.
      const shared = db
        .selectFrom('voter_name_trigrams')
        .select((eb) => ['voter_id', eb.fn.countAll<number | string | bigint>().as('shared')])
        .where('trigram', 'in', trigrams)
        .groupBy('voter_id')
        .having((eb) => eb.fn.countAll(), '>=', Math.max(1, query.minSharedTrigrams ?? 1));
      const rows = await q
        .innerJoin(shared.as('t'), 't.voter_id', 'voters.voter_id')
        .select('t.shared')
        .orderBy('t.shared', 'desc')
        .orderBy('voters.voter_id')
        .limit(query.limit)
        .execute();
      return rows.map((row) => ({ voter: voterFromRow(row), sharedTrigrams: Number(row.shared) }));
    },

    countVoters: async () => {
      const row = await db
        .selectFrom('voters')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    saveEnrolment: async ({ voterId, records, ledgerEntries }) => {
      if (records.length === 0) {
        throw new InvalidInputError(`An enrolment of voter "${voterId}" holds no template.`);
      }
      const existing = await db
        .selectFrom('voter_templates')
        .select('voter_id')
        .where('voter_id', '=', voterId)
        .executeTakeFirst();
      if (existing !== undefined) {
        return err(
          new ConflictError(`Voter "${voterId}" is already enrolled.`, {
            hint: 'Look the voter up instead; a second enrolment of the same record is refused.',
          }),
        );
      }
      // The primary key (voter, modality, position) also refuses a concurrent enrolment
      // that slipped past the check: the transaction then fails and stores nothing.
      await db
        .insertInto('voter_templates')
        .values(
          records.map((r) => ({
            voter_id: voterId,
            modality: r.modality,
            position: r.position,
            format: r.format,
            quality: r.quality,
            key_id: r.keyId,
            wrapped_key: bytesToParam(r.wrappedKey),
            nonce: bytesToParam(r.nonce),
            ciphertext: bytesToParam(r.ciphertext),
            enrolled_at: r.enrolledAt.toISOString(),
            enrolled_by: r.enrolledBy,
          })),
        )
        .execute();
      await ledger.appendLedgerEntries(ledgerEntries);
      return ok(undefined);
    },

    getEnrolment,

    listEnrolments: async ({ afterVoterId, limit }) => {
      checkLimit(limit);
      let ids = db.selectFrom('voter_templates').select('voter_id').distinct();
      if (afterVoterId !== undefined) ids = ids.where('voter_id', '>', afterVoterId);
      const page = await ids.orderBy('voter_id').limit(limit).execute();
      if (page.length === 0) return [];
      const rows = await db
        .selectFrom('voter_templates')
        .selectAll()
        .where(
          'voter_id',
          'in',
          page.map((r) => r.voter_id),
        )
        .orderBy('voter_id')
        .orderBy('modality')
        .orderBy('position')
        .execute();
      return rows.map(templateFromRow);
    },

    countEnrolments: async () => {
      const row = await db
        .selectFrom('voter_templates')
        .select((eb) => eb.fn.count<number | string | bigint>('voter_id').distinct().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    addDuplicateReviews: async (reviews, ledgerEntries) => {
      if (reviews.length > 0) {
        await db
          .insertInto('duplicate_reviews')
          .values(
            reviews.map((r) => ({
              review_id: r.reviewId,
              voter_id: r.voterId,
              candidate_voter_id: r.candidateVoterId,
              score: r.score,
              fused_fmr: r.fusedFmr,
              finger_scores: JSON.stringify(r.fingerScores),
              status: 'pending',
              created_at: r.createdAt.toISOString(),
              decided_at: null,
              decided_by: null,
              reason: null,
            })),
          )
          .execute();
      }
      if (ledgerEntries.length > 0) await ledger.appendLedgerEntries(ledgerEntries);
    },

    listDuplicateReviews: async ({ status, limit }) => {
      checkLimit(limit);
      let q = db.selectFrom('duplicate_reviews').selectAll();
      if (status !== undefined) q = q.where('status', '=', status);
      const rows = await q.orderBy('created_at').orderBy('review_id').limit(limit).execute();
      return rows.map(reviewFromRow);
    },

    getDuplicateReview,

    decideDuplicateReview: async ({
      reviewId,
      decision,
      decidedBy,
      reason,
      decidedAt,
      ledgerEntries,
    }) => {
      // Conditional update: of two officials deciding at once, exactly one changes the row.
      const updated = await db
        .updateTable('duplicate_reviews')
        .set({
          status: decision,
          decided_by: decidedBy,
          reason,
          decided_at: decidedAt.toISOString(),
        })
        .where('review_id', '=', reviewId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      const review = await getDuplicateReview(reviewId);
      if (review === undefined) {
        return err(
          new NotFoundError(`There is no duplicate review "${reviewId}".`, {
            hint: 'List the pending reviews to find its id.',
          }),
        );
      }
      if (updated.numUpdatedRows !== 1n) {
        return err(
          new ConflictError(
            `Duplicate review "${reviewId}" was already decided (${review.status}) by ${review.decidedBy ?? 'another official'}.`,
          ),
        );
      }
      if (decision === 'same-person') {
        await db
          .updateTable('voters')
          .set({
            blocked_as_duplicate_of: review.candidateVoterId,
            updated_at: decidedAt.toISOString(),
          })
          .where('voter_id', '=', review.voterId)
          .execute();
      }
      await ledger.appendLedgerEntries(ledgerEntries);
      return ok(review);
    },
  };
}

/**
 * The writes of `VoterOperations`, each run in its own transaction on the store's handle
 * (so that on SQLite they queue with the other writers). `openStore` spreads these over
 * the plain operations.
 */
export function routeVoterWrites(
  transaction: <T>(fn: (tx: VoterOperations) => Promise<T>) => Promise<T>,
): Pick<
  VoterOperations,
  'saveVoters' | 'saveEnrolment' | 'addDuplicateReviews' | 'decideDuplicateReview'
> {
  return {
    saveVoters: (writes, updatedAt, entries) =>
      transaction((tx) => tx.saveVoters(writes, updatedAt, entries)),
    saveEnrolment: (input) => transaction((tx) => tx.saveEnrolment(input)),
    addDuplicateReviews: (reviews, entries) =>
      transaction((tx) => tx.addDuplicateReviews(reviews, entries)),
    decideDuplicateReview: (input) => transaction((tx) => tx.decideDuplicateReview(input)),
  };
}
