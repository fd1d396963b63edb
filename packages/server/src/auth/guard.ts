import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { err, ok, systemClock, type Clock, type Result } from '@vigil/core';
import type { OfficialRole, OfficialSession, Store } from '@vigil/store';
import { sendProblem, type ProblemInit } from '../problem.ts';
import { DEFAULT_AUTH_POLICY, STATION_TOKEN_HEADER, type AuthPolicy } from './policy.ts';
import { decodeBasicCredentials, hashBearerToken, splitAuthorization } from './secrets.ts';
import {
  authenticateSession,
  authenticatedOfficial,
  checkOfficialPassword,
  type AuthenticatedOfficial,
  type AuthenticatedStation,
  type SessionRefusal,
} from './sign-in.ts';

/**
 * Authorisation for routes: a preHandler that admits a signed-in official of the right
 * role (and station), and the check of a second official for supervised overrides.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in official; set by `requireOfficial`'s preHandler. */
    official?: AuthenticatedOfficial;
    /** The station the official's session is bound to, when it is; set with `official`. */
    station?: AuthenticatedStation;
    /** The session itself (its expiry), set with `official`. */
    officialSession?: OfficialSession;
  }
}

/** RFC 6750 §3: the challenge of a 401. */
const REALM = 'Bearer realm="vigil"';

export interface RequireOfficialOptions {
  readonly store: Store;
  /** The roles admitted (see `rolesFor` in policy.ts). */
  readonly roles: readonly OfficialRole[];
  /**
   * `required`: the session must be bound to an active station (the request is made at a
   * polling place). `optional` (default): a station is set on the request when there is one.
   */
  readonly station?: 'required' | 'optional';
  readonly clock?: Clock;
  readonly policy?: AuthPolicy;
}

const SESSION_DETAIL: Readonly<Record<SessionRefusal, string>> = {
  'unknown-session': 'The session token is not valid (it was never issued, or it was signed out).',
  expired: 'The session has expired; sign in again.',
  idle: 'The session ended after a period without activity; sign in again.',
  'official-disabled': 'The account of this session has been disabled.',
  'station-revoked': 'The station this session was opened on has been revoked.',
  'not-assigned': 'The official of this session is no longer assigned to this polling place.',
};

function unauthenticated(
  request: FastifyRequest,
  reply: FastifyReply,
  detail: string,
  invalidToken: boolean,
): FastifyReply {
  // RFC 6750 §3.1: a request without credentials gets the bare challenge; one with a bad
  // token also gets error="invalid_token".
  reply.header('www-authenticate', invalidToken ? `${REALM}, error="invalid_token"` : REALM);
  return sendProblem(request, reply, {
    status: 401,
    title: 'Unauthorized',
    code: 'unauthenticated',
    detail,
    hint: 'Sign in with POST /api/auth/login and send the token as Authorization: Bearer <token>.',
  });
}

function forbidden(
  request: FastifyRequest,
  reply: FastifyReply,
  code: string,
  detail: string,
): FastifyReply {
  reply.header('www-authenticate', `${REALM}, error="insufficient_scope"`);
  return sendProblem(request, reply, { status: 403, title: 'Forbidden', code, detail });
}

const roleList = (roles: readonly OfficialRole[]): string =>
  roles.length === 1 ? roles[0]! : `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)!}`;

/**
 * A hook admitting only a signed-in official with one of `roles`. Install it as the
 * route's `preValidation` (not `preHandler`), so a caller who is not signed in learns
 * nothing about the body the route expects: authentication comes before validation. It sets
 * `request.official` (and `request.station` when the session is bound to one), or
 * answers 401 (no or bad session token, with `WWW-Authenticate: Bearer`) or 403 (code
 * `forbidden-role` naming the roles needed, or `station-required`).
 *
 * @example
 *   app.post('/api/checkins', {
 *     preValidation: requireOfficial({ store, roles: rolesFor('checkin'), station: 'required' }),
 *   }, async (request) => {
 *     const official = officialOf(request);
 *     const station = stationOf(request); // its pollingPlace is where the voter must be
 *   });
 */
export function requireOfficial(options: RequireOfficialOptions): preHandlerAsyncHookHandler {
  const clock = options.clock ?? systemClock;
  const policy = options.policy ?? DEFAULT_AUTH_POLICY;
  if (options.roles.length === 0) {
    throw new Error('requireOfficial needs at least one role; an empty list admits no one.');
  }
  return async (request, reply) => {
    const parts = splitAuthorization(request.headers.authorization);
    if (parts?.scheme !== 'bearer' || parts.value === '') {
      return unauthenticated(request, reply, 'This action needs a signed-in official.', false);
    }
    const active = await authenticateSession(options.store, parts.value, {
      now: clock.now(),
      policy,
    });
    if (!active.ok) {
      request.log.info(
        { event: 'official-session-refused', reason: active.error },
        'a session token was refused',
      );
      return unauthenticated(request, reply, SESSION_DETAIL[active.error], true);
    }
    const { official, station, session } = active.value;
    if (!options.roles.includes(official.role)) {
      return forbidden(
        request,
        reply,
        'forbidden-role',
        `This action needs the role ${roleList(options.roles)}; ` +
          `you are signed in as ${official.role}.`,
      );
    }
    if (options.station === 'required' && station === undefined) {
      return forbidden(
        request,
        reply,
        'station-required',
        'This action is taken at a polling station: sign in on a registered station ' +
          '(send its token in the Vigil-Station-Token header when signing in).',
      );
    }
    request.official = official;
    if (station !== undefined) request.station = station;
    request.officialSession = session;
    return undefined;
  };
}

