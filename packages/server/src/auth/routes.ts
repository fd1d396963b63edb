import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { systemClock, type Clock } from '@vigil/core';
import {
  OFFICIAL_ROLES,
  type Official,
  type OfficialRole,
  type Station,
  type Store,
} from '@vigil/store';
import { sendProblem } from '../problem.ts';
import {
  createOfficial,
  disableOfficial,
  registerStation,
  revokeStation,
  unlockOfficial,
  type Actor,
} from './accounts.ts';
import { officialOf, requireOfficial } from './guard.ts';
import { DEFAULT_AUTH_POLICY, STATION_TOKEN_HEADER, rolesFor, type AuthPolicy } from './policy.ts';
import { splitAuthorization } from './secrets.ts';
import {
  signIn,
  signOut,
  type AuthenticatedOfficial,
  type AuthenticatedStation,
} from './sign-in.ts';

/**
 * `/api/auth`: officials sign in (optionally on a station) and out, and see who they
 * are; `/api/officials` and `/api/stations`: administrators manage accounts and devices.
 */

/** `POST /api/auth/login` */
export interface LoginResponse {
  /** The session's bearer token; send it as `Authorization: Bearer <token>`. */
  token: string;
  tokenType: 'Bearer';
  /** When the session ends at the latest (ISO 8601). */
  expiresAt: string;
  /** The session also ends after this many seconds without a request. */
  idleTimeoutSeconds: number;
  official: AuthenticatedOfficial;
  station: AuthenticatedStation | null;
}

/** `GET /api/auth/me` */
export interface MeResponse {
  official: AuthenticatedOfficial;
  station: AuthenticatedStation | null;
  expiresAt: string;
}

export interface AuthRoutesOptions {
  store: Store;
  clock?: Clock;
  policy?: AuthPolicy;
}

const ID = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } as const;

