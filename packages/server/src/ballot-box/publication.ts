import { randomInt } from 'node:crypto';
import { IntegrityError } from '@vigil/core';
import type { LedgerEntry } from '@vigil/ledger';
import type { StoreTransaction } from '@vigil/store';

/**
 * Batched publication of the ballot entries (docs/architecture.md, "Batched
 * publication"). The ledger is one log: a check-in entry names the voter, and a
 * `ballot.cast` / `ballot.challenged` entry appended when the ballot is cast would follow
 * it, so the order of the log would tie the voter to their encrypted ballot (and, for a
 * challenged ballot, to its decryption in public). So casting and challenging change the
 * ballot's state at once but only queue its entry; the entries are appended as a mix, as
 * vote-by-mail envelopes are separated from their ballots in batches: every waiting entry
 * at once, in a uniformly random order, when at least a batch is waiting or the polls
 * close. Within a batch the ledger order says nothing of the order of casting, and the
 * entries carry the day only.
 */

/** How many waiting ballot entries make a batch, unless the server is told otherwise. */
export const DEFAULT_PUBLICATION_BATCH = 10;

/**
 * A uniformly random permutation (Fisher–Yates, Knuth TAOCP vol. 2 §3.4.2 Algorithm P)
 * drawn from the operating system's CSPRNG: `randomInt` rejects biased draws, so each of
 * the n! orders is equally likely and none can be predicted from earlier batches.
 */
export function shuffled<T>(
  items: readonly T[],
  draw: (bound: number) => number = (bound) => randomInt(bound),
): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = draw(i + 1);
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

/**
 * Inside `tx`: when `force` or at least `batch` ballot entries wait, appends them all in
 * a shuffled order in one append and records each ballot's ledger index (written in the
 * same shuffled order, so neither the ledger nor the rows' write order follows the order
 * of casting). Returns the index of each ballot published, by code (empty when nothing
 * was due). The caller's transaction holds the election's row (the polls' lock), so two
 * batches never take the same entries; a ballot found already published rolls back.
 */
export async function publishWaitingBallots(
  tx: StoreTransaction,
  electionId: string,
  options: { readonly batch: number; readonly force: boolean },
): Promise<ReadonlyMap<string, number>> {
  const waiting = await tx.listUnpublishedBallots(electionId);
  if (waiting.length === 0 || (!options.force && waiting.length < options.batch)) {
    return new Map();
  }
  const mix = shuffled(waiting);
  const appended = await tx.appendLedgerEntries(
    mix.map((w) => JSON.parse(w.ledgerEntry) as LedgerEntry),
  );
  const published = new Map<string, number>();
  for (const [i, w] of mix.entries()) {
    const ledgerIndex = appended.firstIndex + i;
    if (
      !(await tx.publishBallot({ electionId, confirmationCode: w.confirmationCode, ledgerIndex }))
    ) {
      throw new IntegrityError(
        `ballot ${w.confirmationCode} was published by another batch at the same time`,
      );
    }
    published.set(w.confirmationCode, ledgerIndex);
  }
  return published;
}
