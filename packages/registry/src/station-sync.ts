import {
  InvalidInputError,
  canonicalJson,
  err,
  ok,
  sha256Hex,
  type Clock,
  type Result,
} from '@vigil/core';
import type { OperationalIncident } from '@vigil/intel';
import { eventIdOf, type LedgerEntry } from '@vigil/ledger';
import type { RegistryIncident, Store, StationJournalEntry, StoreTransaction } from '@vigil/store';
import { voterSubject } from './checkin.ts';
import {
  compareHlc,
  decodeHlc,
  hlcTime,
  type HlcTimestamp,
  type HybridLogicalClock,
} from './hlc.ts';
import type { StationJournal } from './station-journal.ts';

/**
 * Synchronising a station's journal with the central registry (issue 8, point 5).
 *
 * The station sends every check-in it has not yet had acknowledged; the registry takes
 * each one through the same conditional "has voted" insert as an online check-in. A
 * check-in already received (a re-sent batch, a lost acknowledgement) changes nothing,
 * so syncing is idempotent. A check-in whose voter the registry already holds as voted
 * under another check-in means the voter was checked in twice while stations could not
 * see each other: it is recorded as a `double-check-in` incident, with an
 * `incident.raised` ledger entry, and `incidentSighting` turns it into the input the
 * intelligence pillar makes a STIX sighting from. Each batch ends with `station.synced`.
 */

/** What a station sends. */
export interface StationSyncBatch {
  readonly stationId: string;
  readonly electionId: string;
  /** The station's clock when it sent the batch (an HLC send event). */
  readonly sentAt: HlcTimestamp;
  readonly checkIns: readonly StationJournalEntry[];
}

/** What the registry answers. */
export interface StationSyncReceipt {
  /** Check-ins that took the "has voted" lock now. */
  readonly accepted: readonly string[];
  /** Check-ins of voters who had already voted elsewhere: each raised an incident. */
  readonly duplicates: readonly string[];
  /** Check-ins received before (nothing changed). */
  readonly alreadyReceived: readonly string[];
  readonly incidents: readonly RegistryIncident[];
  /** The registry's clock after receiving the batch, for the station to merge. */
  readonly registryClock: HlcTimestamp;
}

function invalid(message: string, path: string): Result<never, InvalidInputError> {
  return err(new InvalidInputError(message, { path }));
}

function checkBatch(
  batch: StationSyncBatch,
  electionId: string,
): Result<readonly { entry: StationJournalEntry; stamp: HlcTimestamp }[], InvalidInputError> {
  if (batch.electionId !== electionId) {
    return invalid(
      `Station ${batch.stationId} sent check-ins of election "${batch.electionId}", but this registry runs "${electionId}".`,
      'electionId',
    );
  }
  const stamped: { entry: StationJournalEntry; stamp: HlcTimestamp }[] = [];
  for (const [i, e] of batch.checkIns.entries()) {
    const stamp = decodeHlc(e.hlc);
    if (!stamp.ok) return invalid(stamp.error.message, `checkIns[${i}].hlc`);
    if (e.stationId !== batch.stationId || stamp.value.node !== batch.stationId) {
      return invalid(
        `Check-in ${e.checkInId} is stamped by ${stamp.value.node} for station ${e.stationId}, not by station ${batch.stationId}, which sent it.`,
        `checkIns[${i}]`,
      );
    }
    if (e.electionId !== electionId) {
      return invalid(
        `Check-in ${e.checkInId} is of election "${e.electionId}".`,
        `checkIns[${i}].electionId`,
      );
    }
    stamped.push({ entry: e, stamp: stamp.value });
  }
  // Causal order: the station's own clock order.
  return ok(stamped.sort((a, b) => compareHlc(a.stamp, b.stamp)));
}

/** The incident's id: a hash of the check-ins involved, so raising it twice stores it once. */
function incidentId(checkInIds: readonly string[]): string {
  return `double-checkin-${sha256Hex([...checkInIds].sort().join('\n')).slice(0, 32)}`;
}

