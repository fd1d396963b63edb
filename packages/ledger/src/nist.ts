import { InvalidInputError, canonicalJson, toHex } from '@vigil/core';
import { encodeEntry, type LedgerEntry } from './entry.ts';
import { EVENT_CATALOGUE, eventById } from './events.ts';
import { leafHash } from './merkle.ts';

/**
 * Export of ledger entries as a NIST SP 1500-101 election event log (the JSON schema
 * NIST_V1_election_event_logging.json, draft-04): an ElectionEventLog whose Device[]
 * each carry their Event[]. Entries are grouped by station, which is the device.
 */

export type NistDeviceType =
  | 'adjudication'
  | 'ballot-activation'
  | 'ballot-printing'
  | 'blank-ballot-printing'
  | 'bmd'
  | 'dre'
  | 'dre-controller'
  | 'electronic-cast'
  | 'electronic-cast-paper'
  | 'electronic-poll-book'
  | 'ems'
  | 'other'
  | 'scan-batch'
  | 'scan-single'
  | 'transmission-receiving'
  | 'transmission-sending';

export type NistHashType = 'md6' | 'other' | 'sha-256' | 'sha-512';
export type NistDisposition = 'failure' | 'na' | 'other' | 'success';

export interface NistEvent {
  readonly '@type': 'EventLogging.Event';
  readonly Id: string;
  readonly Type: string;
  readonly Description?: string;
  readonly Details?: string;
  readonly Disposition: NistDisposition;
  readonly Hash?: string;
  readonly Sequence: string;
  readonly TimeStamp: string;
  readonly UserId?: string;
}

export interface NistDevice {
  readonly '@type': 'EventLogging.Device';
  readonly Id: string;
  readonly Type?: NistDeviceType;
  readonly OtherType?: string;
  readonly Manufacturer?: string;
  readonly Model?: string;
  readonly Version?: string;
  readonly HashType?: NistHashType;
  readonly Details?: string;
  readonly Event?: readonly NistEvent[];
}

export interface NistElectionEventLog {
  readonly '@type': 'EventLogging.ElectionEventLog';
  readonly GeneratedTime: string;
  readonly ElectionId?: string;
  readonly Details?: string;
  readonly Device?: readonly NistDevice[];
}

export interface NistElectionEventLogDocumentation {
  readonly '@type': 'EventLogging.ElectionEventLogDocumentation';
  readonly DeviceManufacturer: string;
  readonly DeviceModel: string;
  readonly DeviceVersion?: string;
  readonly DeviceId?: string;
  readonly GeneratedDate: string;
  readonly EventIdDescription: readonly {
    readonly '@type': 'EventLogging.EventIdDescription';
    readonly Id: string;
    readonly Description: string;
  }[];
  readonly EventTypeDescription: readonly {
    readonly '@type': 'EventLogging.EventTypeDescription';
    readonly Type: string;
    readonly Description: string;
  }[];
}

/** What the export says about a device (a station). */
export interface NistDeviceInfo {
  readonly type?: NistDeviceType;
  /** Required by the schema's intent when `type` is `other`. */
  readonly otherType?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly version?: string;
  readonly details?: string;
}

/** An entry with its index in the ledger. */
export interface IndexedEntry {
  readonly index: number;
  readonly entry: LedgerEntry;
}

export interface NistExportOptions {
  readonly generatedTime: Date;
  readonly electionId?: string;
  readonly details?: string;
  /** Ledger index of the first entry when plain entries are given (default 0). */
  readonly firstIndex?: number;
  /** Device descriptions by station id. */
  readonly devices?: Readonly<Record<string, NistDeviceInfo>>;
  /** For stations not listed in `devices`. */
  readonly defaultDevice?: NistDeviceInfo;
}

const VIGIL_DEVICE: NistDeviceInfo = {
  type: 'other',
  otherType: 'vigil-station',
  manufacturer: 'Vigil project',
  model: 'Vigil',
};

function device(stationId: string, info: NistDeviceInfo, events: NistEvent[]): NistDevice {
  return {
    '@type': 'EventLogging.Device',
    Id: stationId,
    ...(info.type === undefined ? {} : { Type: info.type }),
    ...(info.otherType === undefined ? {} : { OtherType: info.otherType }),
    ...(info.manufacturer === undefined ? {} : { Manufacturer: info.manufacturer }),
    ...(info.model === undefined ? {} : { Model: info.model }),
    ...(info.version === undefined ? {} : { Version: info.version }),
    ...(info.details === undefined ? {} : { Details: info.details }),
    HashType: 'sha-256',
    Event: events,
  };
}

