import { createHash } from 'node:crypto';

/**
 * Sightings from operations (issue 10, point 6): incidents raised by the election's own
 * systems become STIX 2.1 sightings (§5.2) of the hub's standing indicators, so that
 * they travel through TAXII like any other intelligence. Ids are UUIDv5 (RFC 9562 §5.5,
 * as STIX 2.1 §2.9 recommends for deterministic ids): the same incident always gives the
 * same sighting, so reporting it twice stores it once.
 */

/** The namespace of Vigil's deterministic STIX ids (a fixed random UUID). */
const VIGIL_NAMESPACE = '8d1e3c4a-6f0b-4e7a-9a51-2c7d0e9b6f13';

/** A UUIDv5 of `name` in Vigil's namespace. */
export function uuidV5(name: string): string {
  const ns = Buffer.from(VIGIL_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The kinds of incident the election's systems raise. */
export type OperationalIncidentKind = 'double-check-in' | 'failed-match-burst';

export interface OperationalIncident {
  /** The incident's own id in the raising system (makes the sighting's id). */
  readonly incidentId: string;
  readonly kind: OperationalIncidentKind;
  /** The jurisdiction (organisation id) where it happened, e.g. a county. */
  readonly jurisdiction: string;
  readonly jurisdictionName: string;
  readonly stationId: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Organisations besides the jurisdiction that may read it (TLP:AMBER recipients). */
  readonly shareWith?: readonly string[];
}

const CREATED = '2026-01-01T00:00:00.000Z';

/** The hub's standing indicators, one per kind of operational incident. */
export function standingIndicator(kind: OperationalIncidentKind): Record<string, unknown> {
  const common = {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${uuidV5(`standing-indicator:${kind}`)}`,
    created: CREATED,
    modified: CREATED,
    indicator_types: ['anomalous-activity'],
    pattern_type: 'stix',
    valid_from: CREATED,
    object_marking_refs: ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'],
  };
  switch (kind) {
    case 'double-check-in':
      return {
        ...common,
        name: 'Voter checked in twice',
        description: 'The same voter was checked in at two stations; found when stations synced.',
        pattern: "[x-vigil-checkin:outcome = 'duplicate']",
      };
    case 'failed-match-burst':
      return {
        ...common,
        name: 'Burst of failed biometric matches at one station',
        description: 'Many failed 1:1 matches at one station in a short time.',
        pattern: "[x-vigil-match:outcome = 'failed'] REPEATS 5 TIMES WITHIN 600 SECONDS",
      };
  }
}

/** The identity standing for a jurisdiction, linked to its organisation in the hub. */
export function jurisdictionIdentity(orgId: string, name: string): Record<string, unknown> {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: `identity--${uuidV5(`jurisdiction:${orgId}`)}`,
    created: CREATED,
    modified: CREATED,
    name,
    identity_class: 'organization',
    sectors: ['government'],
    x_vigil_jurisdiction: orgId,
  };
}

/**
 * The STIX objects for one incident: the standing indicator, the jurisdiction's
 * identity, and the sighting (TLP:AMBER; the jurisdiction is where it was sighted).
 */
export function sightingFromIncident(incident: OperationalIncident): Record<string, unknown>[] {
  const indicator = standingIndicator(incident.kind);
  const where = jurisdictionIdentity(incident.jurisdiction, incident.jurisdictionName);
  const sighting = {
    type: 'sighting',
    spec_version: '2.1',
    id: `sighting--${uuidV5(`incident:${incident.incidentId}`)}`,
    created: incident.lastSeen,
    modified: incident.lastSeen,
    sighting_of_ref: indicator.id,
    count: incident.count,
    first_seen: incident.firstSeen,
    last_seen: incident.lastSeen,
    where_sighted_refs: [where.id],
    description: `${String(indicator.name)} at station ${incident.stationId}`,
    object_marking_refs: ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
    x_vigil_recipients: [incident.jurisdiction, ...(incident.shareWith ?? [])],
  };
  return [indicator, where, sighting];
}
