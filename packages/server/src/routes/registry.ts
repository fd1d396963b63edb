import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import {
  captureFace,
  extractTemplate,
  readIsoTemplate,
  type FaceTemplate,
  type FingerprintTemplate,
} from '@vigil/biometrics';
import { err, InvalidInputError, ok, type Result, type VigilError } from '@vigil/core';
import {
  captureFinger,
  checkIn,
  CheckInRefusedError,
  decideReview,
  enrolVoter,
  importRoll,
  issueCredential,
  issueProvisionalBallot,
  listPendingReviews,
  overrideCheckIn,
  readCsvRoll,
  readVriRoll,
  RollImportError,
  receiveStationJournal,
  searchVoters,
  spendCredential,
  type CheckInRefusalReason,
  type FingerCapture,
  type FingerPosition,
  type RegistryRuntime,
  type StationContext,
  type StationSyncBatch,
  type Voter,
  type VoterSearch,
  type VoterSearchHit,
} from '@vigil/registry';
import {
  officialOf,
  requireOfficial,
  requireStation,
  rolesFor,
  SECOND_OFFICIAL_HEADER,
  stationOf,
  verifySecondOfficial,
} from '../auth/index.ts';
import { problemFromError, sendProblem, type ProblemInit } from '../problem.ts';

/**
 * The registry's HTTP API: the roll, enrolment and the de-duplication queue for
 * registrars; search, check-in, the supervised override, provisional ballots, ballot
 * credentials and station sync for polling stations; and the ballot box's credential
 * spend. Every route but the public key list is authenticated (see auth/), and each
 * is a thin layer over @vigil/registry: it decodes the request, calls the library and
 * turns its Result into a response.
 *
 * Images travel as base64 in JSON (`image`), never stored: the library reduces each to a
 * template and drops it.
 */

export interface RegistryRoutesOptions {
  /** The opened registry; without one every route answers 503. */
  registry: RegistryRuntime | undefined;
  /** Why there is no registry, for the 503 (e.g. the master key is missing). */
  unavailable?: string;
}

const VOTER_ID = { type: 'string', minLength: 1, maxLength: 128 } as const;
const SHORT_ID = { type: 'string', minLength: 1, maxLength: 128 } as const;
// 6 MB of base64 is a 4.5 MB image: far above any fingerprint scanner's output.
const IMAGE = { type: 'string', minLength: 4, maxLength: 6_000_000 } as const;
const DPI = { type: 'integer', minimum: 250, maximum: 2000 } as const;
const BLINDED = { type: 'string', minLength: 4, maxLength: 2048 } as const;
// A station sends the scanner's image, or the ISO/IEC 19794-2 record its own extractor
// made (the usual split: extraction at the capture device, matching on the server).
const FINGERPRINT = {
  type: 'object',
  additionalProperties: false,
  properties: {
    image: IMAGE,
    dpi: DPI,
    template: { type: 'string', minLength: 4, maxLength: 8192 },
  },
} as const;

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

function fromBase64(text: string, field: string): Result<Uint8Array, InvalidInputError> {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) {
    return err(
      new InvalidInputError(`${field} is not base64.`, {
        path: field,
        hint: 'Send the bytes base64-encoded (RFC 4648).',
      }),
    );
  }
  return ok(new Uint8Array(Buffer.from(text, 'base64')));
}

/** HTTP status of each check-in refusal. */
const REFUSAL_STATUS: Readonly<Record<CheckInRefusalReason, number>> = {
  'not-on-roll': 404,
  removed: 403,
  inactive: 403,
  'blocked-duplicate': 403,
  'wrong-polling-place': 409,
  'roll-mismatch': 409,
  'already-voted': 409,
  'no-match': 422,
  'attempts-exhausted': 423,
  'not-enrolled': 409,
  'override-refused': 403,
  'override-not-needed': 409,
  'on-the-roll': 409,
  'credential-refused': 409,
};

function refusalProblem(error: CheckInRefusedError): ProblemInit {
  return {
    status: REFUSAL_STATUS[error.reason],
    title: 'Check-in refused',
    code: error.code,
    detail: error.message,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    extensions: {
      reason: error.reason,
      ...(error.goTo === undefined ? {} : { goTo: { ...error.goTo } }),
      ...(error.attemptsLeft === undefined ? {} : { attemptsLeft: error.attemptsLeft }),
    },
  };
}