/**
 * Registry side: applies a station's batch in one transaction. Err, applying nothing,
 * when the batch is malformed, of another election, or stamped by a clock too far ahead
 * of the registry's (see `HybridLogicalClock.receive`).
 */
export async function receiveStationJournal(
  central: Store,
  input: {
    readonly batch: StationSyncBatch;
    readonly electionId: string;
    /** The registry's own hybrid logical clock. */
    readonly registryClock: HybridLogicalClock;
    readonly clock: Clock;
  },
): Promise<Result<StationSyncReceipt, InvalidInputError>> {
  const { batch, registryClock } = input;
  const checked = checkBatch(batch, input.electionId);
  if (!checked.ok) return checked;
  const merged = registryClock.receive(batch.sentAt);
  if (!merged.ok) return merged;

  const receivedAt = input.clock.now();
  return central.transaction(async (tx) => {
    const accepted: string[] = [];
    const duplicates: string[] = [];
    const alreadyReceived: string[] = [];
    const incidents: RegistryIncident[] = [];
    const entries: LedgerEntry[] = [];
    for (const { entry: e, stamp } of checked.value) {
      const lock = await tx.lockVoterParticipation({
        electionId: e.electionId,
        voterId: e.voterId,
        checkInId: e.checkInId,
        stationId: e.stationId,
        officialId: e.officialId,
        method: e.method,
        ballotStyleId: e.ballotStyleId,
        hlc: e.hlc,
        checkedInAt: new Date(stamp.wallMs),
        // The station's own registry signed its credential, if any; the central copy
        // records the vote, and a credential must never be issued for it again.
        credentialIssued: true,
      });
      // The lock held by this very check-in: it was received before.
      const same = !lock.locked && lock.existing.checkInId === e.checkInId;
      const fresh = await tx.recordStationCheckIn({
        checkInId: e.checkInId,
        stationId: e.stationId,
        hlc: e.hlc,
        electionId: e.electionId,
        voterId: e.voterId,
        outcome: lock.locked || same ? 'accepted' : 'duplicate',
        receivedAt,
      });
      if (!fresh || same) {
        alreadyReceived.push(e.checkInId);
        continue;
      }
      if (lock.locked) {
        accepted.push(e.checkInId);
        entries.push({
          eventId: eventIdOf('checkin.completed'),
          actorId: e.officialId,
          stationId: e.stationId,
          time: hlcTime(stamp),
          disposition: 'success',
          subjects: [
            `election:${e.electionId}`,
            voterSubject(e.voterId),
            `checkin:${e.checkInId}`,
            `ballot-style:${e.ballotStyleId}`,
            `hlc:${e.hlc}`,
          ],
          detail: 'synced from an offline station',
        });
        continue;
      }
      duplicates.push(e.checkInId);
      const incident = await raiseDoubleCheckIn(tx, e, stamp, lock.existing, receivedAt);
      if (incident !== undefined) {
        incidents.push(incident.incident);
        entries.push(incident.entry);
      }
    }
    entries.push({
      eventId: eventIdOf('station.synced'),
      actorId: 'system',
      stationId: batch.stationId,
      time: receivedAt.toISOString(),
      disposition: duplicates.length === 0 ? 'success' : 'failure',
      subjects: [
        `election:${input.electionId}`,
        `station:${batch.stationId}`,
        `sha256:${sha256Hex(canonicalJson(batch.checkIns.map((c) => ({ checkInId: c.checkInId, hlc: c.hlc }))))}`,
      ],
      detail: `${batch.checkIns.length} check-ins: ${accepted.length} accepted, ${duplicates.length} double, ${alreadyReceived.length} already received`,
    });
    await tx.appendLedgerEntries(entries);
    return ok({
      accepted,
      duplicates,
      alreadyReceived,
      incidents,
      registryClock: registryClock.current(),
    });
  });
}

