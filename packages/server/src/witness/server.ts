import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import { err, ok, type Result } from '@vigil/core';
import {
  HASH_SIZE,
  decodeBase64,
  formatVerifierKey,
  witnessErrorStatus,
  type Witness,
  type WitnessedLog,
} from '@vigil/ledger';
import type { WitnessState } from './state.ts';

/**
 * A C2SP tlog-witness service (c2sp.org/tlog-witness) over a `Witness`: logs submit
 * `POST <prefix>/add-checkpoint` and receive a cosignature line when their checkpoint
 * extends what this witness cosigned before. A small Fastify app of its own, separate
 * from Vigil's API: a witness is run by someone other than the log's operator.
 */

/** tlog-witness: a request body is small; anything larger is not a submission. */
export const MAX_SUBMISSION_BYTES = 64 * 1024;
/** tlog-witness: at most 63 consistency proof lines. */
export const MAX_PROOF_LINES = 63;

const TEXT = 'text/plain; charset=utf-8';
/** tlog-witness's body for a 409: the size the witness holds, in decimal, and a newline. */
const TLOG_SIZE = 'text/x.tlog.size';

export interface WitnessServerOptions {
  witness: Witness;
  /**
   * Saves the witness's state, synchronously, before a cosignature is returned (see
   * `saveWitnessState`). If it throws, the cosignature is withheld and the answer is 500.
   */
  persist: (state: WitnessState) => void;
  /** The logs the witness follows, shown by `GET /`; by default the origins in its state. */
  logs?: readonly WitnessedLog[];
  /** Path before `/add-checkpoint`, e.g. `/witness`; default none. */
  prefix?: string;
  logger?: FastifyServerOptions['logger'];
}

/** A parsed add-checkpoint request body. */
export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Uint8Array[];
  readonly checkpoint: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses an add-checkpoint body strictly: `old <N>` on the first line, up to 63 lines of
 * base64 32-byte hashes, an empty line, then the signed checkpoint.
 */
export function parseAddCheckpoint(body: Uint8Array): Result<AddCheckpointRequest, string> {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return err('the body is not valid UTF-8');
  }
  const lines: string[] = [];
  let rest = text;
  // The "old" line and the proof lines, up to the empty line before the checkpoint.
  for (;;) {
    const end = rest.indexOf('\n');
    if (end < 0) {
      return err(
        lines.length === 0
          ? 'the body must start with a line "old <size>"'
          : 'the body has no empty line before the checkpoint',
      );
    }
    const line = rest.slice(0, end);
    rest = rest.slice(end + 1);
    if (line === '') break;
    lines.push(line);
    if (lines.length > 1 + MAX_PROOF_LINES) {
      return err(`the consistency proof has more than ${MAX_PROOF_LINES} lines`);
    }
  }
  const [oldLine, ...proofLines] = lines;
  const old = oldLine === undefined ? undefined : /^old (0|[1-9][0-9]*)$/.exec(oldLine);
  if (old === undefined || old === null) {
    return err('the first line must be "old <size>", a decimal size without leading zeros');
  }
  const oldSize = Number(old[1]);
  if (!Number.isSafeInteger(oldSize)) return err(`old size ${old[1]} is too large`);
  const proof: Uint8Array[] = [];
  for (const [i, line] of proofLines.entries()) {
    const hash = decodeBase64(line);
    if (hash?.length !== HASH_SIZE) {
      return err(`proof line ${i + 1} is not the base64 of a ${HASH_SIZE}-byte hash`);
    }
    proof.push(hash);
  }
  if (rest === '') return err('the checkpoint after the empty line is missing');
  return ok({ oldSize, proof, checkpoint: rest });
}

/** A plain-text answer: tlog-witness clients read the body as text, not JSON. */
function sendText(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .type(TEXT)
    .send(message.endsWith('\n') ? message : `${message}\n`);
}

/**
 * Builds the witness's HTTP app; call `listen` on it. The check, the update of the
 * witness's memory and the write of its state happen in one synchronous step, so no two
 * submissions can interleave: tlog-witness requires this to be atomic.
 */
export async function buildWitnessServer(options: WitnessServerOptions): Promise<FastifyInstance> {
  const { witness, persist } = options;
  const prefix = (options.prefix ?? '').replace(/\/+$/, '');
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: MAX_SUBMISSION_BYTES,
  });

  // The body is read as bytes whatever its Content-Type (tlog-witness names none).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });

  app.setErrorHandler((error, request, reply) => {
    const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
    const status =
      typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500
        ? e.statusCode
        : 500;
    if (status === 500) {
      request.log.error({ event: 'witness-request-failed', err: error }, 'request failed');
      return sendText(reply, 500, 'the witness met an unexpected error');
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendText(reply, 413, `the body is larger than ${MAX_SUBMISSION_BYTES} bytes`);
    }
    return sendText(reply, status, typeof e.message === 'string' ? e.message : 'bad request');
  });
  app.setNotFoundHandler((request, reply) =>
    sendText(
      reply,
      404,
      `there is nothing at ${request.method} ${request.url.split('?', 1)[0] ?? ''}; ` +
        `submit checkpoints with POST ${prefix}/add-checkpoint`,
    ),
  );
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });

  app.post(`${prefix}/add-checkpoint`, (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const parsed = parseAddCheckpoint(body);
    if (!parsed.ok) {
      request.log.info({ event: 'witness-malformed', reason: parsed.error }, 'malformed request');
      return sendText(reply, 400, parsed.error);
    }
    const { oldSize, proof, checkpoint } = parsed.value;

    // From here to the answer nothing awaits: check, update and persist are one step.
    const result = witness.cosign(checkpoint, proof, { oldSize });
    if (!result.ok) {
      const { reason, message, latestSize } = result.error;
      const status = witnessErrorStatus(reason);
      request.log.info({ event: 'witness-refused', reason, status, latestSize }, message);
      if (status === 409 && latestSize !== undefined) {
        return reply.code(409).type(TLOG_SIZE).send(`${latestSize}\n`);
      }
      return sendText(reply, status, message);
    }
    try {
      persist(witness.state());
    } catch (error) {
      request.log.error(
        { event: 'witness-persist-failed', err: error },
        'could not save the witness state: the cosignature was withheld',
      );
      return sendText(reply, 500, 'the witness could not save its state; try again later');
    }
    const { checkpoint: cp, line } = result.value;
    request.log.info(
      { event: 'witness-cosigned', origin: cp.origin, size: cp.size },
      `cosigned "${cp.origin}" at size ${cp.size}`,
    );
    return reply.code(200).type(TEXT).send(line);
  });

  app.get('/', () => {
    const state = witness.state();
    const logs =
      options.logs?.map((log) => ({
        origin: log.origin,
        keys: log.logKeys.map(formatVerifierKey),
      })) ?? [...state.keys()].map((origin) => ({ origin, keys: [] as string[] }));
    return {
      name: witness.verifierKey.name,
      vkey: formatVerifierKey(witness.verifierKey),
      submit: `${prefix}/add-checkpoint`,
      logs: logs.map((log) => ({ ...log, size: state.get(log.origin)?.size ?? null })),
    };
  });

  await app.ready();
  return app;
}
