import { err, ok, type Result } from '@vigil/core';
import type { OfficialRole, OfficialSession, Station, Store, StoredOfficial } from '@vigil/store';
import {
  DEFAULT_AUTH_POLICY,
  SESSION_TOUCH_INTERVAL_MS,
  isPlaceBound,
  type AuthPolicy,
} from './policy.ts';
import { hashBearerToken, newBearerToken, spendDecoyCheck, verifyPassword } from './secrets.ts';

/**
 * Signing officials in and out, and recognising their sessions: pure service functions
 * over the store, so that routes stay thin and tests need no HTTP.
 */

/** The official a request acts for, as routes see them (never the password hash). */
export interface AuthenticatedOfficial {
  readonly officialId: string;
  readonly displayName: string;
  readonly role: OfficialRole;
  readonly pollingPlaces: readonly string[];
}

/** The polling station a session is bound to. */
export interface AuthenticatedStation {
  readonly stationId: string;
  readonly pollingPlace: string;
}

export interface AuthOptions {
  readonly now: Date;
  readonly policy?: AuthPolicy;
}

/** Why a password check failed. Only the server's log sees the reason, never the caller. */
export type PasswordRefusal = 'unknown-official' | 'disabled' | 'locked' | 'wrong-password';

export function authenticatedOfficial(official: StoredOfficial): AuthenticatedOfficial {
  return {
    officialId: official.officialId,
    displayName: official.displayName,
    role: official.role,
    pollingPlaces: official.pollingPlaces,
  };
}

function authenticatedStation(station: Station): AuthenticatedStation {
  return { stationId: station.stationId, pollingPlace: station.pollingPlace };
}

/**
 * Checks an official's id and password, counting the attempt against the lockout.
 *
 * Every path runs the same statements and one scrypt verification (against the decoy
 * hash when the account is unknown, disabled or locked), so the time of an answer does
 * not tell whether an id exists. The attempt is counted before the hash is checked, so
 * parallel guesses cannot exceed the limit (see `beginOfficialSignIn`).
 */
export async function checkOfficialPassword(
  store: Store,
  officialId: string,
  password: string,
  options: AuthOptions,
): Promise<Result<StoredOfficial, { reason: PasswordRefusal; lockedNow: boolean }>> {
  const policy = options.policy ?? DEFAULT_AUTH_POLICY;
  const official = await store.getOfficial(officialId);
  // For an unknown id this updates no row, at the cost of updating one.
  const reserved = await store.beginOfficialSignIn(officialId, {
    now: options.now,
    maxAttempts: policy.maxFailedSignIns,
  });
  const usable = official?.status === 'active' && reserved;
  const matches = usable
    ? await verifyPassword(password, official.passwordHash)
    : await spendDecoyCheck(password);
  if (usable && matches) {
    await store.succeedOfficialSignIn(officialId);
    return ok(official);
  }
  const lockedNow = await store.failOfficialSignIn(officialId, {
    maxAttempts: policy.maxFailedSignIns,
    lockUntil: new Date(options.now.getTime() + policy.lockoutMs),
  });
  const reason: PasswordRefusal =
    official === undefined
      ? 'unknown-official'
      : official.status !== 'active'
        ? 'disabled'
        : !reserved
          ? 'locked'
          : 'wrong-password';
  return err({ reason, lockedNow });
}

export type SignInRefusal =
  | { readonly reason: PasswordRefusal; readonly lockedNow: boolean }
  | { readonly reason: 'station-unknown' | 'station-revoked' }
  | {
      readonly reason: 'station-required' | 'not-assigned';
      readonly official: AuthenticatedOfficial;
    };

export interface SignedIn {
  /** The session's bearer token: shown to the client once, stored only as SHA-256. */
  readonly token: string;
  readonly expiresAt: Date;
  readonly official: AuthenticatedOfficial;
  readonly station?: AuthenticatedStation;
}

/**
 * Signs an official in and opens a session, bound to the station whose token is given.
 * Poll workers and supervisors must sign in on a station of a polling place they are
 * assigned to; registrars and administrators may sign in with or without one.
 */