function fail(request: FastifyRequest, reply: FastifyReply, error: VigilError): FastifyReply {
  return sendProblem(
    request,
    reply,
    error instanceof CheckInRefusedError ? refusalProblem(error) : problemFromError(error),
  );
}

/** What a station sees of a voter: enough to confirm the person, nothing more. */
function voterView(voter: Voter) {
  return {
    voterId: voter.voterId,
    givenName: voter.givenName,
    ...(voter.middleName === undefined ? {} : { middleName: voter.middleName }),
    familyName: voter.familyName,
    birthDate: voter.birthDate,
    address: voter.address,
    precinctId: voter.precinctId,
    ...(voter.splitId === undefined ? {} : { splitId: voter.splitId }),
    ballotStyleId: voter.ballotStyleId,
    status: voter.status,
    ...(voter.blockedAsDuplicateOf === undefined
      ? {}
      : { blockedAsDuplicateOf: voter.blockedAsDuplicateOf }),
  };
}

function searchView(hits: readonly VoterSearchHit[]) {
  return {
    voters: hits.map((h) => ({
      ...voterView(h.voter),
      similarity: h.similarity,
      matchedBy: h.matchedBy,
    })),
  };
}

function stationContext(request: FastifyRequest): StationContext {
  const official = officialOf(request);
  const station = stationOf(request);
  return {
    stationId: station.stationId,
    pollingPlace: station.pollingPlace,
    official: { officialId: official.officialId, role: official.role },
  };
}

