/**
 * Test and benchmark support for check-in (not exported from the package): the sample
 * election, an in-memory roll, synthetic fingerprints, and officials and stations.
 * Fingerprints are made as the extractor makes them (integer positions, directions in
 * radians); an "impression" of a finger is the same minutiae moved rigidly with a few
 * pixels of noise, as a second touch on the sensor gives.
 */
import {
  fixedClock,
  loadSampleElection,
  parseElectionDefinition,
  seededRandom,
  type Election,
} from '@vigil/core';
import { MinutiaKind, type FingerprintTemplate } from '@vigil/biometrics';
import type { Store } from '@vigil/store';
import type {
  AuthenticatedOfficial,
  CheckInDeps,
  StationContext,
  VoterDirectory,
} from './checkin.ts';
import type { DuplicateSearch } from './dedup.ts';
import { enrolVoter } from './enrolment.ts';
import type { Keyring } from './keys.ts';
import { importRoll, type RollField, type RollRow } from './roll.ts';
import type { FingerPosition, Voter } from './types.ts';

export function sampleElection(): Election {
  const parsed = parseElectionDefinition(loadSampleElection());
  if (!parsed.ok) throw new Error('the sample election does not parse');
  return parsed.value.election;
}

/** A synthetic finger: `count` minutiae spread over a 400 x 400 px print. */
export function syntheticFinger(seed: number, count = 40): FingerprintTemplate {
  const rnd = seededRandom(seed);
  return {
    width: 400,
    height: 400,
    quality: 70,
    x: Float32Array.from({ length: count }, () => Math.round(20 + rnd() * 360)),
    y: Float32Array.from({ length: count }, () => Math.round(20 + rnd() * 360)),
    direction: Float32Array.from({ length: count }, () => rnd() * 2 * Math.PI),
    kind: Uint8Array.from({ length: count }, () =>
      rnd() < 0.5 ? MinutiaKind.Ending : MinutiaKind.Bifurcation,
    ),
    reliability: Float32Array.from({ length: count }, () => 0.5 + rnd() / 2),
  };
}

/** Another touch of the same finger: rotated, shifted, and 2 px of noise. */
export function impression(finger: FingerprintTemplate, seed: number): FingerprintTemplate {
  const rnd = seededRandom(seed);
  const angle = (rnd() - 0.5) * 0.6;
  const dx = (rnd() - 0.5) * 40;
  const dy = (rnd() - 0.5) * 40;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const n = finger.x.length;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const direction = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = Math.round(c * finger.x[i]! - s * finger.y[i]! + dx + (rnd() - 0.5) * 4);
    y[i] = Math.round(s * finger.x[i]! + c * finger.y[i]! + dy + (rnd() - 0.5) * 4);
    direction[i] = (finger.direction[i]! + angle + 2 * Math.PI) % (2 * Math.PI);
  }
  return { ...finger, x, y, direction };
}

export function testVoter(voterId: string, changes: Partial<Voter> = {}): Voter {
  return {
    voterId,
    givenName: 'Test',
    familyName: `Voter ${voterId}`,
    birthDate: '1980-01-01',
    address: { line1: '1 Main St', city: 'Ashford', state: 'OH', postalCode: '43001' },
    precinctId: 'p-101',
    ballotStyleId: 'bs-1',
    status: 'active',
    ...changes,
  };
}

/** A roll in memory, with each voter's enrolled fingers (none for a voter not in `fingers`). */
export function memoryDirectory(
  voters: readonly Voter[],
  fingers: ReadonlyMap<string, readonly FingerprintTemplate[]>,
): VoterDirectory {
  const byId = new Map(voters.map((v) => [v.voterId, v]));
  return {
    getVoter: (id) => Promise.resolve(byId.get(id)),
    loadTemplates: (id) => Promise.resolve(fingers.get(id) ?? []),
  };
}

export const pollWorker: AuthenticatedOfficial = { officialId: 'pw-1', role: 'poll_worker' };
export const supervisor: AuthenticatedOfficial = { officialId: 'sup-1', role: 'supervisor' };

export function stationAt(
  stationId: string,
  pollingPlace = 'p-101',
  official = pollWorker,
): StationContext {
  return { stationId, pollingPlace, official };
}

/** Deps over `store` with a fixed clock at 07:00 on election day. */
export function testDeps(
  store: Store,
  voters: VoterDirectory,
  extra: Partial<CheckInDeps> = {},
): CheckInDeps & { clock: ReturnType<typeof fixedClock> } {
  const election = sampleElection();
  return {
    store,
    election,
    voters,
    ...extra,
    clock: fixedClock(new Date(`${election.date}T07:00:00.000Z`)),
  };
}

/**
 * Puts voters on a store's roll and enrols their fingers through the registry's own
 * import and enrolment (with no de-duplication search: seeding is not enrolment day).
 */
export async function seedRoll(
  store: Store,
  keyring: Keyring,
  election: Election,
  voters: readonly { readonly voter: Voter; readonly fingers: readonly FingerprintTemplate[] }[],
): Promise<void> {
  const fields: RollField[] = [
    'voterId',
    'givenName',
    'familyName',
    'birthDate',
    'line1',
    'city',
    'state',
    'postalCode',
    'precinctId',
    'splitId',
    'status',
  ];
  const fieldNames = Object.fromEntries(fields.map((f) => [f, f])) as Record<RollField, string>;
  const rows: RollRow[] = voters.map(({ voter }, i) => ({
    row: i + 2,
    fieldNames,
    values: {
      voterId: voter.voterId,
      givenName: voter.givenName,
      familyName: voter.familyName,
      birthDate: voter.birthDate,
      line1: voter.address.line1,
      city: voter.address.city,
      state: voter.address.state,
      postalCode: voter.address.postalCode,
      precinctId: voter.precinctId,
      ...(voter.splitId === undefined ? {} : { splitId: voter.splitId }),
      status: voter.status,
    },
  }));
  const imported = await importRoll(store, {
    rows,
    format: 'csv',
    fileBytes: new TextEncoder().encode(JSON.stringify(rows)),
    election,
    actorId: 'registrar-1',
    stationId: 'registry',
  });
  if (!imported.ok) throw imported.error;
  const noSearch: DuplicateSearch = {
    add: () => Promise.resolve(),
    search: () => Promise.resolve([]),
    size: 0,
  };
  for (const { voter, fingers } of voters) {
    if (fingers.length === 0) continue;
    const enrolled = await enrolVoter(
      { store, keyring, search: noSearch },
      {
        voterId: voter.voterId,
        fingers: fingers.map((template, k) => ({ position: (k + 1) as FingerPosition, template })),
        officialId: 'registrar-1',
        stationId: 'registry',
      },
    );
    if (!enrolled.ok) throw enrolled.error;
  }
}
