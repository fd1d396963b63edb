import { InvalidInputError, canonicalJson, err, ok, type Result } from '@vigil/core';
import { isEventId, type EventId } from './events.ts';

/**
 * One ledger entry: a state change, who made it, where, when, whether it succeeded, and
 * what it touched. The leaf bytes of the Merkle log are its RFC 8785 canonical JSON, so
 * every party hashes exactly the same bytes.
 *
 * Entries are public to auditors: they carry ids and hashes, never personal data. A
 * voter appears only as an opaque id or a hash; names, addresses, biometrics and ballot
 * choices never go into a ledger entry.
 */
export type Disposition = 'success' | 'failure';

export interface LedgerEntry {
  /** The event's stable id from the catalogue, e.g. `vigil-0007`. */
  readonly eventId: EventId;
  /** Who acted: a user id, a service account, or `system`. */
  readonly actorId: string;
  /** Where: the station or device id. */
  readonly stationId: string;
  /** When, ISO 8601 in UTC with a `Z`, e.g. `2026-11-03T07:00:00.000Z`. */
  readonly time: string;
  readonly disposition: Disposition;
  /** What changed: hashes (`sha256:<hex>`) or ids, printable ASCII without spaces. */
  readonly subjects: readonly string[];
  /** A short free-text remark, without personal data. */
  readonly detail?: string;
}

/** Version of the entry encoding, carried in every leaf as `v`. */
export const ENTRY_FORMAT_VERSION = 1;
export const MAX_SUBJECTS = 64;
export const MAX_SUBJECT_LENGTH = 256;
export const MAX_DETAIL_LENGTH = 280;

const ACTOR_OR_STATION = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;
const SUBJECT = /^[\x21-\x7e]+$/;
const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const ENCODED_KEYS = new Set([
  'v',
  'eventId',
  'actorId',
  'stationId',
  'time',
  'disposition',
  'subjects',
  'detail',
]);

function isUtcTime(s: string): boolean {
  const m = UTC_TIME.exec(s);
  if (m === null) return false;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
  return (
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === se
  );
}

function invalid(path: string, message: string): Result<never, InvalidInputError> {
  return err(new InvalidInputError(`ledger entry ${path}: ${message}`, { path }));
}

/** Checks an unknown value against the LedgerEntry rules, naming the first problem. */
export function validateEntry(value: unknown): Result<LedgerEntry, InvalidInputError> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('$', 'must be a JSON object');
  }
  const o = value as Record<string, unknown>;
  const { eventId, actorId, stationId, time, disposition, subjects, detail } = o;
  if (typeof eventId !== 'string' || !isEventId(eventId)) {
    return invalid(
      'eventId',
      `${JSON.stringify(eventId)} is not an event id in this version's catalogue`,
    );
  }
  if (typeof actorId !== 'string' || !ACTOR_OR_STATION.test(actorId)) {
    return invalid('actorId', 'must be an id of 1 to 128 letters, digits and . _ : / @ -');
  }
  if (typeof stationId !== 'string' || !ACTOR_OR_STATION.test(stationId)) {
    return invalid('stationId', 'must be an id of 1 to 128 letters, digits and . _ : / @ -');
  }
  if (typeof time !== 'string' || !isUtcTime(time)) {
    return invalid('time', 'must be an ISO 8601 UTC time such as 2026-11-03T07:00:00Z');
  }
  if (disposition !== 'success' && disposition !== 'failure') {
    return invalid('disposition', 'must be "success" or "failure"');
  }
  if (!Array.isArray(subjects)) return invalid('subjects', 'must be a list of hashes or ids');
  if (subjects.length > MAX_SUBJECTS) {
    return invalid('subjects', `has ${subjects.length} items; at most ${MAX_SUBJECTS}`);
  }
  for (const [i, s] of (subjects as unknown[]).entries()) {
    if (typeof s !== 'string' || s.length > MAX_SUBJECT_LENGTH || !SUBJECT.test(s)) {
      return invalid(
        `subjects[${i}]`,
        `must be a hash or id of 1 to ${MAX_SUBJECT_LENGTH} printable ASCII characters without spaces`,
      );
    }
  }
  if (detail !== undefined) {
    if (typeof detail !== 'string' || detail.length === 0 || detail.length > MAX_DETAIL_LENGTH) {
      return invalid('detail', `must be text of 1 to ${MAX_DETAIL_LENGTH} characters`);
    }
    if (CONTROL.test(detail)) return invalid('detail', 'must not contain control characters');
  }
  const entry: LedgerEntry = {
    eventId,
    actorId,
    stationId,
    time,
    disposition,
    subjects: [...(subjects as string[])],
    ...(detail === undefined ? {} : { detail }),
  };
  return ok(entry);
}

/**
 * The leaf bytes of an entry: RFC 8785 canonical JSON of the entry and `v: 1`. Throws an
 * InvalidInputError for an entry that breaks the rules, since writing it would be a bug.
 */
export function encodeEntry(entry: LedgerEntry): Uint8Array {
  const checked = validateEntry(entry);
  if (!checked.ok) throw checked.error;
  return new TextEncoder().encode(canonicalJson({ v: ENTRY_FORMAT_VERSION, ...checked.value }));
}

/**
 * Reads leaf bytes back into an entry. Refuses anything `encodeEntry` would not have
 * produced byte for byte (unknown fields, another version, non-canonical JSON), so one
 * entry has exactly one leaf.
 */
export function decodeEntry(bytes: Uint8Array): Result<LedgerEntry, InvalidInputError> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return invalid('$', 'is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid('$', 'is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('$', 'must be a JSON object');
  }
  const o = value as Record<string, unknown>;
  if (o.v !== ENTRY_FORMAT_VERSION) {
    return invalid('v', `format version ${JSON.stringify(o.v)} is not ${ENTRY_FORMAT_VERSION}`);
  }
  const extra = Object.keys(o).find((k) => !ENCODED_KEYS.has(k));
  if (extra !== undefined) return invalid(extra, 'is not a field of a ledger entry');
  const checked = validateEntry(o);
  if (!checked.ok) return checked;
  if (canonicalJson(o) !== text) {
    return invalid('$', 'is not in RFC 8785 canonical form, so it is not the bytes Vigil wrote');
  }
  return checked;
}