const loginBody = {
  type: 'object',
  required: ['officialId', 'password'],
  additionalProperties: false,
  properties: {
    officialId: { type: 'string', minLength: 1, maxLength: 64 },
    // scrypt takes any length, but a megabyte password is only a way to burn CPU.
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

const officialBody = {
  type: 'object',
  required: ['officialId', 'displayName', 'role'],
  additionalProperties: false,
  properties: {
    officialId: ID,
    displayName: { type: 'string', minLength: 1, maxLength: 200 },
    role: { type: 'string', enum: OFFICIAL_ROLES },
    pollingPlaces: { type: 'array', items: ID, maxItems: 1000 },
  },
} as const;

const stationBody = {
  type: 'object',
  required: ['stationId', 'pollingPlace'],
  additionalProperties: false,
  properties: { stationId: ID, pollingPlace: ID },
} as const;

const idParams = (name: string) =>
  ({ type: 'object', required: [name], properties: { [name]: ID } }) as const;

function describeOfficial(o: Official) {
  return {
    officialId: o.officialId,
    displayName: o.displayName,
    role: o.role,
    status: o.status,
    pollingPlaces: o.pollingPlaces,
    createdAt: o.createdAt.toISOString(),
    lockedUntil: o.lockedUntil?.toISOString() ?? null,
  };
}

function describeStation(s: Station) {
  return {
    stationId: s.stationId,
    pollingPlace: s.pollingPlace,
    status: s.status,
    registeredAt: s.registeredAt.toISOString(),
    revokedAt: s.revokedAt?.toISOString() ?? null,
  };
}

/** A secret in the answer: no cache may keep it (RFC 9111 §5.2.2.5). */
const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

export const authRoutes: FastifyPluginCallback<AuthRoutesOptions> = (app, options, done) => {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const policy = options.policy ?? DEFAULT_AUTH_POLICY;
  const signedIn = requireOfficial({
    store,
    roles: OFFICIAL_ROLES,
    clock,
    policy,
  });
  const administrator = requireOfficial({
    store,
    roles: rolesFor('officials.manage'),
    clock,
    policy,
  });
  const actorOf = (request: FastifyRequest): Actor => ({
    actorId: officialOf(request).officialId,
    stationId: request.station?.stationId ?? 'vigil-server',
    now: clock.now(),
  });

  app.post<{ Body: { officialId: string; password: string } }>(
    '/api/auth/login',
    { schema: { body: loginBody } },
    async (request, reply) => {
      const stationHeader = request.headers[STATION_TOKEN_HEADER];
      const stationToken = typeof stationHeader === 'string' ? stationHeader.trim() : undefined;
      const result = await signIn(
        store,
        {
          officialId: request.body.officialId,
          password: request.body.password,
          ...(stationToken === undefined || stationToken === '' ? {} : { stationToken }),
        },
        { now: clock.now(), policy },
      );
      if (!result.ok) {
        const refusal = result.error;
        request.log.warn(
          {
            event: 'official-sign-in-refused',
            officialId: request.body.officialId,
            reason: refusal.reason,
            ...('lockedNow' in refusal && refusal.lockedNow ? { locked: true } : {}),
          },
          'official sign-in refused',
        );
        if ('lockedNow' in refusal && refusal.lockedNow) {
          request.log.warn(
            { event: 'official-locked-out', officialId: request.body.officialId },
            `official locked out after ${policy.maxFailedSignIns} failed sign-ins`,
          );
        }
        switch (refusal.reason) {
          case 'station-unknown':
          case 'station-revoked':
            reply.header('www-authenticate', 'Bearer realm="vigil"');
            return sendProblem(request, reply, {
              status: 401,
              title: 'Unauthorized',
              code: 'station-not-recognised',
              detail:
                'The Vigil-Station-Token header does not name an active station; ask an ' +
                'administrator to register this device (vigil stations add).',
            });
          case 'station-required':
            return sendProblem(request, reply, {
              status: 403,
              title: 'Forbidden',
              code: 'station-required',
              detail: `A ${refusal.official.role} signs in only on a registered polling station; send the station's token in the Vigil-Station-Token header.`,
            });
          case 'not-assigned':
            return sendProblem(request, reply, {
              status: 403,
              title: 'Forbidden',
              code: 'not-assigned',
              detail: `You are not assigned to this station's polling place; you may sign in at ${refusal.official.pollingPlaces.join(', ')}.`,
            });
          default:
            // One answer for an unknown id, a wrong password, a disabled or a locked
            // account, so that the answer tells a stranger nothing about the account.
            reply.header('www-authenticate', 'Bearer realm="vigil"');
            return sendProblem(request, reply, {
              status: 401,
              title: 'Unauthorized',
              code: 'sign-in-refused',
              detail:
                'The official id and password were not accepted. After ' +
                `${policy.maxFailedSignIns} failures in a row an account is locked for ` +
                `${Math.round(policy.lockoutMs / 60_000)} minutes; an administrator can unlock it.`,
            });
        }
      }
      const { token, expiresAt, official, station } = result.value;
      request.log.info(
        {
          event: 'official-signed-in',
          officialId: official.officialId,
          role: official.role,
          ...(station === undefined ? {} : { stationId: station.stationId }),
        },
        'official signed in',
      );
      const body: LoginResponse = {
        token,
        tokenType: 'Bearer',
        expiresAt: expiresAt.toISOString(),
        idleTimeoutSeconds: Math.round(policy.idleTimeoutMs / 1000),
        official,
        station: station ?? null,
      };
      return noStore(reply).code(201).send(body);
    },
  );

  app.post('/api/auth/logout', { preValidation: signedIn }, async (request, reply) => {
    const parts = splitAuthorization(request.headers.authorization);
    if (parts !== undefined) await signOut(store, parts.value);
    request.log.info(
      { event: 'official-signed-out', officialId: officialOf(request).officialId },
      'official signed out',
    );
    return reply.code(204).send();
  });

  app.get('/api/auth/me', { preValidation: signedIn }, async (request, reply) => {
    const body: MeResponse = {
      official: officialOf(request),
      station: request.station ?? null,
      expiresAt: request.officialSession!.expiresAt.toISOString(),
    };
    return noStore(reply).send(body);
  });

  app.get('/api/officials', { preValidation: administrator }, async () => ({
    officials: (await store.listOfficials()).map(describeOfficial),
  }));

  app.post<{
    Body: { officialId: string; displayName: string; role: OfficialRole; pollingPlaces?: string[] };
  }>(
    '/api/officials',
    { preValidation: administrator, schema: { body: officialBody } },
    async (request, reply) => {
      const created = await createOfficial(
        store,
        { ...request.body, pollingPlaces: request.body.pollingPlaces ?? [] },
        actorOf(request),
      );
      if (!created.ok) throw created.error;
      return noStore(reply)
        .code(201)
        .send({
          official: describeOfficial(created.value.official),
          password: created.value.password,
        });
    },
  );

  app.post<{ Params: { officialId: string } }>(
    '/api/officials/:officialId/disable',
    { preValidation: administrator, schema: { params: idParams('officialId') } },
    async (request) => {
      const disabled = await disableOfficial(store, request.params.officialId, actorOf(request));
      if (!disabled.ok) throw disabled.error;
      return { official: describeOfficial(disabled.value) };
    },
  );

  app.post<{ Params: { officialId: string } }>(
    '/api/officials/:officialId/unlock',
    { preValidation: administrator, schema: { params: idParams('officialId') } },
    async (request) => {
      const unlocked = await unlockOfficial(store, request.params.officialId, actorOf(request));
      if (!unlocked.ok) throw unlocked.error;
      return { official: describeOfficial(unlocked.value.official) };
    },
  );

  app.get('/api/stations', { preValidation: administrator }, async () => ({
    stations: (await store.listStations()).map(describeStation),
  }));

  app.post<{ Body: { stationId: string; pollingPlace: string } }>(
    '/api/stations',
    { preValidation: administrator, schema: { body: stationBody } },
    async (request, reply) => {
      const registered = await registerStation(store, request.body, actorOf(request));
      if (!registered.ok) throw registered.error;
      return noStore(reply)
        .code(201)
        .send({
          station: describeStation(registered.value.station),
          token: registered.value.token,
        });
    },
  );

  app.post<{ Params: { stationId: string } }>(
    '/api/stations/:stationId/revoke',
    { preValidation: administrator, schema: { params: idParams('stationId') } },
    async (request) => {
      const revoked = await revokeStation(store, request.params.stationId, actorOf(request));
      if (!revoked.ok) throw revoked.error;
      return { station: describeStation(revoked.value) };
    },
  );

  done();
};
