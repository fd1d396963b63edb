import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, fromHex, sha256Hex } from '@vigil/core';
import {
  EMPTY_ROOT,
  eventIdOf,
  leafHash,
  parseVerifierKey,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type Checkpoint,
  type LedgerEntry,
  type VerifierKey,
} from '@vigil/ledger';
import { openStore, type Store } from '@vigil/store';
import type {
  LedgerConsistencyProofResponse,
  LedgerEntriesResponse,
  LedgerInclusionProofResponse,
  LedgerSummaryResponse,
  ProblemDetails,
} from '../api-types.ts';
import { buildServer } from '../app.ts';
import { signLedgerHead } from '../ledger/checkpoints.ts';
import { loadLogKey, type LogKey } from '../ledger/log-key.ts';

const ORIGIN = 'vigil.test/ledger';

function entry(i: number): LedgerEntry {
  return {
    eventId: eventIdOf('data.imported'),
    actorId: 'clerk-1',
    stationId: 'county-office',
    time: new Date(Date.UTC(2026, 10, 3, 7, 0, i % 60)).toISOString(),
    disposition: 'success',
    subjects: [`sha256:${sha256Hex(String(i))}`],
  };
}

let dir: string;
let store: Store;
let logKey: LogKey;
let vkey: VerifierKey;
let app: FastifyInstance;

async function makeApp(ledgerKey: LogKey | undefined): Promise<FastifyInstance> {
  return buildServer({
    store,
    logger: false,
    webDistDir: join(dir, 'no-web-build'),
    clock: fixedClock(new Date('2026-11-03T08:00:00Z')),
    ...(ledgerKey === undefined ? {} : { ledgerKey }),
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-ledger-routes-'));
  store = await openStore({ dataDir: join(dir, 'data') });
  logKey = loadLogKey({ dataDir: join(dir, 'data'), create: true, origin: ORIGIN });
  const parsed = parseVerifierKey(logKey.vkey);
  if (!parsed.ok) throw parsed.error;
  vkey = parsed.value;
  app = await makeApp(logKey);
});

afterEach(async () => {
  await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function append(count: number): Promise<void> {
  const start = await store.ledgerSize();
  await store.transaction(async (tx) => {
    await tx.appendLedgerEntries(Array.from({ length: count }, (_, i) => entry(start + i)));
  });
}

function get(url: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url });
}

function expectProblem(response: LightMyRequestResponse, status: number): ProblemDetails {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json<ProblemDetails>();
  expect(problem.status).toBe(status);
  expect(problem.detail.length).toBeGreaterThan(0);
  expect(problem.requestId).toBe(response.headers['x-request-id']);
  return problem;
}

/** Fetches the checkpoint and verifies it under the log's key. */
async function checkpoint(): Promise<Checkpoint> {
  const response = await get('/api/ledger/checkpoint');
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
  const verified = verifyCheckpoint(response.body, { logKey: vkey });
  if (!verified.ok) throw verified.error;
  return verified.value.checkpoint;
}

describe('GET /api/ledger/checkpoint', () => {
  it('signs and serves a checkpoint of the empty ledger', async () => {
    const cp = await checkpoint();
    expect(cp).toMatchObject({ origin: ORIGIN, size: 0 });
    expect(cp.rootHash).toEqual(EMPTY_ROOT);
  });

  it('signs a new head when the ledger grew, so the checkpoint covers every entry', async () => {
    await append(5);
    const first = await checkpoint();
    expect(first.size).toBe(5);
    expect(first.rootHash).toEqual(await store.ledgerRoot(5));
    // Asked again without growth, it serves the same head: one head per size.
    const again = await get('/api/ledger/checkpoint');
    expect(again.body).toBe((await store.latestLedgerHead())?.checkpoint);
    expect((await store.listLedgerHeads()).map((h) => h.size)).toEqual([5]);

    await append(3);
    const second = await checkpoint();
    expect(second.size).toBe(8);
    expect((await store.listLedgerHeads()).map((h) => h.size)).toEqual([5, 8]);
  });

  it('without a key, serves the stored head and signs nothing', async () => {
    await app.close();
    app = await makeApp(undefined);
    expect(expectProblem(await get('/api/ledger/checkpoint'), 404).code).toBe(
      'ledger-no-checkpoint',
    );
    expect(expectProblem(await get('/api/ledger/key'), 404).code).toBe('ledger-no-key');

    await append(2);
    const head = await signLedgerHead(store, logKey.key);
    await append(2);
    const response = await get('/api/ledger/checkpoint');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(head.checkpoint);
    const summary = (await get('/api/ledger')).json<LedgerSummaryResponse>();
    expect(summary).toMatchObject({ origin: ORIGIN, size: 4, vkey: null });
    expect(summary.latestHead?.size).toBe(2);
  });
});

describe('GET /api/ledger/key and /api/ledger', () => {
  it("serves the log's verifier key as text", async () => {
    const response = await get('/api/ledger/key');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.body).toBe(`${logKey.vkey}\n`);
    expect(logKey.vkey.startsWith(`${ORIGIN}+`)).toBe(true);
  });

  it('summarises the ledger and its latest head', async () => {
    await append(3);
    const before = (await get('/api/ledger')).json<LedgerSummaryResponse>();
    expect(before).toEqual({
      origin: ORIGIN,
      size: 3,
      root: Buffer.from(await store.ledgerRoot(3)).toString('hex'),
      latestHead: null,
      vkey: logKey.vkey,
    });
    const cp = await checkpoint();
    const after = (await get('/api/ledger')).json<LedgerSummaryResponse>();
    expect(after.latestHead).toEqual({
      size: 3,
      root: Buffer.from(cp.rootHash).toString('hex'),
      checkpoint: (await get('/api/ledger/checkpoint')).body,
    });
  });
});

