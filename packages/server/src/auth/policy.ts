import type { OfficialRole } from '@vigil/store';

/**
 * Who may do what, and the limits of a sign-in. Least privilege: each role gets only the
 * actions of its job, and the administrator, who manages accounts and devices, takes no
 * part in voting, so that no single account can both create a poll worker and check a
 * voter in with it.
 */

/** The actions of the registry's HTTP API that need an official. */
export type OfficialAction =
  | 'voters.search'
  | 'checkin'
  | 'checkin.override'
  | 'roll.import'
  | 'voters.enroll'
  | 'reviews.decide'
  | 'officials.manage'
  | 'stations.manage'
  | 'election.manage'
  | 'guardian.act';

/**
 * The roles allowed each action (the table in docs/architecture.md, "Officials and
 * stations"). `checkin.override` is what the second official of a supervised override
 * proves (see `verifySecondOfficial`): the acting official needs `checkin`.
 */
export const ROLES_FOR: Readonly<Record<OfficialAction, readonly OfficialRole[]>> = {
  'voters.search': ['poll_worker', 'supervisor', 'registrar'],
  checkin: ['poll_worker', 'supervisor'],
  'checkin.override': ['supervisor'],
  'roll.import': ['registrar'],
  'voters.enroll': ['registrar'],
  'reviews.decide': ['registrar'],
  'officials.manage': ['administrator'],
  'stations.manage': ['administrator'],
  // The ballot box: the administrator starts the key ceremony, opens and closes the polls,
  // runs the tally and the audits; only guardians publish keys and release their shares.
  'election.manage': ['administrator'],
  'guardian.act': ['guardian'],
};

/** The roles that may take an action, for `requireOfficial({ roles: rolesFor('checkin') })`. */
export function rolesFor(action: OfficialAction): readonly OfficialRole[] {
  return ROLES_FOR[action];
}

/**
 * Roles that act only at the polling places they are assigned to: they must sign in on
 * a station, and only on a station of one of their places.
 */
export const PLACE_BOUND_ROLES: readonly OfficialRole[] = ['poll_worker', 'supervisor'];

export function isPlaceBound(role: OfficialRole): boolean {
  return PLACE_BOUND_ROLES.includes(role);
}

/** Limits of sign-ins and sessions. */
export interface AuthPolicy {
  /** Consecutive failed sign-ins that lock an account. */
  readonly maxFailedSignIns: number;
  /** How long a locked account stays locked, unless an administrator unlocks it sooner. */
  readonly lockoutMs: number;
  /** A session ends this long after sign-in, whatever happens. */
  readonly sessionLifetimeMs: number;
  /** A session ends after this long without a request. */
  readonly idleTimeoutMs: number;
}

/**
 * Five failures lock an account for 15 minutes (an administrator can lift it at once
 * with `vigil officials unlock`); a lockout that ends by itself keeps a stranger who
 * knows an official's id from shutting them out for the whole election day. Sessions
 * follow NIST SP 800-63B §4.2.3 (AAL2): sign in again after 12 hours, and after
 * 30 minutes without activity.
 */
export const DEFAULT_AUTH_POLICY: AuthPolicy = {
  maxFailedSignIns: 5,
  lockoutMs: 15 * 60_000,
  sessionLifetimeMs: 12 * 3_600_000,
  idleTimeoutMs: 30 * 60_000,
};

/**
 * Activity is written to a session at most this often, so that a busy station does not
 * turn every read into a write; the idle timeout is therefore exact to within a minute.
 */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

/** The request headers of this scheme. */
export const STATION_TOKEN_HEADER = 'vigil-station-token';
export const SECOND_OFFICIAL_HEADER = 'vigil-second-official';
