import { join } from 'node:path';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { systemClock, toHex, type Clock, type VigilError } from '@vigil/core';
import { decodeEntry, leafHash, parseCheckpoint, parseNote } from '@vigil/ledger';
import type { RegistryRuntime } from '@vigil/registry';
import type { Store } from '@vigil/store';
import { officialOf, requireOfficial, requireStation, rolesFor, stationOf } from '../auth/index.ts';
import { BallotBox, BallotBoxError, type Actor } from '../ballot-box/service.ts';
import { strictValidatorCompiler } from '../ballot-box/validation.ts';
import { signLedgerHead } from '../ledger/checkpoints.ts';
import type { LogKey } from '../ledger/log-key.ts';
import { problemFromError, sendProblem } from '../problem.ts';

export type {
  BallotBoxPhaseView,
  BallotBoxStatus,
  BoothSessionOpened,
  CastView,
  CeremonyView,
  ChallengeView,
  EncryptedBallotView,
  GuardianView,
  PublishedKeys,
  ShareReleased,
} from '../ballot-box/service.ts';
export type { BoothContest, BoothOption, ChosenSummary } from '../ballot-box/contests.ts';
export type {
  ContestResult,
  RankedResult,
  ResultOption,
  ResultsView,
  VerificationStepView,
  VerificationView,
} from '../ballot-box/results.ts';

/**
 * `GET /api/bulletin/ballots/:confirmationCode` for a ballot whose ledger entry is
 * published (its shuffled batch was appended).
 */
export interface BulletinBallotView {
  confirmationCode: string;
  status: 'cast' | 'challenged';
  ballotStyleId: string;
  published: true;
  ledger: { index: number; leafHash: string; entry: Record<string, unknown> };
  /** RFC 9162 inclusion proof of the entry in the tree of the checkpoint's size. */
  inclusion: { treeSize: number; hashes: string[] };
  checkpoint: {
    /** The C2SP signed note, with the log's signature and the witnesses' cosignatures. */
    text: string;
    origin: string;
    rootHash: string;
    cosignatures: { name: string; keyId: string }[];
  };
}

/**
 * `GET /api/bulletin/ballots/:confirmationCode` for a ballot cast or challenged whose
 * ledger entry still waits for its batch: no ledger entry or proof yet.
 */
export interface BulletinPendingBallotView {
  confirmationCode: string;
  status: 'cast' | 'challenged';
  ballotStyleId: string;
  published: false;
  /** Ballot entries per batch. */
  publicationBatch: number;
  /** The sentence to show the voter. */
  message: string;
}

/** Either answer of `GET /api/bulletin/ballots/:confirmationCode`; tell them apart by `published`. */
export type BulletinBallotAnswer = BulletinBallotView | BulletinPendingBallotView;

/** `GET /api/paper-ballots` */
export interface PaperBallotManifestView {
  count: number;
  paperIds: string[];
}

/** `GET /api/paper-ballots/:paperId` */
export interface PaperBallotView {
  paperId: string;
  ballotStyleId: string;
  marks: Record<string, string[]>;
}

export interface BallotBoxRoutesOptions {
  store: Store;
  /**
   * The registry of the served election (its election, master key and credential keys);
   * without it, or without `dataDir`, every route answers 503.
   */
  registry: RegistryRuntime | undefined;
  /** The data folder; the election records go to `<dataDir>/records/<electionId>`. */
  dataDir: string | undefined;
  /** A ballot box made by the caller (tests, the CLI), instead of one over `registry`. */
  ballotBox?: BallotBox | undefined;
  /** Why there is no registry, for the 503. */
  unavailable?: string | undefined;
  /** Ballot entries per shuffled batch in the ledger (default 10; ballot-box/publication.ts). */
  publicationBatch?: number | undefined;
  /** Signs a fresh checkpoint when a bulletin lookup needs one covering its entry. */
  ledgerKey?: LogKey | undefined;
  clock?: Clock | undefined;
}

/**
 * The ballot box's HTTP API (docs/architecture.md, "The ballot box"): the key ceremony,
 * the polls, the voting booth, the tally and the guardians' decryption, and the public
 * bulletin board (status, results, verification, the record, a ballot's inclusion in
 * the ledger). Each route authenticates first (preValidation), then validates its body
 * against a schema that admits no other field, then calls the service (ballot-box/).
 * Booth calls carry the station token only: voters are not officials.
 */