export const registryRoutes: FastifyPluginCallback<RegistryRoutesOptions> = (
  app,
  options,
  done,
) => {
  const runtime = options.registry;
  if (runtime === undefined) {
    const detail = options.unavailable ?? 'The voter registry is not running on this server.';
    for (const path of [
      '/api/registry',
      '/api/registry/*',
      '/api/voters',
      '/api/voters/*',
      '/api/checkins',
      '/api/checkins/*',
      '/api/roll/*',
      '/api/provisional-ballots',
      '/api/ballot-box/*',
      '/api/station-sync',
    ]) {
      app.all(path, (request, reply) =>
        sendProblem(request, reply, { status: 503, code: 'registry-unavailable', detail }),
      );
    }
    done();
    return;
  }
  const { store } = runtime;
  const clock = runtime.clock;
  const guard = (action: Parameters<typeof rolesFor>[0], station: 'required' | 'optional') =>
    requireOfficial({ store, roles: rolesFor(action), station, clock });

  // Public: what a station or ballot box needs to check credentials.
  app.get('/api/registry', () => ({
    electionId: runtime.election.id,
    electionHash: runtime.electionHash,
    credentialSuite: 'RSABSSA-SHA384-PSS-Randomized',
    credentialKeys: runtime.publicKeys.map((k) => ({
      ballotStyleId: k.ballotStyleId,
      keyId: k.keyId,
      spki: base64(k.spki),
    })),
  }));

  // --- The roll -----------------------------------------------------------------------

  // The roll file arrives as raw bytes (its hash goes to the ledger), so this route has
  // its own body parsers, scoped to it: every other route keeps Fastify's JSON parser.
  void app.register((sub, _opts, registered) => {
    sub.removeAllContentTypeParsers();
    sub.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: 64 * 1024 * 1024 },
      (_req, body, parsed) => {
        parsed(null, body);
      },
    );
    sub.post<{ Querystring: { format?: string; precinct?: string } }>(
      '/api/roll/imports',
      {
        preValidation: guard('roll.import', 'optional'),
        bodyLimit: 64 * 1024 * 1024,
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              format: { type: 'string', enum: ['csv', 'vri'] },
              precinct: { type: 'string', minLength: 1, maxLength: 64 },
            },
          },
        },
      },
      async (request, reply) => {
        const bytes = rawBody(request.body);
        if (bytes === undefined) {
          return sendProblem(request, reply, {
            status: 415,
            code: 'roll-unsupported-body',
            detail:
              'Send the roll file as the body: text/csv for CSV, application/json for NIST SP 1500-102.',
          });
        }
        const format: 'csv' | 'vri' =
          request.query.format === 'vri' || request.query.format === 'csv'
            ? request.query.format
            : request.headers['content-type']?.includes('json') === true
              ? 'vri'
              : 'csv';
        const rows =
          format === 'vri'
            ? readVriRoll(
                bytes,
                request.query.precinct === undefined ? {} : { precinctId: request.query.precinct },
              )
            : readCsvRoll(bytes);
        if (!rows.ok) return sendRollProblem(request, reply, rows.error);
        const official = officialOf(request);
        const imported = await importRoll(store, {
          rows: rows.value,
          format,
          fileBytes: bytes,
          election: runtime.election,
          actorId: official.officialId,
          stationId: request.station?.stationId ?? 'vigil-server',
          time: clock.now(),
        });
        if (!imported.ok) return sendRollProblem(request, reply, imported.error);
        return reply.code(201).send(imported.value);
      },
    );
    registered();
  });

  app.get<{
    Querystring: { name?: string; birthDate?: string; voterId?: string; limit?: number };
  }>(
    '/api/voters',
    {
      preValidation: guard('voters.search', 'optional'),
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            birthDate: { type: 'string', minLength: 1, maxLength: 32 },
            voterId: VOTER_ID,
            limit: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      let search: VoterSearch;
      if (q.voterId !== undefined) search = { kind: 'voter-id', voterId: q.voterId };
      else if (q.name !== undefined)
        search = {
          kind: 'name',
          text: q.name,
          ...(q.birthDate === undefined ? {} : { birthDate: q.birthDate }),
        };
      else if (q.birthDate !== undefined) search = { kind: 'birth-date', birthDate: q.birthDate };
      else {
        return sendProblem(request, reply, {
          status: 400,
          code: 'voter-search-empty',
          detail: 'Say what to search for: name, birthDate or voterId.',
        });
      }
      const hits = await searchVoters(
        store,
        search,
        q.limit === undefined ? {} : { limit: q.limit },
      );
      if (!hits.ok) return fail(request, reply, hits.error);
      return searchView(hits.value);
    },
  );

  app.post<{ Body: { payload: string } }>(
    '/api/voters/barcode-search',
    {
      preValidation: guard('voters.search', 'optional'),
      schema: {
        body: {
          type: 'object',
          required: ['payload'],
          additionalProperties: false,
          properties: { payload: { type: 'string', minLength: 1, maxLength: 4096 } },
        },
      },
    },
    async (request, reply) => {
      const hits = await searchVoters(store, { kind: 'barcode', payload: request.body.payload });
      if (!hits.ok) return fail(request, reply, hits.error);
      return searchView(hits.value);
    },
  );

  // --- Enrolment and de-duplication ----------------------------------------------------

  app.post<{
    Params: { voterId: string };
    Body: {
      fingers: { position: number; image: string; dpi?: number }[];
      face?: { image: string };
    };
  }>(
    '/api/voters/:voterId/enrolment',
    {
      preValidation: guard('voters.enroll', 'optional'),
      bodyLimit: 40 * 1024 * 1024,
      schema: {
        params: { type: 'object', properties: { voterId: VOTER_ID } },
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
                required: ['position', 'image'],
                additionalProperties: false,
                properties: {
                  position: { type: 'integer', minimum: 1, maximum: 10 },
                  image: IMAGE,
                  dpi: DPI,
                },
              },
            },
            face: {
              type: 'object',
              required: ['image'],
              additionalProperties: false,
              properties: { image: IMAGE },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { voterId } = request.params;
      if ((await store.getVoter(voterId)) === undefined) {
        return sendProblem(request, reply, {
          status: 404,
          code: 'voter-not-found',
          detail: `Voter "${voterId}" is not on the roll; import the roll before enrolling.`,
        });
      }
      const fingers: FingerCapture[] = [];
      for (const [i, f] of request.body.fingers.entries()) {
        const bytes = fromBase64(f.image, `fingers[${i}].image`);
        if (!bytes.ok) return fail(request, reply, bytes.error);
        const capture = captureFinger(
          f.position as FingerPosition,
          bytes.value,
          f.dpi === undefined ? {} : { dpi: f.dpi },
        );
        if (!capture.ok) return fail(request, reply, capture.error);
        fingers.push(capture.value);
      }
      let face: FaceTemplate | undefined;
      if (request.body.face !== undefined) {
        const bytes = fromBase64(request.body.face.image, 'face.image');
        if (!bytes.ok) return fail(request, reply, bytes.error);
        const captured = await captureFace(bytes.value);
        if (!captured.ok) return fail(request, reply, captured.error);
        face = captured.value.template;
      }
      const official = officialOf(request);
      const enrolled = await enrolVoter(
        { store, keyring: runtime.keyring, search: runtime.search },
        {
          voterId,
          fingers,
          ...(face === undefined ? {} : { face }),
          officialId: official.officialId,
          stationId: request.station?.stationId ?? 'vigil-server',
          time: clock.now(),
        },
      );
      if (!enrolled.ok) return fail(request, reply, enrolled.error);
      const outcome = enrolled.value;
      return reply.code(201).send({
        voterId: outcome.voterId,
        positions: outcome.positions,
        face: outcome.face,
        reviews: outcome.reviews.map((r) => r.reviewId),
        suspectedDuplicates: outcome.reviews.length,
      });
    },
  );

  app.get(
    '/api/registry/reviews',
    { preValidation: guard('reviews.decide', 'optional') },
    async () => ({ reviews: await listPendingReviews(store) }),
  );

  app.post<{
    Params: { reviewId: string };
    Body: { decision: 'same-person' | 'different-people'; reason: string };
  }>(
    '/api/registry/reviews/:reviewId/decision',
    {
      preValidation: guard('reviews.decide', 'optional'),
      schema: {
        params: {
          type: 'object',
          properties: { reviewId: { type: 'string', minLength: 1, maxLength: 128 } },
        },
        body: {
          type: 'object',
          required: ['decision', 'reason'],
          additionalProperties: false,
          properties: {
            decision: { type: 'string', enum: ['same-person', 'different-people'] },
            reason: { type: 'string', minLength: 1, maxLength: 1000 },
          },
        },
      },
    },
    async (request, reply) => {
      const decided = await decideReview(store, {
        reviewId: request.params.reviewId,
        decision: request.body.decision,
        reason: request.body.reason,
        officialId: officialOf(request).officialId,
        stationId: request.station?.stationId ?? 'vigil-server',
        time: clock.now(),
      });
      if (!decided.ok) return fail(request, reply, decided.error);
      return decided.value;
    },
  );

  // --- Check-in at the polling station ----------------------------------------------

  app.post<{
    Body: {
      voterId: string;
      fingerprint: { image?: string; dpi?: number; template?: string };
      blindedMessage?: string;
    };
  }>(
    '/api/checkins',
    {
      preValidation: guard('checkin', 'required'),
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        body: {
          type: 'object',
          required: ['voterId', 'fingerprint'],
          additionalProperties: false,
          properties: { voterId: VOTER_ID, fingerprint: FINGERPRINT, blindedMessage: BLINDED },
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const probe = probeTemplate(body.fingerprint);
      if (!probe.ok) {
        return sendProblem(request, reply, {
          ...problemFromError(probe.error),
          hint: 'Retake the finger: clean the sensor and the finger, press flat, hold still. This does not count as an attempt.',
        });
      }
      const blinded = optionalBytes(body.blindedMessage, 'blindedMessage');
      if (!blinded.ok) return fail(request, reply, blinded.error);
      const result = await checkIn(runtime.checkIn, stationContext(request), {
        voterId: body.voterId,
        fingerprint: probe.value,
        ...(blinded.value === undefined ? {} : { blindedMessage: blinded.value }),
      });
      if (!result.ok) return fail(request, reply, result.error);
      return reply.code(201).send(checkInView(result.value));
    },
  );

  app.post<{
    Body: { voterId: string; reason: string; idDocumentChecked: boolean; blindedMessage?: string };
  }>(
    '/api/checkins/override',
    {
      preValidation: guard('checkin', 'required'),
      schema: {
        body: {
          type: 'object',
          required: ['voterId', 'reason', 'idDocumentChecked'],
          additionalProperties: false,
          properties: {
            voterId: VOTER_ID,
            reason: { type: 'string', maxLength: 1000 },
            idDocumentChecked: { type: 'boolean' },
            blindedMessage: BLINDED,
          },
        },
      },
    },
    async (request, reply) => {
      const station = stationContext(request);
      const second = await verifySecondOfficial(store, request.headers[SECOND_OFFICIAL_HEADER], {
        acting: officialOf(request),
        pollingPlace: station.pollingPlace,
        roles: ['supervisor'],
        clock,
      });
      const blinded = optionalBytes(request.body.blindedMessage, 'blindedMessage');
      if (!blinded.ok) return fail(request, reply, blinded.error);
      // A refused second official still goes through the library, so the refusal is
      // recorded in the ledger like every other failed override.
      const result = await overrideCheckIn(runtime.checkIn, station, {
        voterId: request.body.voterId,
        ...(second.ok
          ? { supervisor: { officialId: second.value.officialId, role: second.value.role } }
          : {}),
        reason: request.body.reason,
        idDocumentChecked: request.body.idDocumentChecked,
        ...(blinded.value === undefined ? {} : { blindedMessage: blinded.value }),
      });
      if (!second.ok) return sendProblem(request, reply, second.error);
      if (!result.ok) return fail(request, reply, result.error);
      return reply.code(201).send(checkInView(result.value));
    },
  );

  app.post<{ Params: { checkInId: string }; Body: { voterId: string; blindedMessage: string } }>(
    '/api/checkins/:checkInId/credential',
    {
      preValidation: guard('checkin', 'required'),
      schema: {
        params: {
          type: 'object',
          properties: { checkInId: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        body: {
          type: 'object',
          required: ['voterId', 'blindedMessage'],
          additionalProperties: false,
          properties: { voterId: VOTER_ID, blindedMessage: BLINDED },
        },
      },
    },
    async (request, reply) => {
      const blinded = fromBase64(request.body.blindedMessage, 'blindedMessage');
      if (!blinded.ok) return fail(request, reply, blinded.error);
      const signed = await issueCredential(runtime.checkIn, stationContext(request), {
        voterId: request.body.voterId,
        checkInId: request.params.checkInId,
        blindedMessage: blinded.value,
      });
      if (!signed.ok) return fail(request, reply, signed.error);
      return reply.code(201).send({ blindSignature: base64(signed.value) });
    },
  );

  app.post<{ Body: { claimedVoterId?: string; reason: string; ballotStyleId?: string } }>(
    '/api/provisional-ballots',
    {
      preValidation: guard('checkin', 'required'),
      schema: {
        body: {
          type: 'object',
          required: ['reason'],
          additionalProperties: false,
          properties: {
            claimedVoterId: VOTER_ID,
            reason: { type: 'string', minLength: 1, maxLength: 1000 },
            ballotStyleId: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
      },
    },
    async (request, reply) => {
      const issued = await issueProvisionalBallot(
        runtime.checkIn,
        stationContext(request),
        request.body,
      );
      if (!issued.ok) return fail(request, reply, issued.error);
      return reply.code(201).send(issued.value);
    },
  );

  app.post<{ Body: StationSyncBatch }>(
    '/api/station-sync',
    {
      preValidation: guard('checkin', 'required'),
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        body: {
          type: 'object',
          required: ['stationId', 'electionId', 'sentAt', 'checkIns'],
          additionalProperties: false,
          properties: {
            stationId: SHORT_ID,
            electionId: SHORT_ID,
            sentAt: {
              type: 'object',
              required: ['wallMs', 'counter', 'node'],
              additionalProperties: false,
              properties: {
                wallMs: { type: 'integer', minimum: 0, maximum: 8.64e15 },
                counter: { type: 'integer', minimum: 0, maximum: 99_999 },
                node: SHORT_ID,
              },
            },
            checkIns: {
              type: 'array',
              maxItems: 100_000,
              items: {
                type: 'object',
                required: [
                  'stationId',
                  'hlc',
                  'checkInId',
                  'electionId',
                  'voterId',
                  'officialId',
                  'method',
                  'ballotStyleId',
                ],
                additionalProperties: false,
                properties: {
                  stationId: SHORT_ID,
                  hlc: { type: 'string', minLength: 1, maxLength: 160 },
                  checkInId: SHORT_ID,
                  electionId: SHORT_ID,
                  voterId: VOTER_ID,
                  officialId: SHORT_ID,
                  method: { type: 'string', enum: ['biometric', 'override'] },
                  ballotStyleId: SHORT_ID,
                },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const station = stationOf(request);
      if (request.body.stationId !== station.stationId) {
        return sendProblem(request, reply, {
          status: 403,
          code: 'station-sync-not-yours',
          detail: `This session is on station ${station.stationId}; it cannot send the journal of station ${request.body.stationId}.`,
        });
      }
      const received = await receiveStationJournal(store, {
        batch: request.body,
        electionId: runtime.election.id,
        registryClock: runtime.hlc,
        clock,
      });
      if (!received.ok) return fail(request, reply, received.error);
      return received.value;
    },
  );

  // --- The ballot box ---------------------------------------------------------------

  app.post<{
    Body: {
      ballotStyleId: string;
      credential: {
        electionId: string;
        ballotStyleId: string;
        preparedMessage: string;
        signature: string;
      };
    };
  }>(
    '/api/ballot-box/credentials',
    {
      preValidation: requireStation({ store }),
      schema: {
        body: {
          type: 'object',
          required: ['ballotStyleId', 'credential'],
          additionalProperties: false,
          properties: {
            ballotStyleId: { type: 'string', minLength: 1, maxLength: 64 },
            credential: {
              type: 'object',
              required: ['electionId', 'ballotStyleId', 'preparedMessage', 'signature'],
              additionalProperties: false,
              properties: {
                electionId: { type: 'string', minLength: 1, maxLength: 128 },
                ballotStyleId: { type: 'string', minLength: 1, maxLength: 64 },
                preparedMessage: { type: 'string', minLength: 4, maxLength: 1024 },
                signature: BLINDED,
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const c = request.body.credential;
      const prepared = fromBase64(c.preparedMessage, 'credential.preparedMessage');
      if (!prepared.ok) return fail(request, reply, prepared.error);
      const signature = fromBase64(c.signature, 'credential.signature');
      if (!signature.ok) return fail(request, reply, signature.error);
      const spent = await spendCredential(store, {
        credential: {
          electionId: c.electionId,
          ballotStyleId: c.ballotStyleId,
          preparedMessage: prepared.value,
          signature: signature.value,
        },
        ballotStyleId: request.body.ballotStyleId,
        electionId: runtime.election.id,
        publicKeys: runtime.publicKeys,
        ballotBoxId: stationOf(request).stationId,
        clock,
      });
      if (!spent.ok) {
        return sendProblem(request, reply, {
          status: spent.error.reason === 'already-spent' ? 409 : 403,
          title: 'Credential refused',
          code: spent.error.code,
          detail: spent.error.message,
          extensions: { reason: spent.error.reason },
        });
      }
      return reply.code(201).send(spent.value);
    },
  );

  done();
};

function checkInView(result: {
  checkInId: string;
  ballotStyleId: string;
  method: string;
  score?: number;
  blindSignature?: Uint8Array;
  credentialRefused?: CheckInRefusedError;
}) {
  return {
    checkInId: result.checkInId,
    ballotStyleId: result.ballotStyleId,
    method: result.method,
    ...(result.score === undefined ? {} : { score: Math.round(result.score * 10) / 10 }),
    ...(result.blindSignature === undefined
      ? {}
      : { blindSignature: base64(result.blindSignature) }),
    ...(result.credentialRefused === undefined
      ? {}
      : { credentialRefused: result.credentialRefused.message }),
  };
}

/** The probe of a check-in: the station's ISO record, else a template extracted from its image. */
function probeTemplate(fingerprint: {
  image?: string;
  dpi?: number;
  template?: string;
}): Result<FingerprintTemplate, InvalidInputError> {
  if ((fingerprint.image === undefined) === (fingerprint.template === undefined)) {
    return err(
      new InvalidInputError(
        'Send the fingerprint as either an image or a template, not both or neither.',
        { path: 'fingerprint' },
      ),
    );
  }
  if (fingerprint.template !== undefined) {
    const bytes = fromBase64(fingerprint.template, 'fingerprint.template');
    if (!bytes.ok) return bytes;
    return readIsoTemplate(bytes.value);
  }
  const bytes = fromBase64(fingerprint.image ?? '', 'fingerprint.image');
  if (!bytes.ok) return bytes;
  return extractTemplate(
    bytes.value,
    fingerprint.dpi === undefined ? {} : { dpi: fingerprint.dpi },
  );
}

function optionalBytes(
  text: string | undefined,
  field: string,
): Result<Uint8Array | undefined, InvalidInputError> {
  return text === undefined ? ok(undefined) : fromBase64(text, field);
}

function rawBody(body: unknown): Uint8Array | undefined {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return new TextEncoder().encode(body);
  return undefined;
}

function sendRollProblem(request: FastifyRequest, reply: FastifyReply, error: VigilError) {
  const init = problemFromError(error);
  if (!(error instanceof RollImportError)) return sendProblem(request, reply, init);
  return sendProblem(request, reply, {
    ...init,
    problems: error.problems.map((p) => ({ path: `row ${p.row}.${p.field}`, message: p.message })),
  });
}
