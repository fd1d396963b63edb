import { appendFile } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import { systemClock, unwrap, type Clock } from '@vigil/core';
import { defaultStixValidator, TLP_MARKING_IDS, uuidV5, type StixValidator } from '@vigil/intel';
import { eventIdOf, type LedgerEntry } from '@vigil/ledger';
import type { IntelOrgKind, Store } from '@vigil/store';
import { generatePassword, hashPassword, newBearerToken } from '../auth/secrets.ts';
import { ingestStixObjects } from '../routes/taxii-ingest.ts';
import { recordOperationalSighting } from '../routes/taxii-sightings.ts';

/**
 * The demo's intelligence hub, seeded with the demo election at `npm start`: a federal
 * agency, the state, two of its counties (the sample election's county among them), and
 * a partner country's cyber centre in a joint unit with the federal agency; one person
 * of each with a random password (appended to the demo credentials file, never in the
 * repository); who follows which jurisdiction's alerts; two collections; and a few
 * objects, among them a sighting raised by operations, so every console screen has
 * something to show.
 *
 * Alerts then reach the officials concerned: the county clerks follow their county,
 * the state's analyst and the second county's clerk follow the whole state, so a
 * TLP:AMBER report naming one county alerts that county's clerk and the state's
 * analyst (its poster's organisation) and nobody else.
 */

interface DemoOrg {
  readonly orgId: string;
  readonly name: string;
  readonly kind: IntelOrgKind;
  readonly parentId?: string;
}

const ORGS: readonly DemoOrg[] = [
  { orgId: 'federal-agency', name: 'Federal Election Security Agency', kind: 'federal' },
  { orgId: 'ohio', name: 'Ohio Secretary of State', kind: 'state' },
  {
    orgId: 'franklin',
    name: 'Franklin County Board of Elections',
    kind: 'county',
    parentId: 'ohio',
  },
  {
    orgId: 'hamilton',
    name: 'Hamilton County Board of Elections',
    kind: 'county',
    parentId: 'ohio',
  },
  { orgId: 'partner-cyber', name: 'Partner Country Cyber Centre', kind: 'partner' },
];

const GROUPS = [
  {
    groupId: 'ohio-counties',
    name: 'Ohio and its counties',
    members: ['ohio', 'franklin', 'hamilton'],
  },
  {
    groupId: 'joint-unit',
    name: 'Joint election-security unit (two countries)',
    members: ['federal-agency', 'partner-cyber'],
  },
];

/** The demo's people, each with the jurisdictions whose alerts they follow. */
export const DEMO_INTEL_USERS: readonly {
  readonly userId: string;
  readonly name: string;
  readonly orgId: string;
  readonly follows: readonly string[];
}[] = [
  { userId: 'fed-analyst', name: 'Federal analyst', orgId: 'federal-agency', follows: ['ohio'] },
  { userId: 'ohio-analyst', name: 'State analyst', orgId: 'ohio', follows: ['ohio'] },
  {
    userId: 'franklin-clerk',
    name: 'Franklin County clerk',
    orgId: 'franklin',
    follows: ['franklin'],
  },
  { userId: 'hamilton-clerk', name: 'Hamilton County clerk', orgId: 'hamilton', follows: ['ohio'] },
  { userId: 'partner-analyst', name: 'Partner analyst', orgId: 'partner-cyber', follows: [] },
];

export const DEMO_THREATS_COLLECTION = 'election-threats';
export const DEMO_OPERATIONS_COLLECTION = 'operations';

export interface DemoIntel {
  readonly userIds: readonly string[];
  /** Why the demo objects were not stored (the STIX schemas are missing), if they were not. */
  readonly objectsSkipped?: string;
}

/**
 * Seeds the demo hub in a fresh store and appends the sign-ins to `file` (the demo
 * credentials file, already written by `createDemoCredentials`). Returns undefined,
 * changing nothing, when the store already has intelligence organisations.
 */
