import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleElectionPath, type Election } from '@vigil/core';
import { eventIdOf } from '@vigil/ledger';
import { parseAamvaPayload, readCsvRoll } from '@vigil/registry';
import { startServer, type RunningServer } from '../start.ts';
import type { DemoVoterListResponse } from './voters.ts';
import { demoVoterCount, DEMO_VOTERS_FILE } from './voters.ts';
import { demoIdCardBarcode, demoRoll, demoRollCsv, demoVoter } from './roll.ts';

/**
 * The demo voters of `npm start`: a deterministic synthetic roll, imported and enrolled
 * through the registry, and the demo scanner, whose fresh impressions check the voter in
 * through the real check-in route.
 */

/** The demo poll worker's headers at the demo station (from demo-credentials.txt). */
async function signInAtDemoStation(
  server: RunningServer,
  dir: string,
): Promise<Record<string, string>> {
  const text = await readFile(join(dir, 'demo-credentials.txt'), 'utf8');
  const stationToken = /^station demo-station-1 .*\n\s+token: (\S+)/m.exec(text)![1]!;
  const password = /^official demo-poll-worker .*\n\s+password: (\S+)/m.exec(text)![1]!;
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'vigil-station-token': stationToken },
    body: JSON.stringify({ officialId: 'demo-poll-worker', password }),
  });
  expect(login.status).toBe(201);
  const { token } = (await login.json()) as { token: string };
  return { authorization: `Bearer ${token}`, 'vigil-station-token': stationToken };
}

const election = JSON.parse(await readFile(sampleElectionPath, 'utf8')) as Election;

describe('the demo roll', () => {
  it('is the same for a seed whatever its size, and spreads voters over every precinct', () => {
    expect(demoVoter(election, 200, 17)).toEqual(demoRoll(election, 200)[16]);
    expect(demoVoter(election, 200, 17, 5)).not.toEqual(demoVoter(election, 200, 17));
    const roll = demoRoll(election, 200);
    expect(new Set(roll.map((v) => v.precinctId))).toEqual(
      new Set(election.precincts.map((p) => p.id)),
    );
    expect(new Set(roll.map((v) => v.voterId)).size).toBe(200);
    expect(roll[0]!.precinctId).toBe('p-101');
    // Every voter of the split precinct has a split, as the import requires.
    expect(roll.filter((v) => v.precinctId === 'p-103').every((v) => v.splitId !== undefined)).toBe(
      true,
    );
  });

  it('reads back through the registry CSV reader and ID-card barcode parser', () => {
    const roll = demoRoll(election, 12);
    const rows = readCsvRoll(new TextEncoder().encode(demoRollCsv(roll)));
    expect(rows.ok && rows.value.length).toBe(12);
    const voter = roll[3]!;
    const card = parseAamvaPayload(demoIdCardBarcode(voter));
    expect(card.ok && card.value).toMatchObject({
      documentNumber: voter.documentNumber,
      familyName: voter.familyName.toUpperCase(),
      birthDate: voter.birthDate,
    });
  });

  it('takes its size from the option, else VIGIL_DEMO_VOTERS, else 200, and refuses nonsense', () => {
    expect(demoVoterCount(undefined, {})).toBe(200);
    expect(demoVoterCount(undefined, { VIGIL_DEMO_VOTERS: '8' })).toBe(8);
    expect(demoVoterCount(3, { VIGIL_DEMO_VOTERS: '8' })).toBe(3);
    expect(() => demoVoterCount(undefined, { VIGIL_DEMO_VOTERS: 'many' })).toThrow(
      /whole number from 0/,
    );
    expect(() => demoVoterCount(-1, {})).toThrow(/whole number/);
  });
});