describe('GET /api/ledger/proof/*', () => {
  it('serves inclusion proofs that verify against the signed root', async () => {
    await append(7);
    const cp = await checkpoint();
    const { entries } = (await get('/api/ledger/entries')).json<LedgerEntriesResponse>();
    for (let index = 0; index < cp.size; index++) {
      const response = await get(`/api/ledger/proof/inclusion?index=${index}&size=${cp.size}`);
      expect(response.statusCode).toBe(200);
      const body = response.json<LedgerInclusionProofResponse>();
      expect(body.index).toBe(index);
      expect(body.size).toBe(cp.size);
      expect(body.leafHash).toBe(entries[index]?.leafHash);
      const proof = body.proof.map(fromHex);
      expect(verifyInclusion(fromHex(body.leafHash), index, cp.size, proof, cp.rootHash)).toBe(
        true,
      );
      // The proof binds the index: the same leaf does not verify anywhere else.
      expect(
        verifyInclusion(fromHex(body.leafHash), (index + 1) % cp.size, cp.size, proof, cp.rootHash),
      ).toBe(false);
    }
  });

  it('serves consistency proofs between signed heads', async () => {
    await append(3);
    const old = await checkpoint();
    await append(6);
    const cp = await checkpoint();
    const response = await get(`/api/ledger/proof/consistency?old=${old.size}&size=${cp.size}`);
    expect(response.statusCode).toBe(200);
    const body = response.json<LedgerConsistencyProofResponse>();
    expect(body).toMatchObject({ old: 3, size: 9 });
    const proof = body.proof.map(fromHex);
    expect(verifyConsistency(old.size, cp.size, proof, old.rootHash, cp.rootHash)).toBe(true);
    expect(verifyConsistency(old.size, cp.size, proof, cp.rootHash, old.rootHash)).toBe(false);

    const fromEmpty = (
      await get(`/api/ledger/proof/consistency?old=0&size=9`)
    ).json<LedgerConsistencyProofResponse>();
    expect(fromEmpty.proof).toEqual([]);
    const same = (
      await get(`/api/ledger/proof/consistency?old=9&size=9`)
    ).json<LedgerConsistencyProofResponse>();
    expect(same.proof).toEqual([]);
  });

  it('answers problems for bad or out-of-range numbers', async () => {
    await append(4);
    const bad = [
      '/api/ledger/proof/inclusion?index=-1&size=4',
      '/api/ledger/proof/inclusion?index=1.5&size=4',
      '/api/ledger/proof/inclusion?index=abc&size=4',
      '/api/ledger/proof/inclusion?index=1',
      '/api/ledger/proof/inclusion?size=4',
      `/api/ledger/proof/inclusion?index=1&size=${2 ** 53}`,
      '/api/ledger/proof/consistency?old=x&size=4',
      '/api/ledger/proof/consistency?size=4',
    ];
    for (const url of bad) {
      expect(expectProblem(await get(url), 400).code, url).toBe('invalid-request');
    }

    const tooBig = expectProblem(await get('/api/ledger/proof/inclusion?index=1&size=99'), 422);
    expect(tooBig.detail).toContain('size=99');
    expect(tooBig.detail).toContain('4 entries');
    const beyond = expectProblem(await get('/api/ledger/proof/inclusion?index=4&size=4'), 422);
    expect(beyond.detail).toContain('entries 0 to 3');
    const empty = expectProblem(await get('/api/ledger/proof/inclusion?index=0&size=0'), 422);
    expect(empty.detail).toContain('size 0');
    const backwards = expectProblem(await get('/api/ledger/proof/consistency?old=3&size=2'), 422);
    expect(backwards.detail).toContain('old=3');
    const ahead = expectProblem(await get('/api/ledger/proof/consistency?old=1&size=5'), 422);
    expect(ahead.detail).toContain('size=5');
  });
});

describe('GET /api/ledger/entries', () => {
  it('pages through the decoded entries with their leaf hashes', async () => {
    await append(12);
    const page = (await get('/api/ledger/entries?from=2&limit=3')).json<LedgerEntriesResponse>();
    expect(page.size).toBe(12);
    expect(page.entries.map((e) => e.index)).toEqual([2, 3, 4]);
    expect(page.entries[0]?.entry).toEqual(entry(2));
    const [stored] = await store.ledgerEntries(2, 3);
    expect(page.entries[0]?.leafHash).toBe(Buffer.from(leafHash(stored!.bytes)).toString('hex'));

    const all = (await get('/api/ledger/entries')).json<LedgerEntriesResponse>();
    expect(all.entries).toHaveLength(12);
    const tail = (
      await get('/api/ledger/entries?from=10&limit=1000')
    ).json<LedgerEntriesResponse>();
    expect(tail.entries.map((e) => e.index)).toEqual([10, 11]);
    const end = (await get('/api/ledger/entries?from=12')).json<LedgerEntriesResponse>();
    expect(end).toEqual({ size: 12, entries: [] });
  });

  it('caps the page at 1000 entries and refuses a start past the end', async () => {
    await append(1);
    expectProblem(await get('/api/ledger/entries?limit=1001'), 400);
    expectProblem(await get('/api/ledger/entries?limit=0'), 400);
    expectProblem(await get('/api/ledger/entries?from=-1'), 400);
    const past = expectProblem(await get('/api/ledger/entries?from=5'), 422);
    expect(past.detail).toContain('from=5');
    expect(past.detail).toContain('1 entries');
  });
});
