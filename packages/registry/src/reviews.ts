import {
  InvalidInputError,
  NotFoundError,
  err,
  type ConflictError,
  type Result,
} from '@vigil/core';
import { eventIdOf } from '@vigil/ledger';
import type {
  DuplicateDecision,
  Store,
  StoreOperations,
  StoredDuplicateReview,
} from '@vigil/store';

/**
 * The de-duplication review queue. An enrolment whose fingers match an enrolled voter's
 * (dedup.ts) is queued here; a registrar looks at both records and decides:
 *
 * - `same-person`: the later record (the review's `voterId`) is blocked as a duplicate
 *   of the earlier one (`blockedAsDuplicateOf`), so it cannot be checked in;
 * - `different-people`: the review is cleared and both records stay as they are.
 *
 * The decision, the official and the reason are stored with the review; the ledger gets
 * `voter.duplicate.resolved` with the ids and the decision only (a reason may name people,
 * so it stays in the database). Checking that the official holds the registrar role is
 * the caller's (the HTTP and CLI layers authenticate).
 */

export const MAX_REASON_LENGTH = 1000;

/** Pending reviews, oldest first. */
export function listPendingReviews(
  store: Pick<StoreOperations, 'listDuplicateReviews'>,
  limit = 100,
): Promise<StoredDuplicateReview[]> {
  return store.listDuplicateReviews({ status: 'pending', limit });
}

export interface ReviewDecisionInput {
  readonly reviewId: string;
  readonly decision: DuplicateDecision;
  /** The registrar deciding (the ledger actor). */
  readonly officialId: string;
  readonly stationId: string;
  /** Why: what the official compared (documents, photographs, the two records). */
  readonly reason: string;
  readonly time?: Date;
}

/**
 * Records an official's decision. Err InvalidInputError (no reason, unknown decision),
 * NotFoundError (no such review), ConflictError (already decided).
 */
export async function decideReview(
  store: Store,
  input: ReviewDecisionInput,
): Promise<Result<StoredDuplicateReview, InvalidInputError | NotFoundError | ConflictError>> {
  const reason = input.reason.trim();
  if (reason === '') {
    return err(
      new InvalidInputError('A review decision needs a reason: say what was compared and why.', {
        path: 'reason',
      }),
    );
  }
  if (reason.length > MAX_REASON_LENGTH) {
    return err(
      new InvalidInputError(
        `The reason is ${reason.length} characters long; at most ${MAX_REASON_LENGTH}.`,
        { path: 'reason' },
      ),
    );
  }
  // The decision may come from an untyped request body.
  const decision: string = input.decision;
  if (decision !== 'same-person' && decision !== 'different-people') {
    return err(
      new InvalidInputError(
        `"${decision}" is not a decision: use same-person or different-people.`,
        { path: 'decision' },
      ),
    );
  }
  const existing = await store.getDuplicateReview(input.reviewId);
  if (existing === undefined) {
    return err(
      new NotFoundError(`There is no duplicate review "${input.reviewId}".`, {
        hint: 'List the pending reviews to find its id.',
      }),
    );
  }
  const time = input.time ?? new Date();
  return store.decideDuplicateReview({
    reviewId: input.reviewId,
    decision: input.decision,
    decidedBy: input.officialId,
    reason,
    decidedAt: time,
    ledgerEntries: [
      {
        eventId: eventIdOf('voter.duplicate.resolved'),
        actorId: input.officialId,
        stationId: input.stationId,
        time: time.toISOString(),
        disposition: 'success',
        subjects: [
          `review:${input.reviewId}`,
          `voter:${existing.voterId}`,
          `voter:${existing.candidateVoterId}`,
          `decision:${input.decision}`,
        ],
      },
    ],
  });
}
