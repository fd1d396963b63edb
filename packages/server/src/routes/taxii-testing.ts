import { eventIdOf, type LedgerEntry } from '@vigil/ledger';
import type { Store } from '@vigil/store';
import { TLP_MARKING_IDS, type Tlp } from '@vigil/intel';
import { newBearerToken } from './taxii-auth.ts';

/**
 * Test support for the TAXII routes: a small hub (a federal agency, Ohio with two
 * counties in a sharing group, Texas, and a partner country in a joint unit with the
 * federal agency), one person per organisation with a bearer token, and STIX objects.
 */

const entry = (subject: string): LedgerEntry => ({
  eventId: eventIdOf('intel.group.changed'),
  actorId: 'test',
  stationId: 'test',
  time: '2026-11-01T00:00:00.000Z',
  disposition: 'success',
  subjects: [subject],
});

export const READERS = {
  poster: { orgId: 'ohio', userId: 'ohio-analyst' },
  colleague: { orgId: 'ohio', userId: 'ohio-clerk' },
  county: { orgId: 'franklin', userId: 'franklin-clerk' },
  namedCounty: { orgId: 'hamilton', userId: 'hamilton-clerk' },
  federal: { orgId: 'cisa', userId: 'cisa-analyst' },
  otherState: { orgId: 'texas', userId: 'texas-analyst' },
  partner: { orgId: 'cccs', userId: 'cccs-analyst' },
  outsider: { orgId: 'nowhere', userId: 'nowhere-user' },
} as const;
export type ReaderName = keyof typeof READERS;

/** Seeds the hub; returns each reader's bearer token. */
export async function seedHub(store: Store): Promise<Record<ReaderName, string>> {
  const orgs = [
    { orgId: 'cisa', name: 'Federal agency', kind: 'federal' as const },
    { orgId: 'ohio', name: 'Ohio Secretary of State', kind: 'state' as const },
    { orgId: 'franklin', name: 'Franklin County', kind: 'county' as const, parentId: 'ohio' },
    { orgId: 'hamilton', name: 'Hamilton County', kind: 'county' as const, parentId: 'ohio' },
    { orgId: 'texas', name: 'Texas Secretary of State', kind: 'state' as const },
    { orgId: 'cccs', name: 'Partner cyber centre', kind: 'partner' as const },
    { orgId: 'nowhere', name: 'No rights', kind: 'state' as const },
  ];
  for (const o of orgs) await store.addIntelOrganisation(o, entry(`org:${o.orgId}`));
  await store.addIntelGroup(
    {
      groupId: 'ohio-counties',
      name: 'Ohio and its counties',
      members: ['ohio', 'franklin', 'hamilton'],
    },
    entry('group:ohio-counties'),
  );
  await store.addIntelGroup(
    { groupId: 'joint-unit', name: 'Joint cyber unit', members: ['cisa', 'cccs'] },
    entry('group:joint-unit'),
  );
  const tokens = {} as Record<ReaderName, string>;
  for (const [name, r] of Object.entries(READERS) as [ReaderName, (typeof READERS)[ReaderName]][]) {
    const { token, tokenHash } = newBearerToken();
    tokens[name] = token;
    await store.addIntelUser(
      { userId: r.userId, orgId: r.orgId, name, tokenHash },
      entry(`user:${r.userId}`),
    );
  }
  const everyone = orgs.filter((o) => o.orgId !== 'nowhere').map((o) => o.orgId);
  await store.addIntelCollection(
    {
      collectionId: 'election-threats',
      title: 'Election threats',
      description: 'Indicators and reports about interference',
      defaultTlp: 'amber',
      rights: everyone.map((orgId) => ({
        orgId,
        canRead: true,
        canWrite: orgId === 'ohio' || orgId === 'cisa',
      })),
    },
    entry('collection:election-threats'),
  );
  await store.addIntelCollection(
    {
      collectionId: 'federal-only',
      title: 'Federal only',
      description: '',
      defaultTlp: 'amber',
      rights: [{ orgId: 'cisa', canRead: true, canWrite: true }],
    },
    entry('collection:federal-only'),
  );
  return tokens;
}

let counter = 0;

/** An indicator with a fresh id (or `id`), at version `modified`. */
export function indicator(
  options: {
    id?: string;
    modified?: string;
    tlp?: Tlp;
    recipients?: string[];
    pattern?: string;
  } = {},
): Record<string, unknown> {
  counter += 1;
  const id =
    options.id ?? `indicator--00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
  return {
    type: 'indicator',
    spec_version: '2.1',
    id,
    created: '2026-10-01T00:00:00.000Z',
    modified: options.modified ?? '2026-10-01T00:00:00.000Z',
    name: `Indicator ${String(counter)}`,
    pattern: options.pattern ?? `[domain-name:value = 'bad-${String(counter)}.example']`,
    pattern_type: 'stix',
    valid_from: '2026-10-01T00:00:00Z',
    ...(options.tlp === undefined ? {} : { object_marking_refs: [TLP_MARKING_IDS[options.tlp]] }),
    ...(options.recipients === undefined ? {} : { x_vigil_recipients: options.recipients }),
  };
}
