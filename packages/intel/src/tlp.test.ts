import { describe, expect, it } from 'vitest';
import {
  canRead,
  communityOf,
  tlpOf,
  TLP_MARKING_IDS,
  type OrgRelations,
  type Tlp,
} from './tlp.ts';

/**
 * A federal agency, a state with two counties (their sharing group), another state,
 * and a partner country in a joint unit with the federal agency.
 */
const relations: OrgRelations = {
  organisations: [
    { id: 'cisa', kind: 'federal' },
    { id: 'ohio', kind: 'state' },
    { id: 'franklin', kind: 'county', parentId: 'ohio' },
    { id: 'hamilton', kind: 'county', parentId: 'ohio' },
    { id: 'texas', kind: 'state' },
    { id: 'cccs', kind: 'partner' },
  ],
  groups: [
    { id: 'ohio-counties', members: ['ohio', 'franklin', 'hamilton'] },
    { id: 'joint-unit', members: ['cisa', 'cccs'] },
  ],
};

const readers = {
  poster: { orgId: 'ohio', userId: 'ohio-analyst' },
  colleague: { orgId: 'ohio', userId: 'ohio-clerk' },
  county: { orgId: 'franklin', userId: 'franklin-clerk' },
  namedCounty: { orgId: 'hamilton', userId: 'hamilton-clerk' },
  federal: { orgId: 'cisa', userId: 'cisa-analyst' },
  otherState: { orgId: 'texas', userId: 'texas-analyst' },
  partner: { orgId: 'cccs', userId: 'cccs-analyst' },
};

// Ohio posts, naming Hamilton county (AMBER) and the Hamilton clerk (RED).
const expected: Record<Tlp, (keyof typeof readers)[]> = {
  clear: ['poster', 'colleague', 'county', 'namedCounty', 'federal', 'otherState', 'partner'],
  green: ['poster', 'colleague', 'county', 'namedCounty'],
  amber: ['poster', 'colleague', 'namedCounty'],
  'amber+strict': ['poster', 'colleague'],
  red: ['poster', 'namedCounty'],
};

describe('canRead (TLP 2.0)', () => {
  it.each(Object.keys(expected) as Tlp[])('%s reaches exactly the readers it should', (tlp) => {
    const object = {
      tlp,
      ownerOrgId: 'ohio',
      ownerUserId: 'ohio-analyst',
      recipients: ['hamilton', 'hamilton-clerk'],
    };
    const allowed = Object.entries(readers)
      .filter(([, r]) => canRead(object, r, relations))
      .map(([k]) => k);
    expect(allowed).toEqual(expected[tlp]);
  });

  it('AMBER shared with a sharing group reaches its members', () => {
    const object = {
      tlp: 'amber' as const,
      ownerOrgId: 'cisa',
      ownerUserId: 'x',
      recipients: ['joint-unit'],
    };
    expect(canRead(object, readers.partner, relations)).toBe(true);
    expect(canRead(object, readers.poster, relations)).toBe(false);
  });

  it('GREEN from the federal agency reaches the joint unit, not the states', () => {
    expect([...communityOf('cisa', relations)].sort()).toEqual(['cccs', 'cisa']);
  });

  it('tlpOf takes the strictest TLP marking, else the fallback', () => {
    expect(tlpOf({}, 'amber')).toBe('amber');
    expect(
      tlpOf({ object_marking_refs: [TLP_MARKING_IDS.green, TLP_MARKING_IDS.red] }, 'clear'),
    ).toBe('red');
    // TLP 1.0 WHITE is TLP 2.0 CLEAR.
    expect(
      tlpOf(
        { object_marking_refs: ['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9'] },
        'red',
      ),
    ).toBe('clear');
  });
});
