import { chmod, writeFile } from 'node:fs/promises';
import { unwrap, type Clock } from '@vigil/core';
import type { OfficialRole, Store } from '@vigil/store';
import { createOfficial, knownPollingPlaces, registerStation, type Actor } from './accounts.ts';
import { STATION_TOKEN_HEADER } from './policy.ts';

/** The file, in the data folder, that holds the demo's generated credentials. */
export const DEMO_CREDENTIALS_FILE = 'demo-credentials.txt';

const DEMO_OFFICIALS: readonly {
  officialId: string;
  displayName: string;
  role: OfficialRole;
  atStation: boolean;
}[] = [
  {
    officialId: 'demo-poll-worker',
    displayName: 'Demo poll worker',
    role: 'poll_worker',
    atStation: true,
  },
  {
    officialId: 'demo-supervisor',
    displayName: 'Demo supervisor',
    role: 'supervisor',
    atStation: true,
  },
  {
    officialId: 'demo-registrar',
    displayName: 'Demo registrar',
    role: 'registrar',
    atStation: false,
  },
  {
    officialId: 'demo-administrator',
    displayName: 'Demo administrator',
    role: 'administrator',
    atStation: false,
  },
  // The three guardians of the demo's key ceremony (quorum 2), each to sign in on their own.
  ...[1, 2, 3].map((n) => ({
    officialId: `demo-guardian-${n}`,
    displayName: `Demo guardian ${n}`,
    role: 'guardian' as const,
    atStation: false,
  })),
];

/** The demo's voting booth: a station like any other, whose token alone opens booth sessions. */
export const DEMO_BOOTH_ID = 'demo-booth-1';

export interface DemoCredentials {
  readonly file: string;
  readonly stationId: string;
  readonly pollingPlace: string;
  readonly officialIds: readonly string[];
}

/**
 * For a fresh demo store (no officials, no stations): one official of each role and one
 * station at the first polling place of the loaded election, with random passwords and a
 * random station token written to `file` (mode 0600), since no password may live in the
 * repository. Returns undefined, changing nothing, when the store already has officials
 * or stations.
 */
export async function createDemoCredentials(
  store: Store,
  options: { readonly file: string; readonly clock: Clock },
): Promise<DemoCredentials | undefined> {
  if ((await store.listOfficials()).length > 0 || (await store.listStations()).length > 0) {
    return undefined;
  }
  const pollingPlace = [...(await knownPollingPlaces(store))].sort()[0];
  if (pollingPlace === undefined) {
    throw new Error('demo credentials need a loaded election with at least one precinct');
  }
  const actor: Actor = { actorId: 'system', stationId: 'vigil-server', now: options.clock.now() };
  const stationId = 'demo-station-1';
  const { token } = unwrap(await registerStation(store, { stationId, pollingPlace }, actor));
  const booth = unwrap(
    await registerStation(store, { stationId: DEMO_BOOTH_ID, pollingPlace }, actor),
  );
  const lines = [
    `# Vigil demo credentials, made ${actor.now.toISOString()} for a fresh data folder.`,
    '# Every password and token here is random and shown only here. Delete this file, or',
    '# disable the accounts (vigil officials disable <id>), before real use.',
    '#',
    '# Sign in: POST /api/auth/login with {"officialId": "…", "password": "…"}; poll',
    `# workers and supervisors also send the station's token in the ${STATION_TOKEN_HEADER} header.`,
    '',
    `station ${stationId} (polling place ${pollingPlace})`,
    `  token: ${token}`,
    '',
    `station ${DEMO_BOOTH_ID} (polling place ${pollingPlace}) voting booth`,
    `  token: ${booth.token}`,
  ];
  for (const demo of DEMO_OFFICIALS) {
    const { password } = unwrap(
      await createOfficial(
        store,
        {
          officialId: demo.officialId,
          displayName: demo.displayName,
          role: demo.role,
          pollingPlaces: demo.atStation ? [pollingPlace] : [],
        },
        actor,
      ),
    );
    lines.push(
      '',
      `official ${demo.officialId} (${demo.role}${demo.atStation ? ` at ${pollingPlace}` : ''})`,
      `  password: ${password}`,
    );
  }
  await writeFile(options.file, `${lines.join('\n')}\n`, { mode: 0o600 });
  // The mode applies only when the file is created; a file left from before is tightened.
  await chmod(options.file, 0o600);
  return {
    file: options.file,
    stationId,
    pollingPlace,
    officialIds: DEMO_OFFICIALS.map((d) => d.officialId),
  };
}