/**
 * A preHandler admitting a registered, active station by its own token alone (the
 * `Vigil-Station-Token` header), with no official signed in: for devices that act
 * without a person, such as the ballot box spending credentials. Sets `request.station`.
 */
export function requireStation(options: { readonly store: Store }): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const header = request.headers[STATION_TOKEN_HEADER];
    const token = typeof header === 'string' ? header.trim() : '';
    if (token === '') {
      return unauthenticated(
        request,
        reply,
        'This action is taken by a registered station: send its token in the Vigil-Station-Token header.',
        false,
      );
    }
    const station = await options.store.getStationByToken(hashBearerToken(token));
    if (station?.status !== 'active') {
      return unauthenticated(
        request,
        reply,
        'The station token is not recognised (unknown, or the station was revoked).',
        true,
      );
    }
    request.station = { stationId: station.stationId, pollingPlace: station.pollingPlace };
    return undefined;
  };
}

/** The official `requireOfficial` admitted; throws when a route forgot the preHandler. */
export function officialOf(request: FastifyRequest): AuthenticatedOfficial {
  if (request.official === undefined) {
    throw new Error('route reached without requireOfficial: add it as a preHandler');
  }
  return request.official;
}

/** The station of the session; throws unless `requireOfficial({ station: 'required' })` ran. */
export function stationOf(request: FastifyRequest): AuthenticatedStation {
  if (request.station === undefined) {
    throw new Error(
      "route reached without a station: use requireOfficial({ station: 'required' })",
    );
  }
  return request.station;
}

/** Who may be the second official of a supervised override (the brief of issue 8). */
export const SECOND_OFFICIAL_ROLES: readonly OfficialRole[] = ['supervisor', 'administrator'];

export interface SecondOfficialContext {
  /** The official taking the action (who may not also be the second official). */
  readonly acting: AuthenticatedOfficial;
  /** The polling place of the action; the second official must be assigned to it. */
  readonly pollingPlace: string;
  /** Roles accepted as second official; default `SECOND_OFFICIAL_ROLES`. */
  readonly roles?: readonly OfficialRole[];
  readonly clock?: Clock;
  readonly policy?: AuthPolicy;
}

/**
 * Checks the second official of a supervised override: the `Vigil-Second-Official`
 * header carries their own credentials as HTTP Basic (`Basic base64(id:password)`,
 * RFC 7617), checked like a sign-in (constant time, decoy hash, counted against their
 * lockout). They must be active, hold one of the accepted roles, be someone other than
 * the acting official, and be assigned to the polling place of the action. Every
 * administrator, too, must be assigned to the place to count: no one approves an
 * override for a place they do not serve.
 *
 * The refusal is a 403 problem ready for `sendProblem`:
 *
 * @example
 *   const second = await verifySecondOfficial(store, request.headers['vigil-second-official'],
 *     { acting: officialOf(request), pollingPlace: stationOf(request).pollingPlace });
 *   if (!second.ok) return sendProblem(request, reply, second.error);
 */
export async function verifySecondOfficial(
  store: Store,
  header: string | string[] | undefined,
  context: SecondOfficialContext,
): Promise<Result<AuthenticatedOfficial, ProblemInit>> {
  const refuse = (code: string, detail: string): Result<never, ProblemInit> =>
    err({ status: 403, title: 'Forbidden', code, detail });
  const roles = context.roles ?? SECOND_OFFICIAL_ROLES;
  const parts = splitAuthorization(typeof header === 'string' ? header : undefined);
  const credentials = parts?.scheme === 'basic' ? decodeBasicCredentials(parts.value) : undefined;
  if (credentials === undefined) {
    return refuse(
      'second-official-required',
      `This override needs a second official (${roleList(roles)}) to confirm it with their ` +
        'own id and password in the Vigil-Second-Official header (Basic base64(id:password)).',
    );
  }
  if (credentials.id === context.acting.officialId) {
    return refuse(
      'second-official-same',
      'The second official must be someone other than the official taking the action.',
    );
  }
  const checked = await checkOfficialPassword(store, credentials.id, credentials.password, {
    now: (context.clock ?? systemClock).now(),
    policy: context.policy ?? DEFAULT_AUTH_POLICY,
  });
  if (!checked.ok) {
    return refuse(
      'second-official-refused',
      "The second official's id and password were not accepted (or their account is " +
        'disabled or locked after too many failures).',
    );
  }
  const second = authenticatedOfficial(checked.value);
  if (!roles.includes(second.role)) {
    return refuse(
      'second-official-role',
      `The second official must be a ${roleList(roles)}; ${second.officialId} is a ${second.role}.`,
    );
  }
  if (!second.pollingPlaces.includes(context.pollingPlace)) {
    return refuse(
      'second-official-not-assigned',
      `The second official is not assigned to polling place ${context.pollingPlace}.`,
    );
  }
  return ok(second);
}
