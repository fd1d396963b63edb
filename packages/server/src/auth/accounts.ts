import {
  InvalidInputError,
  err,
  ok,
  parseElectionDefinition,
  type ConflictError,
  type NotFoundError,
  type Result,
} from '@vigil/core';
import { eventIdOf, type EventType, type LedgerEntry } from '@vigil/ledger';
import {
  OFFICIAL_ROLES,
  type Official,
  type OfficialRole,
  type Station,
  type Store,
} from '@vigil/store';
import { isPlaceBound } from './policy.ts';
import { generatePassword, hashPassword, newBearerToken } from './secrets.ts';

/**
 * Managing officials and stations: what `vigil officials …`, `vigil stations …` and the
 * demo set-up do. Each change is stored with its ledger entry (ids only); the generated
 * password or station token is returned once and never stored.
 */

/** Who made a change, for its ledger entry. */
export interface Actor {
  readonly actorId: string;
  readonly stationId: string;
  readonly now: Date;
}

function entry(
  type: EventType,
  actor: Actor,
  subjects: readonly string[],
  detail?: string,
): LedgerEntry {
  return {
    eventId: eventIdOf(type),
    actorId: actor.actorId,
    stationId: actor.stationId,
    time: actor.now.toISOString(),
    disposition: 'success',
    subjects,
    ...(detail === undefined ? {} : { detail }),
  };
}

/**
 * The polling places an official or station may be given: the precinct ids of every
 * loaded election definition (a polling place serves one precinct).
 */
export async function knownPollingPlaces(store: Store): Promise<Set<string>> {
  const places = new Set<string>();
  for (const summary of await store.listElections()) {
    const stored = await store.getElection(summary.electionId);
    if (stored === undefined) continue;
    const parsed = parseElectionDefinition(stored.definition);
    if (!parsed.ok) continue;
    for (const precinct of parsed.value.election.precincts) places.add(precinct.id);
  }
  return places;
}

async function checkPlaces(
  store: Store,
  places: readonly string[],
  path: string,
): Promise<InvalidInputError | undefined> {
  const known = await knownPollingPlaces(store);
  if (known.size === 0 && places.length > 0) {
    return new InvalidInputError(
      'No election definition is loaded, so there are no polling places to assign yet.',
      { path, hint: 'Load the election first: vigil election load <file>.' },
    );
  }
  const unknown = places.filter((p) => !known.has(p));
  if (unknown.length > 0) {
    return new InvalidInputError(
      `Polling place ${unknown.join(', ')} is not a precinct of a loaded election; ` +
        `the precincts are ${[...known].sort().join(', ')}.`,
      { path },
    );
  }
  return undefined;
}

export interface NewOfficial {
  readonly officialId: string;
  readonly displayName: string;
  readonly role: OfficialRole;
  /** Precinct ids; at least one for poll workers and supervisors. */
  readonly pollingPlaces: readonly string[];
}

/** Adds an official with a generated password, returned once. */
export async function createOfficial(
  store: Store,
  input: NewOfficial,
  actor: Actor,
): Promise<Result<{ official: Official; password: string }, InvalidInputError | ConflictError>> {
  if (!OFFICIAL_ROLES.includes(input.role)) {
    return err(
      new InvalidInputError(
        `The role "${input.role}" is not one of ${OFFICIAL_ROLES.join(', ')}.`,
        { path: 'role' },
      ),
    );
  }
  if (isPlaceBound(input.role) && input.pollingPlaces.length === 0) {
    return err(
      new InvalidInputError(
        `A ${input.role} acts only at the polling places they are assigned to; give at least one.`,
        { path: 'pollingPlaces', hint: 'Pass --precinct <id> (repeatable).' },
      ),
    );
  }
  const placeProblem = await checkPlaces(store, input.pollingPlaces, 'pollingPlaces');
  if (placeProblem !== undefined) return err(placeProblem);
  const password = generatePassword();
  const added = await store.addOfficial(
    { ...input, passwordHash: await hashPassword(password), createdAt: actor.now },
    entry(
      'official.created',
      actor,
      [`official:${input.officialId}`, ...input.pollingPlaces.map((p) => `precinct:${p}`)],
      `role ${input.role}`,
    ),
  );
  return added.ok ? ok({ official: added.value, password }) : added;
}

export function disableOfficial(
  store: Store,
  officialId: string,
  actor: Actor,
): Promise<Result<Official, NotFoundError | ConflictError>> {
  return store.disableOfficial(
    officialId,
    entry('official.disabled', actor, [`official:${officialId}`]),
  );
}

/**
 * Lifts an official's lockout; with `resetPassword`, also gives them a new generated
 * password (returned once) and ends their sessions.
 */
export async function unlockOfficial(
  store: Store,
  officialId: string,
  actor: Actor,
  options: { readonly resetPassword?: boolean } = {},
): Promise<Result<{ official: Official; password?: string }, NotFoundError>> {
  const password = options.resetPassword === true ? generatePassword() : undefined;
  const unlocked = await store.unlockOfficial(
    {
      officialId,
      ...(password === undefined ? {} : { passwordHash: await hashPassword(password) }),
    },
    entry(
      'official.unlocked',
      actor,
      [`official:${officialId}`],
      password === undefined ? undefined : 'password replaced',
    ),
  );
  if (!unlocked.ok) return unlocked;
  return ok({ official: unlocked.value, ...(password === undefined ? {} : { password }) });
}

/** Registers a station for one polling place; its bearer token is returned once. */
export async function registerStation(
  store: Store,
  input: { readonly stationId: string; readonly pollingPlace: string },
  actor: Actor,
): Promise<Result<{ station: Station; token: string }, InvalidInputError | ConflictError>> {
  const placeProblem = await checkPlaces(store, [input.pollingPlace], 'pollingPlace');
  if (placeProblem !== undefined) return err(placeProblem);
  const { token, tokenHash } = newBearerToken('vgt_');
  const added = await store.addStation(
    { ...input, tokenHash, registeredAt: actor.now },
    entry('station.registered', actor, [
      `station:${input.stationId}`,
      `precinct:${input.pollingPlace}`,
    ]),
  );
  return added.ok ? ok({ station: added.value, token }) : added;
}

export function revokeStation(
  store: Store,
  stationId: string,
  actor: Actor,
): Promise<Result<Station, NotFoundError | ConflictError>> {
  return store.revokeStation(
    stationId,
    actor.now,
    entry('station.revoked', actor, [`station:${stationId}`]),
  );
}
