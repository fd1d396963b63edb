import type { Clock } from '@vigil/core';
import type { StoreOperations, VoterParticipation } from '@vigil/store';
import { createHlc, decodeHlc, encodeHlc, type HybridLogicalClock } from './hlc.ts';

/**
 * A polling station's own journal, for when it loses the network: the station runs
 * check-in against its local SQLite store (`openStore({ dataDir })`, provisioned before
 * polls open with the roll, the enrolled templates and the sealed credential keys), and
 * every check-in it makes is also written here, stamped by the station's hybrid logical
 * clock, in the same transaction as the local "has voted" lock. `station-sync.ts` sends
 * the journal to the central registry when the network is back.
 */
export interface StationJournal {
  readonly stationId: string;
  readonly clock: HybridLogicalClock;
}

/**
 * Opens the journal of `stationId` on its local store. The clock restarts from the
 * newest stamp already in the journal, so stamps keep increasing across restarts even
 * if the wall clock was set back.
 */
export async function openStationJournal(
  local: StoreOperations,
  stationId: string,
  clock: Clock,
  options: { readonly maxDriftMs?: number } = {},
): Promise<StationJournal> {
  const lastText = await local.lastStationHlc(stationId);
  const last = lastText === undefined ? undefined : decodeHlc(lastText);
  if (last !== undefined && !last.ok) throw last.error;
  return {
    stationId,
    clock: createHlc(stationId, clock, {
      ...(last === undefined ? {} : { last: last.value }),
      ...(options.maxDriftMs === undefined ? {} : { maxDriftMs: options.maxDriftMs }),
    }),
  };
}

/** A fresh stamp for a check-in about to be locked at this station. */
export function stampCheckIn(journal: StationJournal): string {
  return encodeHlc(journal.clock.send());
}

/** Writes a locked check-in to the journal; call it in the lock's transaction. */
export async function journalCheckIn(
  tx: StoreOperations,
  journal: StationJournal,
  participation: VoterParticipation & { readonly hlc: string },
): Promise<void> {
  await tx.appendStationJournal({
    stationId: journal.stationId,
    hlc: participation.hlc,
    checkInId: participation.checkInId,
    electionId: participation.electionId,
    voterId: participation.voterId,
    officialId: participation.officialId,
    method: participation.method,
    ballotStyleId: participation.ballotStyleId,
  });
}
