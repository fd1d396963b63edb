import { describe, expect, it } from 'vitest';
import { subscriptionCovers, targetedJurisdictions } from './alerts.ts';
import { jurisdictionIdentity, sightingFromIncident, uuidV5 } from './sightings.ts';

const incident = {
  incidentId: 'burst-17',
  kind: 'failed-match-burst' as const,
  jurisdiction: 'franklin',
  jurisdictionName: 'Franklin County',
  stationId: 'station-2',
  count: 9,
  firstSeen: '2026-11-03T14:00:00.000Z',
  lastSeen: '2026-11-03T14:09:00.000Z',
};

describe('sightings from operations', () => {
  it('makes deterministic RFC 9562 version-5 ids', () => {
    const id = uuidV5('x');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5('x')).toBe(id);
    expect(uuidV5('y')).not.toBe(id);
  });

  it('turns an incident into a sighting of the standing indicator where it happened', () => {
    const [indicator, where, sighting] = sightingFromIncident(incident);
    expect(sighting).toMatchObject({
      type: 'sighting',
      sighting_of_ref: indicator?.id,
      where_sighted_refs: [where?.id],
      count: 9,
      x_vigil_recipients: ['franklin'],
    });
    expect(sightingFromIncident(incident)[2]?.id).toBe(sighting?.id);
  });
});

describe('alerts by jurisdiction', () => {
  const county = jurisdictionIdentity('franklin', 'Franklin County');
  it('finds targets relationships and sightings that point at a jurisdiction', () => {
    const targets = {
      type: 'relationship',
      id: 'relationship--1',
      relationship_type: 'targets',
      source_ref: 'campaign--1',
      target_ref: county.id,
    };
    const uses = { ...targets, id: 'relationship--2', relationship_type: 'uses' };
    const [, , sighting] = sightingFromIncident(incident);
    expect(
      targetedJurisdictions([targets, uses], (id) => (id === county.id ? county : undefined)),
    ).toEqual([{ objectId: 'campaign--1', viaId: 'relationship--1', jurisdiction: 'franklin' }]);
    expect(targetedJurisdictions([county, sighting ?? {}], () => undefined)).toEqual([
      { objectId: sighting?.id, viaId: sighting?.id, jurisdiction: 'franklin' },
    ]);
  });

  it('a state subscription covers its counties, not the other way round', () => {
    const parent = (id: string) => (id === 'franklin' ? 'ohio' : undefined);
    expect(subscriptionCovers('ohio', 'franklin', parent)).toBe(true);
    expect(subscriptionCovers('franklin', 'ohio', parent)).toBe(false);
    expect(subscriptionCovers('texas', 'franklin', parent)).toBe(false);
  });
});

describe('tearLine', () => {
  it('makes a releasable copy at a lower TLP and a link at the original TLP', async () => {
    const { tearLine } = await import('./tearline.ts');
    const { TLP_MARKING_IDS } = await import('./tlp.ts');
    const original = {
      type: 'report',
      id: 'report--1',
      description: 'sources and methods',
      name: 'r',
      object_marking_refs: [TLP_MARKING_IDS.red],
    };
    const { releasable, link } = tearLine(original, {
      tlp: 'green',
      remove: ['description'],
      now: new Date(0),
    });
    expect(releasable).not.toHaveProperty('description');
    expect(releasable.object_marking_refs).toEqual([TLP_MARKING_IDS.green]);
    expect(link).toMatchObject({
      relationship_type: 'derived-from',
      target_ref: 'report--1',
      object_marking_refs: [TLP_MARKING_IDS.red],
    });
    expect(() => tearLine(original, { tlp: 'red', remove: [], now: new Date(0) })).toThrow(
      /lower TLP/,
    );
  });
});