const ID = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } as const;
const CODE = { type: 'string', pattern: '^[0-9A-Fa-f]{64}$' } as const;
const NO_BODY = {
  // A POST that takes no input: no body, or an empty JSON object.
  anyOf: [{ type: 'null' }, { type: 'object', additionalProperties: false, properties: {} }],
} as const;
const params = (name: string, schema: object) =>
  ({
    type: 'object',
    required: [name],
    additionalProperties: false,
    properties: { [name]: schema },
  }) as const;

const ceremonyBody = {
  type: 'object',
  required: ['guardianIds', 'quorum'],
  additionalProperties: false,
  properties: {
    guardianIds: { type: 'array', items: ID, minItems: 1, maxItems: 100 },
    quorum: { type: 'integer', minimum: 1, maximum: 100 },
  },
} as const;

const sessionBody = {
  type: 'object',
  required: ['credential'],
  additionalProperties: false,
  properties: {
    credential: {
      type: 'object',
      required: ['electionId', 'ballotStyleId', 'preparedMessage', 'signature'],
      additionalProperties: false,
      properties: {
        electionId: { type: 'string', minLength: 1, maxLength: 128 },
        ballotStyleId: { type: 'string', minLength: 1, maxLength: 64 },
        preparedMessage: {
          type: 'string',
          minLength: 4,
          maxLength: 1024,
          pattern: '^[A-Za-z0-9+/_-]*={0,2}$',
        },
        signature: {
          type: 'string',
          minLength: 4,
          maxLength: 2048,
          pattern: '^[A-Za-z0-9+/_-]*={0,2}$',
        },
      },
    },
  },
} as const;

const ballotBody = {
  type: 'object',
  required: ['selections'],
  additionalProperties: false,
  properties: {
    selections: {
      type: 'object',
      maxProperties: 200,
      propertyNames: { type: 'string', minLength: 1, maxLength: 64 },
      additionalProperties: {
        type: 'array',
        items: { type: 'string', minLength: 1, maxLength: 64 },
        maxItems: 50,
      },
    },
  },
} as const;

function fail(request: FastifyRequest, reply: FastifyReply, error: VigilError): FastifyReply {
  if (error instanceof BallotBoxError) {
    return sendProblem(request, reply, {
      status: error.status,
      ...(error.status === 410 ? { title: 'Gone' } : {}),
      code: error.code,
      detail: error.message,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      extensions: { reason: error.reason },
    });
  }
  return sendProblem(request, reply, problemFromError(error));
}

function actorOf(request: FastifyRequest): Actor {
  const official = officialOf(request);
  return { actorId: official.officialId, stationId: request.station?.stationId ?? 'vigil-server' };
}