export async function signIn(
  store: Store,
  input: { readonly officialId: string; readonly password: string; readonly stationToken?: string },
  options: AuthOptions,
): Promise<Result<SignedIn, SignInRefusal>> {
  const policy = options.policy ?? DEFAULT_AUTH_POLICY;
  let station: Station | undefined;
  if (input.stationToken !== undefined) {
    // Checked first: a request from a device that is not a station never reaches the
    // password check, and so never counts against the official's lockout.
    station = await store.getStationByToken(hashBearerToken(input.stationToken));
    if (station === undefined) return err({ reason: 'station-unknown' });
    if (station.status !== 'active') return err({ reason: 'station-revoked' });
  }
  const checked = await checkOfficialPassword(store, input.officialId, input.password, options);
  if (!checked.ok) return checked;
  const official = checked.value;
  if (isPlaceBound(official.role)) {
    if (station === undefined) {
      return err({ reason: 'station-required', official: authenticatedOfficial(official) });
    }
    if (!official.pollingPlaces.includes(station.pollingPlace)) {
      return err({ reason: 'not-assigned', official: authenticatedOfficial(official) });
    }
  }
  const now = options.now;
  // Sessions that ended on their own are swept here, the one moment someone is sure to
  // be writing anyway, so the table does not grow through an election day.
  await store.deleteStaleOfficialSessions({
    expiresBefore: now,
    idleBefore: new Date(now.getTime() - policy.idleTimeoutMs),
  });
  const { token, tokenHash } = newBearerToken('vgs_');
  const expiresAt = new Date(now.getTime() + policy.sessionLifetimeMs);
  await store.createOfficialSession({
    sessionHash: tokenHash,
    officialId: official.officialId,
    ...(station === undefined ? {} : { stationId: station.stationId }),
    createdAt: now,
    expiresAt,
    lastSeenAt: now,
  });
  return ok({
    token,
    expiresAt,
    official: authenticatedOfficial(official),
    ...(station === undefined ? {} : { station: authenticatedStation(station) }),
  });
}

/** Ends the session of this token; false when there was none. */
export function signOut(store: Store, token: string): Promise<boolean> {
  return store.deleteOfficialSession(hashBearerToken(token));
}

export type SessionRefusal =
  'unknown-session' | 'expired' | 'idle' | 'official-disabled' | 'station-revoked' | 'not-assigned';

export interface ActiveSession {
  readonly official: AuthenticatedOfficial;
  readonly station?: AuthenticatedStation;
  readonly session: OfficialSession;
}

/**
 * The official (and station) a session token stands for, checked afresh on every
 * request: a disabled official, a revoked station or a lapsed session ends it at once.
 */
export async function authenticateSession(
  store: Store,
  token: string,
  options: AuthOptions,
): Promise<Result<ActiveSession, SessionRefusal>> {
  const policy = options.policy ?? DEFAULT_AUTH_POLICY;
  const now = options.now.getTime();
  const sessionHash = hashBearerToken(token);
  const session = await store.getOfficialSession(sessionHash);
  if (session === undefined) return err('unknown-session');
  const end = async (reason: SessionRefusal): Promise<Result<never, SessionRefusal>> => {
    await store.deleteOfficialSession(sessionHash);
    return err(reason);
  };
  if (session.expiresAt.getTime() <= now) return end('expired');
  if (session.lastSeenAt.getTime() + policy.idleTimeoutMs <= now) return end('idle');
  const official = await store.getOfficial(session.officialId);
  if (official?.status !== 'active') return end('official-disabled');
  let station: Station | undefined;
  if (session.stationId !== undefined) {
    station = await store.getStation(session.stationId);
    if (station?.status !== 'active') return end('station-revoked');
  }
  if (
    isPlaceBound(official.role) &&
    (station === undefined || !official.pollingPlaces.includes(station.pollingPlace))
  ) {
    return end('not-assigned');
  }
  if (now - session.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) {
    await store.touchOfficialSession(sessionHash, options.now);
  }
  return ok({
    official: authenticatedOfficial(official),
    ...(station === undefined ? {} : { station: authenticatedStation(station) }),
    session,
  });
}
