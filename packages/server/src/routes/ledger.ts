import type { FastifyPluginCallback } from 'fastify';
import { IntegrityError, InvalidInputError, systemClock, toHex, type Clock } from '@vigil/core';
import { decodeEntry, leafHash, parseCheckpoint, parseNote } from '@vigil/ledger';
import type { Store, StoredLedgerEntry, StoredLedgerHead } from '@vigil/store';
import type {
  LedgerConsistencyProofResponse,
  LedgerEntriesResponse,
  LedgerInclusionProofResponse,
  LedgerSummaryResponse,
} from '../api-types.ts';
import { signLedgerHead } from '../ledger/checkpoints.ts';
import type { LogKey } from '../ledger/log-key.ts';
import { sendProblem } from '../problem.ts';

/** Most entries one `GET /api/ledger/entries` returns. */
export const MAX_ENTRIES_PER_PAGE = 1000;
export const DEFAULT_ENTRIES_PER_PAGE = 100;

/** The signed-note and vkey answers are plain text, as C2SP tlog clients expect. */
const TEXT = 'text/plain; charset=utf-8';

const COUNT = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const NO_QUERY = { type: 'object', properties: {}, additionalProperties: false } as const;
const HEX_LIST = { type: 'array', items: { type: 'string' } } as const;

const headSchema = {
  type: 'object',
  required: ['size', 'root', 'checkpoint'],
  additionalProperties: false,
  properties: { size: COUNT, root: { type: 'string' }, checkpoint: { type: 'string' } },
} as const;

const summaryResponse = {
  type: 'object',
  required: ['origin', 'size', 'root', 'latestHead', 'vkey'],
  additionalProperties: false,
  properties: {
    origin: { type: ['string', 'null'] },
    size: COUNT,
    root: { type: 'string' },
    latestHead: { anyOf: [headSchema, { type: 'null' }] },
    vkey: { type: ['string', 'null'] },
  },
} as const;

const inclusionSchema = {
  querystring: {
    type: 'object',
    required: ['index', 'size'],
    additionalProperties: false,
    properties: { index: COUNT, size: COUNT },
  },
  response: {
    200: {
      type: 'object',
      required: ['index', 'size', 'leafHash', 'proof'],
      additionalProperties: false,
      properties: { index: COUNT, size: COUNT, leafHash: { type: 'string' }, proof: HEX_LIST },
    },
  },
} as const;

const consistencySchema = {
  querystring: {
    type: 'object',
    required: ['old', 'size'],
    additionalProperties: false,
    properties: { old: COUNT, size: COUNT },
  },
  response: {
    200: {
      type: 'object',
      required: ['old', 'size', 'proof'],
      additionalProperties: false,
      properties: { old: COUNT, size: COUNT, proof: HEX_LIST },
    },
  },
} as const;

const entriesSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { ...COUNT, default: 0 },
      limit: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_ENTRIES_PER_PAGE,
        default: DEFAULT_ENTRIES_PER_PAGE,
      },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['size', 'entries'],
      additionalProperties: false,
      properties: {
        size: COUNT,
        entries: {
          type: 'array',
          items: {
            type: 'object',
            required: ['index', 'leafHash', 'entry'],
            additionalProperties: false,
            properties: {
              index: COUNT,
              leafHash: { type: 'string' },
              // The entry as decoded from its leaf bytes; its rules live in @vigil/ledger.
              entry: { type: 'object', additionalProperties: true },
            },
          },
        },
      },
    },
  },
} as const;

export interface LedgerRoutesOptions {
  store: Store;
  /** The log's signing key; without it the routes serve what is stored and sign nothing. */
  ledgerKey?: LogKey;
  clock?: Clock;
}

/** An out-of-range number in the query string: 422, naming the parameter and the bound. */
function outOfRange(parameter: string, message: string): InvalidInputError {
  return new InvalidInputError(message, { path: `querystring.${parameter}` });
}

/** The ledger's size now; throws unless `value` (a size, or `from`) is within it. */
async function sizeAtLeast(store: Store, value: number, parameter: string): Promise<number> {
  const current = await store.ledgerSize();
  if (value > current) {
    throw outOfRange(
      parameter,
      parameter === 'from'
        ? `from=${value} is past the end of the ledger, which holds ${current} entries.`
        : `${parameter}=${value} is larger than the ledger, which holds ${current} entries; ` +
            `ask for a size of at most ${current}, such as the latest checkpoint's.`,
    );
  }
  return current;
}

/** The stored entry at `index`; a gap in storage is an integrity failure, not a 404. */
async function storedEntry(store: Store, index: number): Promise<StoredLedgerEntry> {
  const [entry] = await store.ledgerEntries(index, index + 1);
  if (entry?.index !== index) {
    throw new IntegrityError(`ledger entry ${index} is missing from storage`);
  }
  return entry;
}

/** The origin line of a stored head's checkpoint. */
function originOf(head: StoredLedgerHead): string | undefined {
  const note = parseNote(head.checkpoint);
  if (!note.ok) return undefined;
  const cp = parseCheckpoint(note.value.text);
  return cp.ok ? cp.value.origin : undefined;
}

