import type { FastifyPluginCallback } from 'fastify';
import type { Clock } from '@vigil/core';
import type { Store } from '@vigil/store';
import { requireOfficial, rolesFor } from '../auth/index.ts';
import { problemFromError, sendProblem } from '../problem.ts';
import type { DemoVoters } from '../demo/voters.ts';

export type { DemoVoterListResponse, DemoVoterView } from '../demo/voters.ts';

/**
 * The demo's fingerprint scanner: synthetic impressions of the demo voters' fingers,
 * rendered on demand, for a polling station to check voters in with (and to try an
 * impostor: any demo voter's finger can be scanned for any voter). Only a server that
 * seeded the demo voters answers; elsewhere these routes are 404, so a real election
 * has no way to ask for anyone's fingerprint. A signed-in poll worker or supervisor at a
 * station is needed, like for a check-in.
 */

export interface DemoRoutesOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly demo: DemoVoters | undefined;
}

export const demoRoutes: FastifyPluginCallback<DemoRoutesOptions> = (app, options, done) => {
  const { demo } = options;
  const guard = requireOfficial({
    store: options.store,
    roles: rolesFor('checkin'),
    station: 'required',
    clock: options.clock,
  });
  const notRunning = {
    status: 404,
    code: 'demo-not-running',
    detail:
      'This server is not running the demo: the demo scanner exists only on a data folder seeded with demo voters by a fresh `npm start`.',
  };

  app.get('/api/demo/voters', { preValidation: guard }, (request, reply) => {
    if (demo?.active !== true) return sendProblem(request, reply, notRunning);
    return demo.list();
  });

  app.get<{ Params: { voterId: string; finger: number; impression: number } }>(
    '/api/demo/fingerprints/:voterId/:finger/:impression',
    {
      preValidation: guard,
      schema: {
        params: {
          type: 'object',
          required: ['voterId', 'finger', 'impression'],
          properties: {
            voterId: { type: 'string', minLength: 1, maxLength: 64 },
            finger: { type: 'integer' },
            impression: { type: 'integer' },
          },
        },
      },
    },
    async (request, reply) => {
      if (demo?.active !== true) return sendProblem(request, reply, notRunning);
      const { voterId, finger, impression } = request.params;
      const image = await demo.scan(voterId, finger, impression);
      if (!image.ok) return sendProblem(request, reply, problemFromError(image.error));
      return reply
        .header('content-type', 'image/png')
        .header('cache-control', 'no-store')
        .send(Buffer.from(image.value));
    },
  );

  done();
};
