import type { FastifyPluginCallback } from 'fastify';
import { readIsoTemplate } from '@vigil/biometrics';
import { InvalidInputError } from '@vigil/core';
import {
  checkCaptureQuality,
  enrolVoter,
  FINGER_NAMES,
  type FingerCapture,
  type FingerPosition,
  type RegistryRuntime,
} from '@vigil/registry';
import { officialOf, requireOfficial, rolesFor } from '../auth/index.ts';
import { problemFromError, sendProblem } from '../problem.ts';

/**
 * `POST /api/voters/:voterId/enrolment-templates`: enrolment from fingerprint templates
 * that the capture device extracted itself, as ISO/IEC 19794-2:2005 finger minutiae
 * records (base64), instead of the scanner's images. It is the usual split of
 * enrolment stations with their own extractor (extraction at the capture device,
 * matching and de-duplication at the registry), the enrolment twin of the check-in
 * route's `fingerprint.template`, and what `vigil demo` uses to enrol a thousand
 * synthetic voters in seconds. Everything after decoding is the image route's
 * `enrolVoter`: the same quality bar, 1:N de-duplication, review queue, envelope
 * encryption and ledger entries.
 */

export interface EnrolmentTemplateRoutesOptions {
  /** The opened registry; without one the registry routes' 503 covers this path. */
  registry: RegistryRuntime | undefined;
}

/** Response of the route (the same fields as the image route's). */
export interface EnrolmentTemplatesResponse {
  voterId: string;
  positions: number[];
  face: boolean;
  reviews: string[];
  suspectedDuplicates: number;
}

// An ISO/IEC 19794-2 record of at most 255 minutiae is under 2 kB; 8 kB of base64 is ample.
const TEMPLATE = { type: 'string', minLength: 4, maxLength: 8192 } as const;

export const enrolmentTemplateRoutes: FastifyPluginCallback<EnrolmentTemplateRoutesOptions> = (
  app,
  options,
  done,
) => {
  const runtime = options.registry;
  if (runtime === undefined) {
    done();
    return;
  }
  const { store, clock } = runtime;
  app.post<{
    Params: { voterId: string };
    Body: { fingers: { position: number; template: string }[] };
  }>(
    '/api/voters/:voterId/enrolment-templates',
    {
      preValidation: requireOfficial({
        store,
        roles: rolesFor('voters.enroll'),
        station: 'optional',
        clock,
      }),
      schema: {
        params: {
          type: 'object',
          properties: { voterId: { type: 'string', minLength: 1, maxLength: 128 } },
        },
        body: {
          type: 'object',
          required: ['fingers'],
          additionalProperties: false,
          properties: {
            fingers: {
              type: 'array',
              minItems: 1,
              maxItems: 10,
              items: {
                type: 'object',
                required: ['position', 'template'],
                additionalProperties: false,
                properties: {
                  position: { type: 'integer', minimum: 1, maximum: 10 },
                  template: TEMPLATE,
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { voterId } = request.params;
      const fingers: FingerCapture[] = [];
      for (const [i, f] of request.body.fingers.entries()) {
        const position = f.position as FingerPosition;
        const template = /^[A-Za-z0-9+/]*={0,2}$/.test(f.template)
          ? readIsoTemplate(new Uint8Array(Buffer.from(f.template, 'base64')))
          : undefined;
        if (template?.ok !== true) {
          return sendProblem(
            request,
            reply,
            problemFromError(
              new InvalidInputError(
                `fingers[${i}].template (the ${FINGER_NAMES[position]}) is not a base64 ISO/IEC 19794-2 finger minutiae record${template === undefined ? '' : `: ${template.error.message}`}`,
                {
                  path: `fingers[${i}].template`,
                  hint: 'Send the capture device’s FMR record, base64-encoded (RFC 4648).',
                },
              ),
            ),
          );
        }
        const capture = checkCaptureQuality({ position, template: template.value });
        if (!capture.ok) return sendProblem(request, reply, problemFromError(capture.error));
        fingers.push(capture.value);
      }
      const enrolled = await enrolVoter(
        { store, keyring: runtime.keyring, search: runtime.search },
        {
          voterId,
          fingers,
          officialId: officialOf(request).officialId,
          stationId: request.station?.stationId ?? 'vigil-server',
          time: clock.now(),
        },
      );
      if (!enrolled.ok) return sendProblem(request, reply, problemFromError(enrolled.error));
      const outcome = enrolled.value;
      const body: EnrolmentTemplatesResponse = {
        voterId: outcome.voterId,
        positions: [...outcome.positions],
        face: outcome.face,
        reviews: outcome.reviews.map((r) => r.reviewId),
        suspectedDuplicates: outcome.reviews.length,
      };
      return reply.code(201).send(body);
    },
  );
  done();
};
