import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '@vigil/core';
import {
  Witness,
  encodeBase64,
  eventIdOf,
  generateSignerKey,
  noteVerifierKey,
  signCheckpoint,
  verifyCheckpoint,
  type CheckpointPolicy,
  type LedgerEntry,
  type SignerKey,
  type WitnessedLog,
} from '@vigil/ledger';
import { openStore, type Store } from '@vigil/store';
import { requestCosignatures, signLedgerHead } from '../ledger/checkpoints.ts';
import { loadLogKey } from '../ledger/log-key.ts';
import { startServer } from '../start.ts';
import { MAX_PROOF_LINES, buildWitnessServer, parseAddCheckpoint } from './server.ts';
import { loadWitnessState, saveWitnessState } from './state.ts';

const ORIGIN = 'vigil.test/county-ledger';

function entry(i: number, station = 'county-office'): LedgerEntry {
  return {
    eventId: eventIdOf('data.imported'),
    actorId: 'clerk-1',
    stationId: station,
    time: new Date(Date.UTC(2026, 10, 3, 7, 0, i % 60)).toISOString(),
    disposition: 'success',
    subjects: [`sha256:${sha256Hex(String(i))}`],
  };
}

let dir: string;
let logKey: SignerKey;
let witnessKey: SignerKey;
let logs: WitnessedLog[];
let stateFile: string;
let policy: CheckpointPolicy;
const stores: Store[] = [];
let witnessApp: FastifyInstance | undefined;
let witnessUrl: string;

async function newStore(name: string, entries: number, station?: string): Promise<Store> {
  const store = await openStore({ dataDir: join(dir, name) });
  stores.push(store);
  await append(store, entries, station);
  return store;
}

async function append(store: Store, count: number, station?: string): Promise<void> {
  const start = await store.ledgerSize();
  await store.transaction(async (tx) => {
    await tx.appendLedgerEntries(
      Array.from({ length: count }, (_, i) => entry(start + i, station)),
    );
  });
}

/** Starts the witness on a free port, with the state in `stateFile`. */
async function startWitness(
  persist = (s: Parameters<typeof saveWitnessState>[1]) => {
    saveWitnessState(stateFile, s);
  },
): Promise<Witness> {
  const witness = new Witness({ key: witnessKey, logs, state: loadWitnessState(stateFile) });
  witnessApp = await buildWitnessServer({ witness, persist, logs, logger: false });
  await witnessApp.listen({ port: 0, host: '127.0.0.1' });
  const address = witnessApp.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  witnessUrl = `http://127.0.0.1:${address.port}`;
  return witness;
}

async function stopWitness(): Promise<void> {
  await witnessApp?.close();
  witnessApp = undefined;
}

/** Signs a head over `store` and asks the witness to cosign it. */
async function signAndCosign(store: Store, key = logKey) {
  const head = await signLedgerHead(store, key);
  const [outcome] = await requestCosignatures(store, head, [{ url: witnessUrl }]);
  const stored = await store.ledgerHead(head.size);
  return { head, outcome: outcome!, checkpoint: stored!.checkpoint };
}

function post(body: string | Buffer): Promise<Response> {
  return fetch(`${witnessUrl}/add-checkpoint`, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-witness-'));
  logKey = generateSignerKey(ORIGIN).key;
  witnessKey = generateSignerKey('witness.test/w1').key;
  logs = [{ origin: ORIGIN, logKeys: [noteVerifierKey(logKey)] }];
  stateFile = join(dir, 'witness', 'state.json');
  const witness = new Witness({ key: witnessKey, logs });
  policy = { logKey: noteVerifierKey(logKey), witnessKeys: [witness.verifierKey], quorum: 1 };
});

