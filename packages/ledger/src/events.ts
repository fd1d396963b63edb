/**
 * The catalogue of ledger events (the vxsuite habit): every state change that becomes a
 * ledger entry has a stable id, a type name, one line of documentation and the pillar it
 * belongs to. Ids are never reused or renumbered; retire an event by leaving it here.
 * Ids are grouped by hundreds: 00xx administration, 01xx the ledger itself, 02xx
 * identity, 03xx ballots, 04xx intelligence. The catalogue also feeds the NIST SP
 * 1500-101 event documentation (EventIdDescription, EventTypeDescription).
 */

export type Pillar = 'administration' | 'ledger' | 'identity' | 'ballots' | 'intelligence';

export interface EventTypeInfo {
  readonly id: string;
  readonly type: string;
  readonly description: string;
  readonly pillar: Pillar;
}

export const EVENT_CATALOGUE = [
  // Administration.
  {
    id: 'vigil-0001',
    type: 'system.started',
    pillar: 'administration',
    description: 'A Vigil service or station started.',
  },
  {
    id: 'vigil-0002',
    type: 'system.stopped',
    pillar: 'administration',
    description: 'A Vigil service or station stopped in an orderly way.',
  },
  {
    id: 'vigil-0003',
    type: 'user.signed-in',
    pillar: 'administration',
    description: 'A person signed in (failure: the attempt was refused).',
  },
  {
    id: 'vigil-0004',
    type: 'user.signed-out',
    pillar: 'administration',
    description: 'A person signed out or their session expired.',
  },
  {
    id: 'vigil-0005',
    type: 'user.roles.changed',
    pillar: 'administration',
    description: "A person's roles were granted or revoked.",
  },
  {
    id: 'vigil-0006',
    type: 'configuration.changed',
    pillar: 'administration',
    description:
      'A system setting was changed; the subjects are hashes of the old and new settings.',
  },
  {
    id: 'vigil-0007',
    type: 'election.definition.loaded',
    pillar: 'administration',
    description: 'An election definition was loaded; the subject is the hash of its exact bytes.',
  },
  {
    id: 'vigil-0008',
    type: 'election.definition.unloaded',
    pillar: 'administration',
    description: 'The loaded election definition was removed.',
  },
  {
    id: 'vigil-0009',
    type: 'data.imported',
    pillar: 'administration',
    description: 'A file was imported; the subject is the hash of its bytes.',
  },
  {
    id: 'vigil-0010',
    type: 'data.exported',
    pillar: 'administration',
    description: 'An export was produced; the subject is the hash of its bytes.',
  },
  // Officials and polling stations (0020-0029). Subjects are ids only; sign-ins are
  // logged rather than recorded here, so that an election day does not flood the ledger.
  {
    id: 'vigil-0020',
    type: 'official.created',
    pillar: 'administration',
    description: 'An election official was added with a role; the subject is their id.',
  },
  {
    id: 'vigil-0021',
    type: 'official.disabled',
    pillar: 'administration',
    description: 'An election official was disabled and their sessions ended.',
  },
  {
    id: 'vigil-0022',
    type: 'official.unlocked',
    pillar: 'administration',
    description:
      "An official's sign-in lockout was lifted (and their password replaced, when the detail says so).",
  },
  {
    id: 'vigil-0023',
    type: 'station.registered',
    pillar: 'administration',
    description: 'A polling-station device was registered for a polling place.',
  },
  {
    id: 'vigil-0024',
    type: 'station.revoked',
    pillar: 'administration',
    description: 'A polling-station device was revoked and the sessions opened on it ended.',
  },
  // The ledger.
  {
    id: 'vigil-0100',
    type: 'ledger.checkpoint.signed',
    pillar: 'ledger',
    description: 'The log signed a checkpoint (tree size and root hash).',
  },
  {
    id: 'vigil-0101',
    type: 'ledger.checkpoint.cosigned',
    pillar: 'ledger',
    description: 'A witness cosigned a checkpoint (failure: the witness refused).',
  },
  {
    id: 'vigil-0102',
    type: 'ledger.consistency.checked',
    pillar: 'ledger',
    description:
      'A consistency proof between two checkpoints was checked (failure: the log forked).',
  },
  {
    id: 'vigil-0103',
    type: 'ledger.witness.changed',
    pillar: 'ledger',
    description: 'A witness was added to or removed from the trusted set.',
  },
  // Identity.
  {
    id: 'vigil-0200',
    type: 'roll.imported',
    pillar: 'identity',
    description: 'A voter roll was imported; the subject is the hash of the file.',
  },
  {
    id: 'vigil-0201',
    type: 'voter.registered',
    pillar: 'identity',
    description: 'A voter record was created.',
  },
  {
    id: 'vigil-0202',
    type: 'voter.updated',
    pillar: 'identity',
    description: 'A voter record was changed.',
  },
  {
    id: 'vigil-0203',
    type: 'voter.enrolled',
    pillar: 'identity',
    description:
      'Biometric templates were enrolled for a voter (templates only, encrypted at rest).',
  },
  {
    id: 'vigil-0204',
    type: 'voter.duplicate.flagged',
    pillar: 'identity',
    description: 'One-to-many de-duplication flagged records that may be the same person.',
  },
  {
    id: 'vigil-0205',
    type: 'voter.duplicate.resolved',
    pillar: 'identity',
    description: 'A reviewer resolved a flagged possible duplicate.',
  },
  {
    id: 'vigil-0206',
    type: 'checkin.match.attempted',
    pillar: 'identity',
    description: 'A one-to-one biometric check ran at a station (failure: no match).',
  },
  {
    id: 'vigil-0207',
    type: 'checkin.override',
    pillar: 'identity',
    description: 'A supervisor allowed check-in through the fallback after failed matches.',
  },
  {
    id: 'vigil-0208',
    type: 'checkin.completed',
    pillar: 'identity',
    description: 'A voter was checked in and locked as having voted.',
  },
  {
    id: 'vigil-0209',
    type: 'checkin.duplicate.refused',
    pillar: 'identity',
    description: 'A check-in was refused because the voter had already voted.',
  },
  {
    id: 'vigil-0210',
    type: 'credential.issued',
    pillar: 'identity',
    description:
      'A blind-signed one-time ballot credential was issued (it cannot be linked to the voter).',
  },
  {
    id: 'vigil-0211',
    type: 'station.synced',
    pillar: 'identity',
    description: 'An offline station synchronised its check-ins with the registry.',
  },
  {
    id: 'vigil-0212',
    type: 'incident.raised',
    pillar: 'identity',
    description:
      'An operational incident was raised (a voter checked in at two disconnected stations); the subjects are its id and the check-ins involved.',
  },
  {
    id: 'vigil-0213',
    type: 'checkin.refused',
    pillar: 'identity',
    description:
      'A check-in was refused before any match (not eligible here: wrong polling place, inactive, removed or blocked record).',
  },
  {
    id: 'vigil-0214',
    type: 'checkin.provisional',
    pillar: 'identity',
    description:
      'A person not found on the roll was given a provisional ballot; the subject is its envelope id.',
  },
  // Ballots.
  {
    id: 'vigil-0300',
    type: 'keyceremony.completed',
    pillar: 'ballots',
    description: "The guardians' key ceremony produced the joint election public key.",
  },
  { id: 'vigil-0301', type: 'polls.opened', pillar: 'ballots', description: 'Polls were opened.' },
  { id: 'vigil-0302', type: 'polls.closed', pillar: 'ballots', description: 'Polls were closed.' },
  {
    id: 'vigil-0303',
    type: 'ballot.cast',
    pillar: 'ballots',
    description: 'An encrypted ballot was cast; the subject is its confirmation code.',
  },
  {
    id: 'vigil-0304',
    type: 'ballot.challenged',
    pillar: 'ballots',
    description: 'An encrypted ballot was challenged and spoiled for decryption.',
  },
  {
    id: 'vigil-0305',
    type: 'credential.rejected',
    pillar: 'ballots',
    description: 'A ballot credential was refused as invalid or already used.',
  },
  {
    id: 'vigil-0306',
    type: 'tally.accumulated',
    pillar: 'ballots',
    description: 'The encrypted tally was accumulated homomorphically.',
  },
  {
    id: 'vigil-0307',
    type: 'guardian.share.submitted',
    pillar: 'ballots',
    description: 'A guardian submitted a decryption share.',
  },
  {
    id: 'vigil-0308',
    type: 'tally.decrypted',
    pillar: 'ballots',
    description: 'A quorum of guardians decrypted the tally.',
  },
  {
    id: 'vigil-0309',
    type: 'record.published',
    pillar: 'ballots',
    description: 'The election record was published; the subject is its hash.',
  },
  {
    id: 'vigil-0310',
    type: 'record.verified',
    pillar: 'ballots',
    description: 'An independent verifier checked the election record (failure: a check failed).',
  },
  {
    id: 'vigil-0311',
    type: 'results.exported',
    pillar: 'ballots',
    description: 'Results were exported as NIST SP 1500-100.',
  },
  {
    id: 'vigil-0312',
    type: 'cvrs.exported',
    pillar: 'ballots',
    description: 'Cast vote records were exported as NIST SP 1500-103.',
  },
  {
    id: 'vigil-0313',
    type: 'audit.started',
    pillar: 'ballots',
    description: 'A risk-limiting audit was started with its seed and risk limit.',
  },
  {
    id: 'vigil-0314',
    type: 'audit.sample.drawn',
    pillar: 'ballots',
    description: 'Ballots were sampled for a risk-limiting audit.',
  },
  {
    id: 'vigil-0315',
    type: 'audit.ballot.compared',
    pillar: 'ballots',
    description: 'A sampled paper ballot was compared with its record (failure: a discrepancy).',
  },
  {
    id: 'vigil-0316',
    type: 'audit.completed',
    pillar: 'ballots',
    description: 'A risk-limiting audit ended (failure: escalated to a full hand count).',
  },
  {
    id: 'vigil-0317',
    type: 'credential.spent',
    pillar: 'ballots',
    description:
      'A ballot credential was verified and spent; the time is the day only and no token is named, so it cannot be joined to a check-in.',
  },
  // Intelligence.
  {
    id: 'vigil-0400',
    type: 'intel.object.ingested',
    pillar: 'intelligence',
    description: 'A STIX object entered the hub; the subject is its id.',
  },
  {
    id: 'vigil-0401',
    type: 'intel.object.shared',
    pillar: 'intelligence',
    description: 'A STIX object was released to a sharing group.',
  },
  {
    id: 'vigil-0402',
    type: 'intel.access.refused',
    pillar: 'intelligence',
    description: 'Access to a STIX object was refused under its TLP marking.',
  },
  {
    id: 'vigil-0403',
    type: 'intel.sighting.recorded',
    pillar: 'intelligence',
    description: 'A sighting of an indicator was recorded.',
  },
  {
    id: 'vigil-0404',
    type: 'intel.alert.sent',
    pillar: 'intelligence',
    description: 'An alert was sent to the officials of a jurisdiction.',
  },
  {
    id: 'vigil-0405',
    type: 'intel.detector.triggered',
    pillar: 'intelligence',
    description: "An anomaly detector flagged the election's own operations.",
  },
  {
    id: 'vigil-0406',
    type: 'intel.group.changed',
    pillar: 'intelligence',
    description: 'A sharing group or its membership changed.',
  },
  {
    id: 'vigil-0407',
    type: 'intel.object.read',
    pillar: 'intelligence',
    description:
      'A TLP:AMBER+STRICT or TLP:RED object was read; the subjects are its id and the reader.',
  },
  {
    id: 'vigil-0408',
    type: 'intel.object.deleted',
    pillar: 'intelligence',
    description: 'A version of a STIX object was deleted from a collection.',
  },
] as const satisfies readonly EventTypeInfo[];

export type EventId = (typeof EVENT_CATALOGUE)[number]['id'];
export type EventType = (typeof EVENT_CATALOGUE)[number]['type'];

const byId: ReadonlyMap<string, EventTypeInfo> = new Map(EVENT_CATALOGUE.map((e) => [e.id, e]));
const byType: ReadonlyMap<string, EventTypeInfo> = new Map(EVENT_CATALOGUE.map((e) => [e.type, e]));

/** The catalogue entry for an event id, or undefined for an id this version does not know. */
export function eventById(id: string): EventTypeInfo | undefined {
  return byId.get(id);
}

/** The event id for a type name, e.g. `eventIdOf('ballot.cast')` is `'vigil-0303'`. */
export function eventIdOf(type: EventType): EventId {
  return byType.get(type)!.id as EventId;
}

export function isEventId(id: string): id is EventId {
  return byId.has(id);
}
