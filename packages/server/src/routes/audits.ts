import type { FastifyPluginCallback } from 'fastify';
import { systemClock, type Clock } from '@vigil/core';
import type { Store } from '@vigil/store';
import { requireOfficial, rolesFor } from '../auth/index.ts';
import { auditReport, type AuditState } from '@vigil/tally';
import {
  applyAuditStep,
  ballotEntryFrom,
  createAudit,
  getAudit,
  type AuditPlanInput,
} from '../audits.ts';

/**
 * `/api/audits`: risk-limiting audits as audit boards run them. Start an audit (contest,
 * risk limit, public seed, ballot manifest), draw a round, enter what each sampled paper
 * ballot shows, close the round to measure the risk, and read the report.
 *
 * Reading is public: observers follow every round and check the draw from the public
 * seed. Every step that changes an audit needs a signed-in official allowed to manage
 * the election (`election.manage`, auth/policy.ts), as the tally does: whoever could
 * enter a sampled ballot's votes or close a round could steer the audit's verdict.
 */

const AUDIT_ID = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } as const;
const BALLOT_ID = { type: 'string', minLength: 1, maxLength: 200 } as const;
const VOTES = {
  type: 'object',
  maxProperties: 1000,
  additionalProperties: { type: 'integer', minimum: 0 },
} as const;

const createBody = {
  type: 'object',
  required: ['auditId', 'method', 'contest', 'riskLimit', 'seed', 'manifestCsv'],
  additionalProperties: false,
  properties: {
    auditId: AUDIT_ID,
    method: { type: 'string', enum: ['ballot-polling', 'ballot-comparison'] },
    contest: {
      type: 'object',
      required: ['id', 'votes', 'ballots', 'numWinners'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', minLength: 1, maxLength: 64 },
        votes: VOTES,
        ballots: { type: 'integer', minimum: 1 },
        numWinners: { type: 'integer', minimum: 1 },
      },
    },
    riskLimit: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    seed: { type: 'string', minLength: 1, maxLength: 200 },
    manifestCsv: { type: 'string', minLength: 1 },
    recorded: { type: 'object', additionalProperties: VOTES },
    gamma: { type: 'number', exclusiveMinimum: 1 },
    completion: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
  },
} as const;

/** The state as JSON: rounds with their sampled ballots and whether each was entered. */
function describe(auditId: string, state: AuditState) {
  return {
    auditId,
    method: state.plan.method,
    contestId: state.plan.contest.id,
    riskLimit: state.plan.riskLimit,
    seed: state.plan.seed,
    status: state.status,
    nextRoundSize: state.nextRoundSize,
    rounds: state.rounds.map((r) => ({
      round: r.round,
      risk: r.risk ?? null,
      ballots: r.ballots.map((b) => ({
        draw: b.draw,
        batchId: b.batchId,
        position: b.position,
        ballotId: b.ballotId,
        timesSampled: b.timesSampled,
        entry: r.entries[b.ballotId] ?? null,
      })),
    })),
  };
}

export interface AuditRoutesOptions {
  store: Store;
  clock?: Clock;
}

export const auditRoutes: FastifyPluginCallback<AuditRoutesOptions> = (app, options, done) => {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const admin = requireOfficial({ store, roles: rolesFor('election.manage'), clock });

  app.get('/api/audits', async () => ({
    audits: (await store.listAudits()).map((a) => ({
      auditId: a.auditId,
      createdAt: a.createdAt.toISOString(),
    })),
  }));

  app.post<{ Body: AuditPlanInput & { auditId: string } }>(
    '/api/audits',
    { schema: { body: createBody }, bodyLimit: 20 * 1024 * 1024, preHandler: admin },
    async (request, reply) => {
      const { auditId, ...input } = request.body;
      const state = await createAudit(store, auditId, input, clock.now());
      return reply.code(201).send(describe(auditId, state));
    },
  );

  app.get<{ Params: { auditId: string } }>(
    '/api/audits/:auditId',
    { schema: { params: { type: 'object', properties: { auditId: AUDIT_ID } } } },
    async (request) =>
      describe(request.params.auditId, await getAudit(store, request.params.auditId)),
  );

  app.get<{ Params: { auditId: string } }>(
    '/api/audits/:auditId/report',
    { schema: { params: { type: 'object', properties: { auditId: AUDIT_ID } } } },
    async (request, reply) => {
      const state = await getAudit(store, request.params.auditId);
      return reply.type('text/plain; charset=utf-8').send(auditReport(state));
    },
  );

  app.post<{ Params: { auditId: string }; Body: { size?: number } | undefined }>(
    '/api/audits/:auditId/rounds',
    {
      schema: {
        params: { type: 'object', properties: { auditId: AUDIT_ID } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { size: { type: 'integer', minimum: 1, maximum: 10_000_000 } },
        },
      },
      preHandler: admin,
    },
    async (request, reply) => {
      const { auditId } = request.params;
      const current = await getAudit(store, auditId);
      const size = request.body?.size ?? current.nextRoundSize;
      const state = await applyAuditStep(
        store,
        auditId,
        { type: 'round-started', size },
        clock.now(),
      );
      return reply.code(201).send(describe(auditId, state));
    },
  );

  app.put<{ Params: { auditId: string; ballotId: string }; Body: unknown }>(
    '/api/audits/:auditId/ballots/:ballotId',
    {
      schema: {
        params: { type: 'object', properties: { auditId: AUDIT_ID, ballotId: BALLOT_ID } },
        body: {
          type: 'object',
          required: ['kind'],
          additionalProperties: false,
          properties: { kind: { type: 'string', enum: ['votes', 'not-found'] }, votes: VOTES },
        },
      },
      preHandler: admin,
    },
    async (request) => {
      const { auditId, ballotId } = request.params;
      const entry = ballotEntryFrom(request.body);
      const state = await applyAuditStep(
        store,
        auditId,
        { type: 'ballot-recorded', ballotId, entry },
        clock.now(),
      );
      return describe(auditId, state);
    },
  );

  app.post<{ Params: { auditId: string } }>(
    '/api/audits/:auditId/rounds/current/close',
    {
      schema: { params: { type: 'object', properties: { auditId: AUDIT_ID } } },
      preHandler: admin,
    },
    async (request) => {
      const { auditId } = request.params;
      const state = await applyAuditStep(store, auditId, { type: 'round-closed' }, clock.now());
      return describe(auditId, state);
    },
  );

  done();
};