afterEach(async () => {
  await stopWitness();
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('the tlog-witness service', () => {
  it('cosigns a first head, then a larger one through a consistency proof', async () => {
    await startWitness();
    const store = await newStore('log', 5);
    const first = await signAndCosign(store);
    expect(first.outcome).toMatchObject({ ok: true });
    const verified = verifyCheckpoint(first.checkpoint, policy);
    if (!verified.ok) throw verified.error;
    expect(verified.value.checkpoint.size).toBe(5);
    expect(verified.value.cosignatures).toHaveLength(1);
    // Without the cosignature the quorum is not met: the witness's line is what counts.
    expect(verifyCheckpoint(first.head.checkpoint, policy).ok).toBe(false);

    await append(store, 4);
    const second = await signAndCosign(store);
    expect(second.outcome.ok).toBe(true);
    const verified2 = verifyCheckpoint(second.checkpoint, policy);
    expect(verified2.ok && verified2.value.checkpoint.size).toBe(9);

    // What the witness remembers is on disk, mode 0600, before it answered.
    const state = loadWitnessState(stateFile);
    expect(state.get(ORIGIN)?.size).toBe(9);
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);
  });

  it('refuses a fork at a size it cosigned, and a smaller size, with 409', async () => {
    await startWitness();
    const honest = await newStore('log', 6);
    expect((await signAndCosign(honest)).outcome.ok).toBe(true);

    // Same key, same size, different entries: a split view.
    const forked = await newStore('fork', 6, 'other-station');
    const fork = await signAndCosign(forked);
    expect(fork.outcome.ok).toBe(false);
    expect(fork.outcome.message).toMatch(/^refused \(409\)/);
    expect(verifyCheckpoint(fork.checkpoint, policy).ok).toBe(false);

    // A smaller tree, even a prefix of the honest one, is a rollback.
    const smaller = await newStore('small', 3);
    const rolledBack = await signAndCosign(smaller);
    expect(rolledBack.outcome.ok).toBe(false);
    expect(rolledBack.outcome.message).toMatch(/^refused \(409\)/);

    // A fork that grew past the witness fails the consistency proof.
    await append(forked, 2, 'other-station');
    const grown = await signAndCosign(forked);
    expect(grown.outcome.message).toMatch(/^refused \(422\)/);

    // The raw answer to a submission from a stale size: 409, the size, text/x.tlog.size.
    const response = await post(`old 0\n\n${fork.head.checkpoint}`);
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toBe('text/x.tlog.size');
    expect(await response.text()).toBe('6\n');
    expect(loadWitnessState(stateFile).get(ORIGIN)?.size).toBe(6);
  });

  it('answers 400 to malformed bodies, 403 and 404 to unknown signers and logs', async () => {
    await startWitness();
    const store = await newStore('log', 2);
    const head = await signLedgerHead(store, logKey);
    const hash = encodeBase64(new Uint8Array(32));
    const malformed = [
      '',
      head.checkpoint,
      `old 0\n${head.checkpoint}`,
      `old -1\n\n${head.checkpoint}`,
      `old 01\n\n${head.checkpoint}`,
      `old  0\n\n${head.checkpoint}`,
      `Old 0\n\n${head.checkpoint}`,
      `old 0\nnot base64!\n\n${head.checkpoint}`,
      `old 0\n${encodeBase64(new Uint8Array(31))}\n\n${head.checkpoint}`,
      `old 0\n${`${hash}\n`.repeat(MAX_PROOF_LINES + 1)}\n${head.checkpoint}`,
      'old 0\n\n',
      'old 0\n\nnot a checkpoint\n',
      Buffer.from([0x6f, 0x6c, 0x64, 0x20, 0x30, 0x0a, 0x0a, 0xff]),
    ];
    for (const body of malformed) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body.toString())).toBe(400);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect((await response.text()).length).toBeGreaterThan(1);
    }
    // 63 proof lines parse; the witness itself then judges the proof.
    expect(
      parseAddCheckpoint(
        Buffer.from(`old 0\n${`${hash}\n`.repeat(MAX_PROOF_LINES)}\n${head.checkpoint}`),
      ).ok,
    ).toBe(true);

    const stranger = generateSignerKey(ORIGIN).key;
    const foreign = signCheckpoint(
      { origin: ORIGIN, size: 2, rootHash: head.rootHash, extensions: [] },
      stranger,
    );
    expect((await post(`old 0\n\n${foreign}`)).status).toBe(403);
    const other = generateSignerKey('vigil.test/other-log').key;
    const unknown = signCheckpoint(
      { origin: 'vigil.test/other-log', size: 2, rootHash: head.rootHash, extensions: [] },
      other,
    );
    expect((await post(`old 0\n\n${unknown}`)).status).toBe(404);

    const big = await post(`old 0\n\n${'x'.repeat(70 * 1024)}`);
    expect(big.status).toBe(413);
    expect((await fetch(`${witnessUrl}/add-checkpoint`)).status).toBe(404);
    // Nothing was cosigned, so nothing was remembered.
    expect(loadWitnessState(stateFile).size).toBe(0);
  });

  it('withholds the cosignature when its state cannot be saved', async () => {
    await startWitness(() => {
      throw new Error('disk full');
    });
    const store = await newStore('log', 2);
    const { outcome, checkpoint } = await signAndCosign(store);
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/^refused \(500\)/);
    expect(verifyCheckpoint(checkpoint, policy).ok).toBe(false);
  });

  it('remembers what it cosigned across a restart', async () => {
    await startWitness();
    const store = await newStore('log', 4);
    expect((await signAndCosign(store)).outcome.ok).toBe(true);
    await stopWitness();

    await startWitness();
    const info = (await (await fetch(`${witnessUrl}/`)).json()) as {
      name: string;
      vkey: string;
      logs: { origin: string; size: number | null }[];
    };
    expect(info.name).toBe('witness.test/w1');
    expect(info.vkey).toMatch(/^witness\.test\/w1\+[0-9a-f]{8}\+/);
    expect(info.logs).toEqual([expect.objectContaining({ origin: ORIGIN, size: 4 }) as unknown]);

    const forked = await newStore('fork', 4, 'other-station');
    expect((await signAndCosign(forked)).outcome.message).toMatch(/^refused \(409\)/);
    await append(store, 3);
    const next = await signAndCosign(store);
    expect(next.outcome.ok).toBe(true);
    expect(verifyCheckpoint(next.checkpoint, policy).ok).toBe(true);
  });

  it('refuses to start from a damaged state file', async () => {
    await startWitness();
    const store = await newStore('log', 1);
    await signAndCosign(store);
    await stopWitness();
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as Record<string, { size: number }>;
    saved[ORIGIN]!.size = 0;
    await writeFile(stateFile, JSON.stringify(saved));
    expect(() => loadWitnessState(stateFile)).toThrow(/not a checkpoint at size 0/);
    await writeFile(stateFile, '{"oops"');
    expect(() => loadWitnessState(stateFile)).toThrow(/not valid JSON/);
  });
});