/**
 * Converts ledger entries into a NIST SP 1500-101 ElectionEventLog.
 *
 * Each Event carries: Id, the catalogue id (`vigil-0303`); Type, its type name
 * (`ballot.cast`); Description, the catalogue line; Sequence, the entry's ledger index;
 * TimeStamp; UserId, the actor; Disposition; Details, canonical JSON of the subjects and
 * detail; and Hash, the hex RFC 9162 leaf hash SHA-256(0x00 || leaf bytes), by which an
 * auditor finds the entry in the ledger and checks its inclusion proof.
 *
 * @example
 *   const log = toNistEventLog(entries, { generatedTime: new Date(), electionId: 'gen-2026' });
 */
export function toNistEventLog(
  entries: readonly (LedgerEntry | IndexedEntry)[],
  options: NistExportOptions,
): NistElectionEventLog {
  const first = options.firstIndex ?? 0;
  if (!Number.isSafeInteger(first) || first < 0) {
    throw new InvalidInputError(`firstIndex must be a ledger index, not ${String(first)}`);
  }
  if (Number.isNaN(options.generatedTime.getTime())) {
    throw new InvalidInputError('generatedTime is not a valid date');
  }
  const byStation = new Map<string, NistEvent[]>();
  entries.forEach((item, position) => {
    const { index, entry } = 'entry' in item ? item : { index: first + position, entry: item };
    const info = eventById(entry.eventId);
    if (info === undefined) {
      throw new InvalidInputError(`entry ${index} has unknown event id ${entry.eventId}`);
    }
    const event: NistEvent = {
      '@type': 'EventLogging.Event',
      Id: info.id,
      Type: info.type,
      Description: info.description,
      Details: canonicalJson({
        subjects: entry.subjects,
        ...(entry.detail === undefined ? {} : { detail: entry.detail }),
      }),
      Disposition: entry.disposition,
      Hash: toHex(leafHash(encodeEntry(entry))),
      Sequence: String(index),
      TimeStamp: entry.time,
      UserId: entry.actorId,
    };
    let events = byStation.get(entry.stationId);
    if (events === undefined) {
      events = [];
      byStation.set(entry.stationId, events);
    }
    events.push(event);
  });
  const devices = [...byStation].map(([stationId, events]) =>
    device(
      stationId,
      options.devices?.[stationId] ?? options.defaultDevice ?? VIGIL_DEVICE,
      events,
    ),
  );
  return {
    '@type': 'EventLogging.ElectionEventLog',
    GeneratedTime: options.generatedTime.toISOString(),
    ...(options.electionId === undefined ? {} : { ElectionId: options.electionId }),
    ...(options.details === undefined ? {} : { Details: options.details }),
    Device: devices,
  };
}

/**
 * The NIST SP 1500-101 ElectionEventLogDocumentation for the event catalogue: every
 * event id and type with its description.
 */
export function toNistEventLogDocumentation(options: {
  readonly generatedDate: Date;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly version?: string;
  readonly deviceId?: string;
}): NistElectionEventLogDocumentation {
  return {
    '@type': 'EventLogging.ElectionEventLogDocumentation',
    DeviceManufacturer: options.manufacturer ?? VIGIL_DEVICE.manufacturer!,
    DeviceModel: options.model ?? VIGIL_DEVICE.model!,
    ...(options.version === undefined ? {} : { DeviceVersion: options.version }),
    ...(options.deviceId === undefined ? {} : { DeviceId: options.deviceId }),
    GeneratedDate: options.generatedDate.toISOString().slice(0, 10),
    EventIdDescription: EVENT_CATALOGUE.map((e) => ({
      '@type': 'EventLogging.EventIdDescription' as const,
      Id: e.id,
      Description: e.description,
    })),
    EventTypeDescription: EVENT_CATALOGUE.map((e) => ({
      '@type': 'EventLogging.EventTypeDescription' as const,
      Type: e.type,
      Description: `${e.description} (pillar: ${e.pillar})`,
    })),
  };
}