async function raiseDoubleCheckIn(
  tx: StoreTransaction,
  e: StationJournalEntry,
  stamp: HlcTimestamp,
  existing: {
    readonly checkInId: string;
    readonly stationId: string;
    readonly hlc?: string;
    readonly checkedInAt: Date;
  },
  raisedAt: Date,
): Promise<{ incident: RegistryIncident; entry: LedgerEntry } | undefined> {
  const first = existing.hlc === undefined ? undefined : decodeHlc(existing.hlc);
  const firstMs = first?.ok === true ? first.value.wallMs : existing.checkedInAt.getTime();
  const checkIns = [
    {
      checkInId: existing.checkInId,
      stationId: existing.stationId,
      hlc: existing.hlc ?? existing.checkedInAt.toISOString(),
    },
    { checkInId: e.checkInId, stationId: e.stationId, hlc: e.hlc },
  ];
  const incident: RegistryIncident = {
    incidentId: incidentId(checkIns.map((c) => c.checkInId)),
    kind: 'double-check-in',
    electionId: e.electionId,
    voterId: e.voterId,
    checkIns,
    firstSeen: new Date(Math.min(firstMs, stamp.wallMs)),
    lastSeen: new Date(Math.max(firstMs, stamp.wallMs)),
    raisedAt,
  };
  if (!(await tx.saveRegistryIncident(incident))) return undefined;
  return {
    incident,
    entry: {
      eventId: eventIdOf('incident.raised'),
      actorId: 'system',
      stationId: e.stationId,
      time: raisedAt.toISOString(),
      disposition: 'failure',
      subjects: [
        `election:${e.electionId}`,
        `incident:${incident.incidentId}`,
        voterSubject(e.voterId),
        ...checkIns.flatMap((c) => [`checkin:${c.checkInId}`, `station:${c.stationId}`]),
      ],
      detail:
        'double-check-in: the voter was checked in at two stations that could not see each other',
    },
  };
}

/**
 * Station side: sends the journal's unsynced check-ins through `send` (the HTTP call in
 * production, `receiveStationJournal` in tests), merges the registry's clock, and marks
 * what the registry acknowledged as synced. Sending again after a lost answer is harmless.
 */
export async function syncStation<E>(
  local: Store,
  input: {
    readonly journal: StationJournal;
    readonly electionId: string;
    readonly clock: Clock;
    readonly send: (batch: StationSyncBatch) => Promise<Result<StationSyncReceipt, E>>;
  },
): Promise<Result<StationSyncReceipt, E | InvalidInputError>> {
  const { journal } = input;
  const pending = await local.listStationJournal(journal.stationId, { unsyncedOnly: true });
  const batch: StationSyncBatch = {
    stationId: journal.stationId,
    electionId: input.electionId,
    sentAt: journal.clock.send(),
    checkIns: pending.filter((p) => p.electionId === input.electionId),
  };
  const receipt = await input.send(batch);
  if (!receipt.ok) return receipt;
  const merged = journal.clock.receive(receipt.value.registryClock);
  if (!merged.ok) return merged;
  const acknowledged = [
    ...receipt.value.accepted,
    ...receipt.value.duplicates,
    ...receipt.value.alreadyReceived,
  ];
  await local.markStationJournalSynced(journal.stationId, acknowledged, input.clock.now());
  return receipt;
}

/**
 * The intelligence pillar's input for a double check-in (`sightingFromIncident` in
 * @vigil/intel turns it into a STIX 2.1 sighting of the standing indicator). It names
 * the incident (a hash), the jurisdiction, the station and the times: never the voter.
 */
export function incidentSighting(
  incident: RegistryIncident,
  jurisdiction: {
    readonly orgId: string;
    readonly name: string;
    readonly shareWith?: readonly string[];
  },
): OperationalIncident {
  const last = incident.checkIns[incident.checkIns.length - 1];
  return {
    incidentId: incident.incidentId,
    kind: 'double-check-in',
    jurisdiction: jurisdiction.orgId,
    jurisdictionName: jurisdiction.name,
    stationId: last?.stationId ?? 'unknown',
    count: incident.checkIns.length,
    firstSeen: incident.firstSeen.toISOString(),
    lastSeen: incident.lastSeen.toISOString(),
    ...(jurisdiction.shareWith === undefined ? {} : { shareWith: jurisdiction.shareWith }),
  };
}