describe('startServer with witnesses', () => {
  it('signs a head at start, has it cosigned, and signs a final head on stop', async () => {
    const dataDir = join(dir, 'server');
    // The server's key is created at start; the witness must follow it, so create it first.
    const serverKey = loadLogKey({ dataDir, create: true, origin: ORIGIN });
    logKey = serverKey.key;
    logs = [{ origin: ORIGIN, logKeys: [noteVerifierKey(logKey)] }];
    policy = { ...policy, logKey: noteVerifierKey(logKey) };
    await startWitness();

    const running = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      logger: false,
      webDistDir: join(dir, 'no-web-build'),
      handleSignals: false,
      demoVoters: 0,
      witnessUrls: [witnessUrl],
      ledgerHeadIntervalMs: 50,
    });
    let size: number;
    try {
      expect(running.ledgerKey.vkey).toBe(serverKey.vkey);
      // The start tick runs in the background; wait for the cosigned head.
      let cosigned = false;
      for (let i = 0; i < 100 && !cosigned; i++) {
        const head = await running.store.latestLedgerHead();
        cosigned = head !== undefined && verifyCheckpoint(head.checkpoint, policy).ok;
        if (!cosigned) await new Promise((r) => setTimeout(r, 50));
      }
      expect(cosigned).toBe(true);
      const response = await fetch(`${running.url}/api/ledger/checkpoint`);
      expect(response.status).toBe(200);
      expect(verifyCheckpoint(await response.text(), policy).ok).toBe(true);
      await append(running.store, 3);
      size = await running.store.ledgerSize();
    } finally {
      await running.close();
    }
    // The final head covers the entries appended last, and the witness cosigned it.
    const reopened = await openStore({ dataDir });
    stores.push(reopened);
    const last = await reopened.latestLedgerHead();
    expect(last?.size).toBe(size);
    expect(verifyCheckpoint(last!.checkpoint, policy).ok).toBe(true);
  });
});