/**
 * `/api/ledger…`: the public, read-only view of the ledger for auditors and witnesses:
 * the latest signed checkpoint (C2SP tlog-checkpoint, as a signed note), the log's
 * verifier key, RFC 9162 inclusion and consistency proofs, and the entries themselves.
 * Hashes are lowercase hex in JSON; notes and keys are plain text.
 */
export const ledgerRoutes: FastifyPluginCallback<LedgerRoutesOptions> = (
  app,
  { store, ledgerKey, clock = systemClock },
  done,
) => {
  /**
   * The latest head, signing a new one first when the ledger grew since and a key is
   * configured, so that the checkpoint served covers every entry.
   */
  const currentHead = async (): Promise<StoredLedgerHead | undefined> => {
    const latest = await store.latestLedgerHead();
    if (ledgerKey === undefined) return latest;
    const size = await store.ledgerSize();
    if (latest !== undefined && latest.size >= size) return latest;
    return signLedgerHead(store, ledgerKey.key, clock);
  };

  app.get(
    '/api/ledger/checkpoint',
    { schema: { querystring: NO_QUERY } },
    async (request, reply) => {
      const head = await currentHead();
      if (head === undefined) {
        return sendProblem(request, reply, {
          status: 404,
          code: 'ledger-no-checkpoint',
          detail:
            'The ledger has no signed checkpoint yet, and this server has no ledger key to sign one.',
          hint: 'Start the server with `vigil start`, which creates the ledger key and signs a checkpoint.',
        });
      }
      return reply.type(TEXT).send(head.checkpoint);
    },
  );

  app.get('/api/ledger/key', { schema: { querystring: NO_QUERY } }, async (request, reply) => {
    if (ledgerKey === undefined) {
      return sendProblem(request, reply, {
        status: 404,
        code: 'ledger-no-key',
        detail: 'This server has no ledger key configured, so it has no verifier key to give.',
      });
    }
    return reply.type(TEXT).send(`${ledgerKey.vkey}\n`);
  });

  app.get(
    '/api/ledger',
    { schema: { querystring: NO_QUERY, response: { 200: summaryResponse } } },
    async (): Promise<LedgerSummaryResponse> => {
      const size = await store.ledgerSize();
      const root = await store.ledgerRoot(size);
      const latest = await store.latestLedgerHead();
      const origin = ledgerKey?.key.name ?? (latest === undefined ? undefined : originOf(latest));
      return {
        origin: origin ?? null,
        size,
        root: toHex(root),
        latestHead:
          latest === undefined
            ? null
            : { size: latest.size, root: toHex(latest.rootHash), checkpoint: latest.checkpoint },
        vkey: ledgerKey?.vkey ?? null,
      };
    },
  );

  app.get<{ Querystring: { index: number; size: number } }>(
    '/api/ledger/proof/inclusion',
    { schema: inclusionSchema },
    async (request): Promise<LedgerInclusionProofResponse> => {
      const { index, size } = request.query;
      await sizeAtLeast(store, size, 'size');
      if (index >= size) {
        throw outOfRange(
          'index',
          size === 0
            ? `index=${index} is out of range: a tree of size 0 has no entries.`
            : `index=${index} is out of range: a tree of size ${size} has entries 0 to ${size - 1}.`,
        );
      }
      const entry = await storedEntry(store, index);
      const proof = await store.ledgerInclusionProof(index, size);
      return { index, size, leafHash: toHex(leafHash(entry.bytes)), proof: proof.map(toHex) };
    },
  );

  app.get<{ Querystring: { old: number; size: number } }>(
    '/api/ledger/proof/consistency',
    { schema: consistencySchema },
    async (request): Promise<LedgerConsistencyProofResponse> => {
      const { old, size } = request.query;
      await sizeAtLeast(store, size, 'size');
      if (old > size) {
        throw outOfRange(
          'old',
          `old=${old} is larger than size=${size}; a consistency proof goes from a smaller tree to a larger one.`,
        );
      }
      const proof = await store.ledgerConsistencyProof(old, size);
      return { old, size, proof: proof.map(toHex) };
    },
  );

  app.get<{ Querystring: { from: number; limit: number } }>(
    '/api/ledger/entries',
    { schema: entriesSchema },
    async (request): Promise<LedgerEntriesResponse> => {
      const { from, limit } = request.query;
      const size = await sizeAtLeast(store, from, 'from');
      const stored = await store.ledgerEntries(from, Math.min(from + limit, size));
      const entries = stored.map(({ index, bytes }) => {
        const decoded = decodeEntry(bytes);
        if (!decoded.ok) {
          throw new IntegrityError(
            `ledger entry ${index} is not a valid entry: ${decoded.error.message}`,
          );
        }
        return { index, leafHash: toHex(leafHash(bytes)), entry: decoded.value };
      });
      return { size, entries };
    },
  );

  done();
};