describe('npm start with demo voters', () => {
  let dir: string;
  let server: RunningServer;
  let headers: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-demo-voters-'));
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      logger: false,
      handleSignals: false,
      demoVoters: 1,
    });
    headers = await signInAtDemoStation(server, dir);
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const get = (path: string, h: Record<string, string> = headers) =>
    fetch(`${server.url}${path}`, { headers: h });

  /** The demo voter list once the background enrolment has finished. */
  const enrolled = async (): Promise<DemoVoterListResponse> => {
    for (;;) {
      const response = await get('/api/demo/voters');
      expect(response.status).toBe(200);
      const list = (await response.json()) as DemoVoterListResponse;
      if (!list.enrolling) return list;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  it('puts the voters on the roll at once and enrols them in the background', async () => {
    const marker = JSON.parse(await readFile(join(dir, DEMO_VOTERS_FILE), 'utf8')) as {
      count: number;
    };
    expect(marker.count).toBe(1);
    const found = await get('/api/voters?voterId=demo-0001');
    expect(found.status).toBe(200);
    // Wait for the background enrolment (growing two master prints: slow on a busy machine).
    const list = await enrolled();
    expect(list.total).toBe(1);
    expect(list.voters.map((v) => [v.voterId, v.enrolled])).toEqual([['demo-0001', true]]);
    const barcode = await fetch(`${server.url}/api/voters/barcode-search`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ payload: list.voters[0]!.idCardBarcode }),
    });
    const hits = (await barcode.json()) as { voters: { voterId: string }[] };
    expect(hits.voters[0]?.voterId).toBe('demo-0001');
  }, 180_000);

  it('scans a new impression that checks its voter in, and refuses enrolment impressions', async () => {
    const anonymous = await get('/api/demo/fingerprints/demo-0001/2/3', {});
    expect(anonymous.status).toBe(401);
    expect((await get('/api/demo/fingerprints/demo-0001/2/1')).status).toBe(422);
    expect((await get('/api/demo/fingerprints/demo-0099/2/3')).status).toBe(404);

    const scan = await get('/api/demo/fingerprints/demo-0001/2/3');
    expect(scan.status).toBe(200);
    expect(scan.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await scan.arrayBuffer());
    const png = PNG.sync.read(bytes);
    expect([png.width, png.height]).toEqual([288, 384]);
    // The same impression is the same image (rendered from the seed, not stored).
    const again = Buffer.from(
      await (await get('/api/demo/fingerprints/demo-0001/2/3')).arrayBuffer(),
    );
    expect(again.equals(bytes)).toBe(true);

    const checkIn = await fetch(`${server.url}/api/checkins`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        voterId: 'demo-0001',
        fingerprint: { image: bytes.toString('base64') },
      }),
    });
    expect(checkIn.status, await checkIn.clone().text()).toBe(201);
    expect(((await checkIn.json()) as { method: string }).method).toBe('biometric');
  });

  it('keeps the demo on a restart of the same data folder, without enrolling again', async () => {
    await server.close();
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      logger: false,
      handleSignals: false,
    });
    headers = await signInAtDemoStation(server, dir);
    const list = await enrolled();
    expect(list.voters.map((v) => [v.voterId, v.enrolled])).toEqual([['demo-0001', true]]);
    // One enrolment in the ledger: the restart found the voter enrolled and left it.
    const leaves = await server.store.ledgerEntries(0, await server.store.ledgerSize());
    const enrolments = leaves
      .map(
        (leaf) => (JSON.parse(new TextDecoder().decode(leaf.bytes)) as { eventId: string }).eventId,
      )
      .filter((id) => id === eventIdOf('voter.enrolled'));
    expect(enrolments).toHaveLength(1);
  }, 120_000);
});

describe('a server without the demo', () => {
  it('answers 404 on the demo routes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-no-demo-'));
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      logger: false,
      handleSignals: false,
      demoVoters: 0,
    });
    try {
      const response = await fetch(`${server.url}/api/demo/voters`, {
        headers: await signInAtDemoStation(server, dir),
      });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { code: string }).code).toBe('demo-not-running');
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
