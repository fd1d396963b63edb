import type { FastifyPluginCallback } from 'fastify';
import type { Store } from '@vigil/store';
import type { HealthResponse } from '../api-types.ts';
import { sendProblem } from '../problem.ts';

const healthSchema = {
  querystring: { type: 'object', properties: {}, additionalProperties: false },
  response: {
    200: {
      type: 'object',
      required: ['status', 'store', 'elections'],
      additionalProperties: false,
      properties: {
        status: { type: 'string', enum: ['ok'] },
        store: { type: 'string' },
        elections: { type: 'integer', minimum: 0 },
      },
    },
  },
} as const;

/** `GET /healthz`: 200 only when the store answers a query, 503 when it does not. */
export const healthRoutes: FastifyPluginCallback<{ store: Store }> = (app, { store }, done) => {
  app.get('/healthz', { schema: healthSchema }, async (request, reply) => {
    let elections: number;
    try {
      // A count is a real round trip to the database, so a dead connection shows here.
      elections = await store.countElections();
    } catch (error) {
      request.log.error(
        { event: 'health-store-unavailable', err: error },
        'health check: the store did not answer',
      );
      return sendProblem(request, reply, {
        status: 503,
        code: 'store-unavailable',
        detail: 'The server is running but its database did not answer; check the store logs.',
      });
    }
    const body: HealthResponse = { status: 'ok', store: store.dialect, elections };
    return body;
  });
  done();
};
