import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { parseElectionDefinition, systemClock, type Clock, type Election } from '@vigil/core';
import type { OfficialRole, Store } from '@vigil/store';
import { requireOfficial, rolesFor } from '../auth/index.ts';
import { sendProblem } from '../problem.ts';
import type {
  CheckInDashboard,
  EnrolmentDashboard,
  EnrolmentVotersResponse,
  TurnoutDashboard,
} from './console-types.ts';

/**
 * `/api/dashboards/*`: the administration's figures of election day, counted by the
 * store (see packages/store/src/dashboards.ts). Turnout and station activity are counts
 * only, so the election's administrators and registrars may see them; the enrolment
 * list names voters, so it is for registrars, who keep the roll.
 */

export interface DashboardRoutesOptions {
  store: Store;
  clock?: Clock;
  /** The election served; default the most recently loaded one (as the registry's). */
  electionId?: string;
}

/** Counts without names: what an election's administration follows on the day. */
const DASHBOARD_ROLES: readonly OfficialRole[] = ['administrator', 'registrar'];
const LIST_LIMIT = 200;

/** The served election, parsed, or undefined when the store holds none. */
async function servedElection(store: Store, electionId?: string): Promise<Election | undefined> {
  const id = electionId ?? (await store.listElections()).at(-1)?.electionId;
  const stored = id === undefined ? undefined : await store.getElection(id as Election['id']);
  if (stored === undefined) return undefined;
  const parsed = parseElectionDefinition(stored.definition);
  // A stored definition was parsed before it was saved; failing now means the database changed.
  if (!parsed.ok) throw new Error(`the stored definition of ${stored.electionId} no longer parses`);
  return parsed.value.election;
}

function noElection(request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(request, reply, {
    status: 409,
    code: 'no-election',
    detail: 'No election definition is loaded, so there is nothing to count yet.',
    hint: 'Load the election definition first (vigil election load, or POST /api/elections).',
  });
}

/** Precinct names of the definition, for labels; the roll's own ids are kept as they are. */
function precinctNames(election: Election): Record<string, string> {
  return Object.fromEntries(election.precincts.map((p) => [p.id, p.name]));
}

export const dashboardRoutes: FastifyPluginCallback<DashboardRoutesOptions> = (
  app,
  options,
  done,
) => {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const dashboardGuard = requireOfficial({ store, roles: DASHBOARD_ROLES, clock });
  const rollGuard = requireOfficial({ store, roles: rolesFor('voters.enroll'), clock });

  app.get(
    '/api/dashboards/turnout',
    { preValidation: dashboardGuard },
    async (request, reply): Promise<TurnoutDashboard | FastifyReply> => {
      const election = await servedElection(store, options.electionId);
      if (election === undefined) return noElection(request, reply);
      const [hours, precincts] = await Promise.all([
        store.turnoutByHour(election.id),
        store.turnoutByPrecinct(election.id),
      ]);
      const names = precinctNames(election);
      return {
        electionId: election.id,
        generatedAt: clock.now().toISOString(),
        registered: precincts.reduce((n, p) => n + p.registered, 0),
        checkedIn: precincts.reduce((n, p) => n + p.checkedIn, 0),
        byHour: hours.map((h) => ({
          hour: h.hour.toISOString(),
          checkIns: h.checkIns,
          overrides: h.overrides,
        })),
        byPrecinct: precincts.map((p) => ({ ...p, name: names[p.precinctId] ?? p.precinctId })),
      };
    },
  );

  app.get(
    '/api/dashboards/checkins',
    { preValidation: dashboardGuard },
    async (request, reply): Promise<CheckInDashboard | FastifyReply> => {
      const election = await servedElection(store, options.electionId);
      if (election === undefined) return noElection(request, reply);
      const stations = await store.stationActivity(election.id);
      return {
        electionId: election.id,
        generatedAt: clock.now().toISOString(),
        byStation: stations,
      };
    },
  );

  app.get(
    '/api/dashboards/enrolment',
    { preValidation: rollGuard },
    async (request, reply): Promise<EnrolmentDashboard | FastifyReply> => {
      const election = await servedElection(store, options.electionId);
      if (election === undefined) return noElection(request, reply);
      const names = precinctNames(election);
      const precincts = await store.enrolmentByPrecinct();
      return {
        electionId: election.id,
        byPrecinct: precincts.map((p) => ({ ...p, name: names[p.precinctId] ?? p.precinctId })),
      };
    },
  );

  app.get<{
    Querystring: { precinct?: string; enrolled?: 'yes' | 'no'; after?: string; limit?: number };
  }>(
    '/api/dashboards/enrolment/voters',
    {
      preValidation: rollGuard,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            precinct: { type: 'string', minLength: 1, maxLength: 64 },
            enrolled: { type: 'string', enum: ['yes', 'no'] },
            after: { type: 'string', minLength: 1, maxLength: 128 },
            limit: { type: 'integer', minimum: 1, maximum: LIST_LIMIT },
          },
        },
      },
    },
    async (request): Promise<EnrolmentVotersResponse> => {
      const q = request.query;
      const limit = q.limit ?? 50;
      // One more than asked tells whether another page follows.
      const rows = await store.listEnrolment({
        ...(q.precinct === undefined ? {} : { precinctId: q.precinct }),
        ...(q.enrolled === undefined ? {} : { enrolled: q.enrolled === 'yes' }),
        ...(q.after === undefined ? {} : { afterVoterId: q.after }),
        limit: limit + 1,
      });
      const voters = rows.slice(0, limit);
      const last = voters.at(-1);
      return {
        voters,
        ...(rows.length > limit && last !== undefined ? { next: last.voterId } : {}),
      };
    },
  );

  done();
};