export const ballotBoxRoutes: FastifyPluginCallback<BallotBoxRoutesOptions> = (
  app,
  options,
  done,
) => {
  const box =
    options.ballotBox ??
    (options.registry === undefined || options.dataDir === undefined
      ? undefined
      : new BallotBox({
          runtime: options.registry,
          recordsDir: join(options.dataDir, 'records'),
          ...(options.publicationBatch === undefined
            ? {}
            : { publicationBatch: options.publicationBatch }),
        }));
  if (box === undefined) {
    const detail =
      options.unavailable ??
      'The ballot box is not running on this server (it needs the voter registry and a data folder).';
    for (const path of [
      '/api/ballot-box/status',
      '/api/ceremony',
      '/api/ceremony/*',
      '/api/polls/*',
      '/api/booth/*',
      '/api/tally',
      '/api/tally/*',
      '/api/results',
      '/api/verification',
      '/api/election-record.zip',
      '/api/bulletin/*',
      '/api/paper-ballots',
      '/api/paper-ballots/*',
    ]) {
      app.all(path, (request, reply) =>
        sendProblem(request, reply, { status: 503, code: 'ballot-box-unavailable', detail }),
      );
    }
    done();
    return;
  }
  app.setValidatorCompiler(strictValidatorCompiler);
  const { store, ledgerKey } = options;
  const clock = options.clock ?? systemClock;
  const admin = requireOfficial({ store, roles: rolesFor('election.manage'), clock });
  const guardian = requireOfficial({ store, roles: rolesFor('guardian.act'), clock });
  const station = requireStation({ store });

  // --- Public views ---------------------------------------------------------------

  app.get('/api/ballot-box/status', () => box.status());
  app.get('/api/ceremony', () => box.ceremony());

  // --- Administrator and guardians --------------------------------------------------

  app.post<{ Body: { guardianIds: string[]; quorum: number } }>(
    '/api/ceremony',
    { preValidation: admin, schema: { body: ceremonyBody } },
    async (request, reply) => {
      const started = await box.startCeremony(request.body);
      if (!started.ok) return fail(request, reply, started.error);
      return reply.code(201).send(started.value);
    },
  );

  app.post(
    '/api/ceremony/keys',
    { preValidation: guardian, schema: { body: NO_BODY } },
    async (request, reply) => {
      const published = await box.publishKeys(actorOf(request));
      if (!published.ok) return fail(request, reply, published.error);
      return reply.code(201).send(published.value);
    },
  );

  for (const [path, step] of [
    ['/api/polls/open', (a: Actor) => box.openPolls(a)],
    ['/api/polls/close', (a: Actor) => box.closePolls(a)],
    ['/api/tally', (a: Actor) => box.tally(a)],
  ] as const) {
    app.post(path, { preValidation: admin, schema: { body: NO_BODY } }, async (request, reply) => {
      const done = await step(actorOf(request));
      if (!done.ok) return fail(request, reply, done.error);
      return done.value;
    });
  }

  app.post(
    '/api/tally/shares',
    { preValidation: guardian, schema: { body: NO_BODY } },
    async (request, reply) => {
      const released = await box.releaseShare(actorOf(request));
      if (!released.ok) return fail(request, reply, released.error);
      return reply.code(201).send(released.value);
    },
  );

  // --- The voting booth (station token only) -----------------------------------------

  app.post<{
    Body: {
      credential: {
        electionId: string;
        ballotStyleId: string;
        preparedMessage: string;
        signature: string;
      };
    };
  }>(
    '/api/booth/sessions',
    { preValidation: station, schema: { body: sessionBody } },
    async (request, reply) => {
      const c = request.body.credential;
      const opened = await box.openBoothSession(stationOf(request).stationId, {
        electionId: c.electionId,
        ballotStyleId: c.ballotStyleId,
        preparedMessage: new Uint8Array(Buffer.from(c.preparedMessage, 'base64')),
        signature: new Uint8Array(Buffer.from(c.signature, 'base64')),
      });
      if (!opened.ok) return fail(request, reply, opened.error);
      return reply.code(201).send(opened.value);
    },
  );

  app.post<{ Params: { boothSessionId: string }; Body: { selections: Record<string, string[]> } }>(
    '/api/booth/sessions/:boothSessionId/ballots',
    {
      preValidation: station,
      schema: {
        params: params('boothSessionId', { type: 'string', minLength: 1, maxLength: 64 }),
        body: ballotBody,
      },
    },
    async (request, reply) => {
      const encrypted = await box.encrypt(
        stationOf(request).stationId,
        request.params.boothSessionId,
        request.body.selections,
      );
      if (!encrypted.ok) return fail(request, reply, encrypted.error);
      return reply.code(201).send(encrypted.value);
    },
  );

  // The cast, challenge and lookup routes log only warnings and errors: Fastify's request
  // log line carries the URL (the confirmation code) and the time to the millisecond,
  // which the check-in entries' times in the ledger would tie to a voter.
  const quiet = { logLevel: 'warn' } as const;

  app.post<{ Params: { confirmationCode: string } }>(
    '/api/booth/ballots/:confirmationCode/cast',
    {
      ...quiet,
      preValidation: station,
      schema: { params: params('confirmationCode', CODE), body: NO_BODY },
    },
    async (request, reply) => {
      const cast = await box.cast(stationOf(request).stationId, request.params.confirmationCode);
      if (!cast.ok) return fail(request, reply, cast.error);
      return cast.value;
    },
  );

  app.post<{ Params: { confirmationCode: string } }>(
    '/api/booth/ballots/:confirmationCode/challenge',
    {
      ...quiet,
      preValidation: station,
      schema: { params: params('confirmationCode', CODE), body: NO_BODY },
    },
    async (request, reply) => {
      const challenged = await box.challenge(
        stationOf(request).stationId,
        request.params.confirmationCode,
      );
      if (!challenged.ok) return fail(request, reply, challenged.error);
      return challenged.value;
    },
  );

  // --- The bulletin board (public) ---------------------------------------------------

  app.get('/api/results', async (request, reply) => {
    const results = await box.results();
    if (!results.ok) return fail(request, reply, results.error);
    return results.value;
  });

  app.get('/api/verification', async (request, reply) => {
    const report = await box.verification();
    if (!report.ok) return fail(request, reply, report.error);
    return report.value;
  });

  app.get('/api/election-record.zip', async (request, reply) => {
    const zip = await box.recordZip();
    if (!zip.ok) return fail(request, reply, zip.error);
    return reply
      .type('application/zip')
      .header('content-disposition', `attachment; filename="${zip.value.name}.zip"`)
      .send(Buffer.from(zip.value.bytes));
  });

  app.get<{ Params: { confirmationCode: string } }>(
    '/api/bulletin/ballots/:confirmationCode',
    { ...quiet, schema: { params: params('confirmationCode', CODE) } },
    async (request, reply): Promise<BulletinBallotAnswer | FastifyReply> => {
      const code = request.params.confirmationCode.toLowerCase();
      const ballot = await box.findBallot(code);
      if (ballot === undefined) {
        return sendProblem(request, reply, {
          status: 404,
          code: 'ballot-not-found',
          detail: `No cast or challenged ballot has the confirmation code ${code}. Check the code on your receipt; a ballot appears here once it is cast or challenged.`,
        });
      }
      const status = ballot.state === 'cast' ? 'cast' : 'challenged';
      if (ballot.ledgerIndex === undefined) {
        // Recorded, but its entry waits for a shuffled batch (ballot-box/publication.ts):
        // say so, and give nothing that places it in the ledger.
        const n = box.publicationBatch;
        return {
          confirmationCode: code,
          status,
          ballotStyleId: ballot.ballotStyleId,
          published: false,
          publicationBatch: n,
          message: `Your ballot is recorded as ${status}; it will appear in the public ledger with the next batch of ${n} ${n === 1 ? 'ballot' : 'ballots'} or when the polls close.`,
        } satisfies BulletinPendingBallotView;
      }
      const index = ballot.ledgerIndex;
      // The proof is for the size of a signed head, never a size the caller picks (see
      // docs/architecture.md): sign a new head when the latest does not yet cover it.
      let head = await store.latestLedgerHead();
      if ((head === undefined || head.size <= index) && ledgerKey !== undefined) {
        head = await signLedgerHead(store, ledgerKey.key, clock);
      }
      if (head === undefined || head.size <= index) {
        return sendProblem(request, reply, {
          status: 503,
          code: 'ledger-no-checkpoint',
          detail: 'No signed checkpoint covers this ballot yet; try again in a minute.',
        });
      }
      const [stored] = await store.ledgerEntries(index, index + 1);
      const entry = stored === undefined ? undefined : decodeEntry(stored.bytes);
      if (stored === undefined || !entry?.ok) {
        return sendProblem(request, reply, {
          status: 500,
          code: 'ledger-entry-missing',
          detail: `Ledger entry ${index} of this ballot cannot be read; the ledger needs an audit (vigil ledger verify).`,
        });
      }
      const proof = await store.ledgerInclusionProof(index, head.size);
      const note = parseNote(head.checkpoint);
      const checkpoint = note.ok ? parseCheckpoint(note.value.text) : undefined;
      const origin = checkpoint?.ok === true ? checkpoint.value.origin : '';
      return {
        confirmationCode: code,
        status,
        ballotStyleId: ballot.ballotStyleId,
        published: true,
        ledger: {
          index,
          leafHash: toHex(leafHash(stored.bytes)),
          entry: { ...entry.value },
        },
        inclusion: { treeSize: head.size, hashes: proof.map(toHex) },
        checkpoint: {
          text: head.checkpoint,
          origin,
          rootHash: toHex(head.rootHash),
          cosignatures: note.ok
            ? note.value.signatures
                .filter((s) => s.name !== origin)
                .map((s) => ({ name: s.name, keyId: s.keyId.toString(16).padStart(8, '0') }))
            : [],
        },
      };
    },
  );

  // --- The paper ballot records, for the audit ---------------------------------------

  app.get(
    '/api/paper-ballots',
    { preValidation: admin },
    async (): Promise<PaperBallotManifestView> => {
      const paperIds = [...(await box.paperBallotIds())];
      return { count: paperIds.length, paperIds };
    },
  );

  app.get<{ Params: { paperId: string } }>(
    '/api/paper-ballots/:paperId',
    { preValidation: admin, schema: { params: params('paperId', ID) } },
    async (request, reply): Promise<PaperBallotView | FastifyReply> => {
      const paper = await box.paperBallot(request.params.paperId);
      if (paper === undefined) {
        return sendProblem(request, reply, {
          status: 404,
          code: 'paper-ballot-not-found',
          detail: `There is no paper ballot record ${request.params.paperId}; take ids from GET /api/paper-ballots.`,
        });
      }
      return {
        paperId: paper.paperId,
        ballotStyleId: paper.ballotStyleId,
        marks: Object.fromEntries(Object.entries(paper.marks).map(([k, v]) => [k, [...v]])),
      };
    },
  );

  done();
};
