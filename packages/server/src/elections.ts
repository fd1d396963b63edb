import {
  IntegrityError,
  type ConflictError,
  NotFoundError,
  err,
  ok,
  parseElectionDefinition,
  type Clock,
  type Election,
  type ElectionId,
  type ElectionProblem,
  type Result,
} from '@vigil/core';
import type { Store, StoredElection } from '@vigil/store';
import type { ElectionDetailResponse, ElectionLoadResponse, ElectionSummary } from './api-types.ts';

/**
 * The election-definition service: what the HTTP routes and `vigil start` do with
 * definitions, between the parser (pure, in @vigil/core) and the store. Routes stay thin.
 */

export interface LoadedElection extends ElectionLoadResponse {
  /** False when the very same bytes were already loaded. */
  created: boolean;
}

export type LoadElectionFailure =
  | { kind: 'invalid'; problems: readonly ElectionProblem[] }
  | { kind: 'conflict'; error: ConflictError };

/**
 * Loads a definition from the exact bytes received: the hash is SHA-256 over those bytes
 * (the vxsuite rule), so the same document re-sent is recognised, and a different document
 * under a loaded id is refused rather than silently replacing the one in use. The store
 * decides both atomically, so two clients loading at once cannot both win.
 */
export async function loadElection(
  store: Store,
  bytes: Uint8Array,
  clock: Clock,
): Promise<Result<LoadedElection, LoadElectionFailure>> {
  const parsed = parseElectionDefinition(bytes);
  if (!parsed.ok) return err({ kind: 'invalid', problems: parsed.error });
  const { election, hash } = parsed.value;

  const saved = await store.saveElection({
    electionId: election.id,
    hash,
    definition: bytes,
    title: election.title,
    loadedAt: clock.now(),
  });
  if (!saved.ok) return err({ kind: 'conflict', error: saved.error });
  const stored = saved.value.election;
  return ok({
    created: saved.value.outcome === 'created',
    electionId: stored.electionId,
    hash: stored.hash,
    title: stored.title,
    loadedAt: stored.loadedAt.toISOString(),
  });
}

/**
 * Parses a stored definition again and checks it still hashes to what was recorded: the
 * bytes in the database are the record, and a mismatch means they were changed.
 */
function reparse(record: StoredElection): Election {
  const parsed = parseElectionDefinition(record.definition);
  if (!parsed.ok) {
    throw new IntegrityError(
      `The stored definition of election "${record.electionId}" no longer parses.`,
    );
  }
  if (parsed.value.hash !== record.hash) {
    throw new IntegrityError(
      `The stored definition of election "${record.electionId}" hashes to ${parsed.value.hash}, ` +
        `not the ${record.hash} recorded when it was loaded: it has been altered.`,
    );
  }
  return parsed.value.election;
}

function detail(record: StoredElection): ElectionDetailResponse {
  return {
    electionId: record.electionId,
    hash: record.hash,
    loadedAt: record.loadedAt.toISOString(),
    election: reparse(record),
  };
}

async function fetchStored(store: Store, electionId: string): Promise<StoredElection> {
  const record = await store.getElection(electionId as ElectionId);
  if (record === undefined) {
    throw new NotFoundError(`No election with id "${electionId}" is loaded.`, {
      hint: 'GET /api/elections lists the loaded elections.',
    });
  }
  return record;
}

/** Every loaded election, most recently loaded first. */
export async function listElections(store: Store): Promise<ElectionSummary[]> {
  const summaries = [...(await store.listElections())].reverse();
  // The date is inside the definition, and the store keeps definitions as bytes. A
  // deployment loads a handful of elections, so reading each one is cheap.
  return Promise.all(
    summaries.map(async (summary) => {
      const election = reparse(await fetchStored(store, summary.electionId));
      return {
        electionId: summary.electionId,
        title: summary.title,
        date: election.date,
        hash: summary.hash,
        loadedAt: summary.loadedAt.toISOString(),
      };
    }),
  );
}

/** One loaded election with its parsed definition; NotFoundError when there is none. */
export async function getElection(
  store: Store,
  electionId: string,
): Promise<ElectionDetailResponse> {
  return detail(await fetchStored(store, electionId));
}

/** The most recently loaded election; NotFoundError when none is loaded. */
export async function getCurrentElection(store: Store): Promise<ElectionDetailResponse> {
  // The store lists oldest load first.
  const newest = (await store.listElections()).at(-1);
  if (newest === undefined) {
    throw new NotFoundError('No election is loaded yet.', {
      hint: 'Load a definition by sending it to POST /api/elections as application/json.',
    });
  }
  return detail(await fetchStored(store, newest.electionId));
}
