import type { FastifyPluginCallback } from 'fastify';
import { missingCase, systemClock, type Clock } from '@vigil/core';
import type { Store } from '@vigil/store';
import type { ElectionListResponse, ElectionLoadResponse, Problem } from '../api-types.ts';
import { getCurrentElection, getElection, listElections, loadElection } from '../elections.ts';
import { InvalidDocumentError } from '../problem.ts';

/** Election definitions are small documents; anything near this size is a mistake. */
export const MAX_DEFINITION_BYTES = 5 * 1024 * 1024;

/** Same rule as core's ID_PATTERN, for Fastify's validator. */
const ELECTION_ID = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } as const;
const NO_QUERY = { type: 'object', properties: {}, additionalProperties: false } as const;

const loadResponse = {
  type: 'object',
  required: ['electionId', 'hash', 'title', 'loadedAt'],
  additionalProperties: false,
  properties: {
    electionId: { type: 'string' },
    hash: { type: 'string' },
    title: { type: 'string' },
    loadedAt: { type: 'string' },
  },
} as const;

const detailResponse = {
  type: 'object',
  required: ['electionId', 'hash', 'loadedAt', 'election'],
  additionalProperties: false,
  properties: {
    electionId: { type: 'string' },
    hash: { type: 'string' },
    loadedAt: { type: 'string' },
    // The definition is served exactly as parsed; its shape is core's schema, not ours.
    election: { type: 'object', additionalProperties: true },
  },
} as const;

const listResponse = {
  type: 'object',
  required: ['elections'],
  additionalProperties: false,
  properties: {
    elections: {
      type: 'array',
      items: {
        type: 'object',
        required: ['electionId', 'title', 'date', 'hash', 'loadedAt'],
        additionalProperties: false,
        properties: {
          electionId: { type: 'string' },
          title: { type: 'string' },
          date: { type: 'string' },
          hash: { type: 'string' },
          loadedAt: { type: 'string' },
        },
      },
    },
  },
} as const;

/** The problem's detail: the one problem itself, or how many there are. */
function describeProblems(problems: readonly Problem[]): string {
  const [first] = problems;
  if (problems.length === 1 && first !== undefined) {
    return `The election definition was not loaded: ${first.path}: ${first.message}`;
  }
  return (
    `The election definition was not loaded: it has ${problems.length} problems, ` +
    'each listed with its path. Fix them all and load it again.'
  );
}

export interface ElectionRoutesOptions {
  store: Store;
  clock?: Clock;
}

/** `/api/elections`: load, list and read election definitions. */
export const electionRoutes: FastifyPluginCallback<ElectionRoutesOptions> = (
  app,
  { store, clock = systemClock },
  done,
) => {
  // The definition's hash must be over the exact bytes received, so in this plugin the
  // body is never parsed by Fastify: JSON arrives as a Buffer, other types get a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: MAX_DEFINITION_BYTES },
    (_request, body, parsed) => {
      parsed(null, body);
    },
  );

  app.post(
    '/api/elections',
    {
      bodyLimit: MAX_DEFINITION_BYTES,
      schema: { querystring: NO_QUERY, response: { 200: loadResponse, 201: loadResponse } },
    },
    async (request, reply) => {
      const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = await loadElection(store, bytes, clock);
      if (!result.ok) {
        const failure = result.error;
        switch (failure.kind) {
          case 'invalid':
            throw new InvalidDocumentError(describeProblems(failure.problems), failure.problems);
          case 'conflict':
            throw failure.error;
          default:
            return missingCase(failure);
        }
      }
      const { created, ...loaded } = result.value;
      request.log.info(
        { event: 'election-loaded', electionId: loaded.electionId, hash: loaded.hash, created },
        created ? 'election definition loaded' : 'election definition was already loaded',
      );
      const body: ElectionLoadResponse = loaded;
      return reply
        .code(created ? 201 : 200)
        .header('location', `/api/elections/${encodeURIComponent(loaded.electionId)}`)
        .send(body);
    },
  );

  app.get(
    '/api/elections',
    { schema: { querystring: NO_QUERY, response: { 200: listResponse } } },
    async (): Promise<ElectionListResponse> => ({ elections: await listElections(store) }),
  );

  // A static segment wins over a parameter in Fastify's router, so `current` is never
  // taken for an election id.
  app.get(
    '/api/elections/current',
    { schema: { querystring: NO_QUERY, response: { 200: detailResponse } } },
    async () => getCurrentElection(store),
  );

  app.get<{ Params: { electionId: string } }>(
    '/api/elections/:electionId',
    {
      schema: {
        params: {
          type: 'object',
          required: ['electionId'],
          additionalProperties: false,
          properties: { electionId: ELECTION_ID },
        },
        querystring: NO_QUERY,
        response: { 200: detailResponse },
      },
    },
    async (request) => getElection(store, request.params.electionId),
  );

  done();
};
