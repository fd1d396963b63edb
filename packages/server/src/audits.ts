import { InvalidInputError, NotFoundError, sha256Hex, type Result } from '@vigil/core';
import { eventIdOf, type EventType, type LedgerEntry } from '@vigil/ledger';
import type { Store } from '@vigil/store';
import {
  checkSeed,
  closeRound,
  parseManifestCsv,
  recordBallot,
  startAudit,
  startRound,
  type AuditMethod,
  type AuditPlan,
  type AuditState,
  type BallotEntry,
} from '@vigil/tally';

/**
 * The risk-limiting audit service: thin wiring between the pure audit model of
 * @vigil/tally and the store. An audit is its fixed plan plus the list of what audit
 * boards did; its state is always the replay of that list, and every step is written
 * with its ledger entry in one transaction.
 */

/** What fixes an audit when it starts (stored as JSON). */
export interface AuditPlanInput {
  readonly method: AuditMethod;
  readonly contest: {
    readonly id: string;
    readonly votes: Readonly<Record<string, number>>;
    readonly ballots: number;
    readonly numWinners: number;
  };
  readonly riskLimit: number;
  /** Public seed: decimal digits, e.g. twenty dice rolled in public. */
  readonly seed: string;
  /** Ballot manifest CSV: `Batch Name,Number of Ballots` (as Arlo's). */
  readonly manifestCsv: string;
  /** Ballot comparison: each ballot's recorded votes (from its CVR), by ballot id. */
  readonly recorded?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly gamma?: number;
  readonly completion?: number;
}

/** One step of an audit, in the order the boards took them. */
export type AuditEvent =
  | { readonly type: 'round-started'; readonly size: number }
  | { readonly type: 'ballot-recorded'; readonly ballotId: string; readonly entry: BallotEntry }
  | { readonly type: 'round-closed' };

function unwrapOrThrow<T>(result: Result<T, Error>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

export function planFromInput(input: AuditPlanInput): AuditPlan {
  const seed = unwrapOrThrow(checkSeed(input.seed));
  const manifest = unwrapOrThrow(parseManifestCsv(input.manifestCsv));
  return {
    method: input.method,
    contest: input.contest,
    riskLimit: input.riskLimit,
    seed,
    manifest,
    ...(input.recorded === undefined ? {} : { recorded: new Map(Object.entries(input.recorded)) }),
    ...(input.gamma === undefined ? {} : { gamma: input.gamma }),
    ...(input.completion === undefined ? {} : { completion: input.completion }),
  };
}

function apply(state: AuditState, event: AuditEvent): Result<AuditState, Error> {
  switch (event.type) {
    case 'round-started':
      return startRound(state, event.size);
    case 'ballot-recorded':
      return recordBallot(state, event.ballotId, event.entry);
    case 'round-closed':
      return closeRound(state);
  }
}

/** The state after `events`, replayed from the plan. */
export function replayAudit(input: AuditPlanInput, events: readonly AuditEvent[]): AuditState {
  let state = unwrapOrThrow(startAudit(planFromInput(input)));
  for (const event of events) state = unwrapOrThrow(apply(state, event));
  return state;
}

function ledgerEntry(
  type: EventType,
  time: Date,
  subjects: string[],
  actorId: string,
): LedgerEntry {
  return {
    eventId: eventIdOf(type),
    actorId,
    stationId: 'vigil-server',
    time: time.toISOString(),
    disposition: 'success',
    subjects,
  };
}

interface LoadedAudit {
  readonly input: AuditPlanInput;
  readonly events: AuditEvent[];
  readonly state: AuditState;
}

async function load(store: Store, auditId: string): Promise<LoadedAudit> {
  const stored = await store.getAudit(auditId);
  if (stored === undefined) {
    throw new NotFoundError(`There is no audit "${auditId}".`, {
      hint: 'list the audits with GET /api/audits',
    });
  }
  const input = JSON.parse(stored.plan) as AuditPlanInput;
  const events = stored.events.map((e) => JSON.parse(e) as AuditEvent);
  return { input, events, state: replayAudit(input, events) };
}

export async function createAudit(
  store: Store,
  auditId: string,
  input: AuditPlanInput,
  now: Date,
  actorId = 'audit-administrator',
): Promise<AuditState> {
  // Validate by starting it in memory before anything is stored.
  const state = replayAudit(input, []);
  const plan = JSON.stringify(input);
  const created = await store.createAudit({
    auditId,
    plan,
    createdAt: now,
    ledgerEntry: ledgerEntry(
      'audit.started',
      now,
      [`audit:${auditId}`, `contest:${input.contest.id}`, `sha256:${sha256Hex(plan)}`],
      actorId,
    ),
  });
  if (!created.ok) throw created.error;
  return state;
}

export async function getAudit(store: Store, auditId: string): Promise<AuditState> {
  return (await load(store, auditId)).state;
}

/** Applies one step and stores it with its ledger entries; returns the new state. */
export async function applyAuditStep(
  store: Store,
  auditId: string,
  event: AuditEvent,
  now: Date,
  actorId = 'audit-board',
): Promise<AuditState> {
  const loaded = await load(store, auditId);
  const next = unwrapOrThrow(apply(loaded.state, event));
  const subjects = [`audit:${auditId}`];
  const entries: LedgerEntry[] = [];
  switch (event.type) {
    case 'round-started': {
      const round = next.rounds[next.rounds.length - 1]!;
      const ids = round.ballots.map((b) => b.ballotId).join('\n');
      entries.push(
        ledgerEntry(
          'audit.sample.drawn',
          now,
          [...subjects, `round:${round.round}`, `sha256:${sha256Hex(ids)}`],
          actorId,
        ),
      );
      break;
    }
    case 'ballot-recorded':
      entries.push(
        ledgerEntry(
          'audit.ballot.compared',
          now,
          [
            ...subjects,
            `ballot:${event.ballotId}`,
            `sha256:${sha256Hex(JSON.stringify(event.entry))}`,
          ],
          actorId,
        ),
      );
      break;
    case 'round-closed':
      if (next.status !== 'in-progress') {
        entries.push(
          ledgerEntry('audit.completed', now, [...subjects, `status:${next.status}`], actorId),
        );
      }
      break;
  }
  const appended = await store.appendAuditEvent({
    auditId,
    seq: loaded.events.length,
    event: JSON.stringify(event),
    recordedAt: now,
    ledgerEntries: entries,
  });
  if (!appended.ok) throw appended.error;
  return next;
}

/** Checks a ballot entry's shape from an untyped request body. */
export function ballotEntryFrom(body: unknown): BallotEntry {
  const b = body as { kind?: unknown; votes?: unknown };
  if (b.kind === 'not-found') return { kind: 'not-found' };
  if (b.kind === 'votes' && typeof b.votes === 'object' && b.votes !== null) {
    return { kind: 'votes', votes: b.votes as Record<string, number> };
  }
  throw new InvalidInputError(
    'A ballot entry is {"kind":"votes","votes":{"<choice>":1}} or {"kind":"not-found"}.',
  );
}