export async function seedDemoIntel(
  store: Store,
  options: { readonly file: string; readonly clock: Clock; readonly validator?: StixValidator },
): Promise<DemoIntel | undefined> {
  if ((await store.listIntelOrganisations()).length > 0) return undefined;
  const now = options.clock.now();
  const entry = (subject: string, detail: string): LedgerEntry => ({
    eventId: eventIdOf('intel.group.changed'),
    actorId: 'system',
    stationId: 'vigil-server',
    time: now.toISOString(),
    disposition: 'success',
    subjects: [subject],
    detail,
  });
  for (const org of ORGS) {
    unwrap(await store.addIntelOrganisation(org, entry(`org:${org.orgId}`, 'demo organisation')));
  }
  for (const group of GROUPS) {
    unwrap(await store.addIntelGroup(group, entry(`group:${group.groupId}`, 'demo sharing group')));
  }
  // scrypt is the slow part: hash the passwords side by side.
  const people = await Promise.all(
    DEMO_INTEL_USERS.map(async (u) => {
      const password = generatePassword();
      const { token, tokenHash } = newBearerToken();
      return { ...u, password, token, tokenHash, passwordHash: await hashPassword(password) };
    }),
  );
  const lines: string[] = [];
  for (const p of people) {
    unwrap(
      await store.addIntelUser(
        {
          userId: p.userId,
          orgId: p.orgId,
          name: p.name,
          tokenHash: p.tokenHash,
          passwordHash: p.passwordHash,
        },
        entry(`user:${p.userId}`, `demo person of ${p.orgId}`),
      ),
    );
    for (const jurisdiction of p.follows) await store.subscribeIntel(p.userId, jurisdiction);
    const org = ORGS.find((o) => o.orgId === p.orgId);
    lines.push('', `intel user ${p.userId} (${org?.name ?? p.orgId})`, `  password: ${p.password}`);
    lines.push(`  token: ${p.token}`);
  }
  const everyone = ORGS.map((o) => o.orgId);
  unwrap(
    await store.addIntelCollection(
      {
        collectionId: DEMO_THREATS_COLLECTION,
        title: 'Election threats',
        description: 'Indicators and reports about interference with the election.',
        defaultTlp: 'amber',
        rights: everyone.map((orgId) => ({ orgId, canRead: true, canWrite: true })),
      },
      entry(`collection:${DEMO_THREATS_COLLECTION}`, 'demo collection'),
    ),
  );
  unwrap(
    await store.addIntelCollection(
      {
        collectionId: DEMO_OPERATIONS_COLLECTION,
        title: 'Sightings from operations',
        description: "Incidents raised by the election's own systems, as STIX sightings.",
        defaultTlp: 'amber',
        rights: everyone.map((orgId) => ({ orgId, canRead: true, canWrite: false })),
      },
      entry(`collection:${DEMO_OPERATIONS_COLLECTION}`, 'demo collection'),
    ),
  );
  await appendFile(
    options.file,
    [
      '',
      '# Intelligence console (/intelligence, or TAXII 2.1 at /taxii2/ with HTTP Basic or',
      '# the bearer token): one person of each organisation of the demo hub.',
      ...lines,
    ].join('\n') + '\n',
  );

  let validator: StixValidator;
  try {
    validator = options.validator ?? defaultStixValidator();
  } catch (error) {
    return {
      userIds: people.map((p) => p.userId),
      objectsSkipped: error instanceof Error ? error.message : String(error),
    };
  }
  await seedObjects(store, now, validator);
  return { userIds: people.map((p) => p.userId) };
}

/** A CLEAR indicator from the federal agency, a GREEN report of the state, and a sighting. */
async function seedObjects(store: Store, now: Date, validator: StixValidator): Promise<void> {
  const collection = await store.getIntelCollection(DEMO_THREATS_COLLECTION);
  if (collection === undefined) throw new Error('the demo threats collection is missing');
  const created = new Date(now.getTime() - 3_600_000).toISOString();
  const indicator = {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${uuidV5('demo:indicator:polling-place-phish')}`,
    created,
    modified: created,
    name: 'Phishing domain impersonating the county board of elections',
    description: 'Text messages send voters to this domain to "confirm" a changed polling place.',
    indicator_types: ['malicious-activity'],
    pattern: "[domain-name:value = 'franklin-vote-update.example']",
    pattern_type: 'stix',
    valid_from: created,
    object_marking_refs: [TLP_MARKING_IDS.clear],
  };
  const report = {
    type: 'report',
    spec_version: '2.1',
    id: `report--${uuidV5('demo:report:robocalls')}`,
    created,
    modified: created,
    name: 'Robocalls giving the wrong election date',
    description: 'Calls to voters in two counties announce the election for the day after.',
    report_types: ['threat-report'],
    published: created,
    object_refs: [indicator.id],
    object_marking_refs: [TLP_MARKING_IDS.green],
  };
  await ingestStixObjects(store, {
    collection: { ...collection },
    user: { userId: 'fed-analyst', orgId: 'federal-agency' },
    objects: [indicator],
    now,
    validator,
    stationId: 'vigil-server',
  });
  await ingestStixObjects(store, {
    collection,
    user: { userId: 'ohio-analyst', orgId: 'ohio' },
    objects: [report],
    now,
    validator,
    stationId: 'vigil-server',
  });
  const franklin = ORGS.find((o) => o.orgId === 'franklin');
  await recordOperationalSighting(store, {
    collectionId: DEMO_OPERATIONS_COLLECTION,
    incident: {
      incidentId: 'demo-failed-match-burst-1',
      kind: 'failed-match-burst',
      jurisdiction: 'franklin',
      jurisdictionName: franklin?.name ?? 'franklin',
      stationId: 'demo-station-1',
      count: 6,
      firstSeen: new Date(now.getTime() - 1_800_000).toISOString(),
      lastSeen: new Date(now.getTime() - 1_200_000).toISOString(),
      shareWith: ['ohio'],
    },
    now,
  });
}

/**
 * `seedDemoIntel` for `startServer`, with systemClock, logging what it did. A failure
 * is logged and does not stop the server: the demo election works without the hub.
 */
export async function seedDemoIntelLogged(
  store: Store,
  file: string,
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>,
): Promise<void> {
  try {
    const seeded = await seedDemoIntel(store, { file, clock: systemClock });
    if (seeded === undefined) return;
    log.info(
      { event: 'demo-intel-created', users: seeded.userIds, file },
      `demo intelligence hub created; its people's sign-ins are in ${file}`,
    );
    if (seeded.objectsSkipped !== undefined) {
      log.warn(
        { event: 'demo-intel-objects-skipped', reason: seeded.objectsSkipped },
        'the demo intelligence objects were not stored',
      );
    }
  } catch (error) {
    log.error(
      { event: 'demo-intel-failed', err: error },
      'the demo intelligence hub was not created',
    );
  }
}
