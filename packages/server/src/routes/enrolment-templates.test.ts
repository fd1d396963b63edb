import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleElection, parseElectionDefinition, systemClock, unwrap } from '@vigil/core';
import { synthesizeFingerTemplate, writeIsoTemplate } from '@vigil/biometrics';
import { openStore, type Store } from '@vigil/store';
import {
  ENROLMENT_MIN_QUALITY,
  importRoll,
  openRegistry,
  readCsvRoll,
  type RegistryRuntime,
} from '@vigil/registry';
import { buildServer } from '../app.ts';
import { createOfficial } from '../auth/index.ts';
import { loadElection } from '../elections.ts';

/**
 * Enrolment from ISO/IEC 19794-2 records made by the capture device: the same
 * enrolment as from images (quality bar, de-duplication, review queue), with the
 * record checked at the door.
 */

const SEED = 4242;
let dir: string;
let store: Store;
let runtime: RegistryRuntime;
let app: FastifyInstance;
let session: string;

/** Impression `impression` of synthetic finger `finger`, the first one of enrolment quality. */
function record(finger: number, impression: number): string {
  for (let k = impression; ; k += 100) {
    const t = synthesizeFingerTemplate(SEED, finger, k);
    if (t.quality >= ENROLMENT_MIN_QUALITY)
      return Buffer.from(writeIsoTemplate(t)).toString('base64');
  }
}

const enrol = (
  voterId: string,
  fingers: { position: number; template: string }[],
  token = session,
) =>
  app.inject({
    method: 'POST',
    url: `/api/voters/${voterId}/enrolment-templates`,
    headers: { authorization: `Bearer ${token}` },
    payload: { fingers },
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-enrol-templates-'));
  store = await openStore({ dataDir: dir });
  unwrap(await loadElection(store, loadSampleElection(), systemClock));
  const { election } = unwrap(parseElectionDefinition(loadSampleElection()));
  const csv = [
    'voter_id,given_name,family_name,birth_date,address_line1,city,state,postal_code,precinct_id',
    ...['T-1', 'T-2', 'T-3'].map(
      (id, i) => `${id},Test,Voter${i},1980-01-01,1 Main St,Ashford,FR,10001,p-101`,
    ),
  ].join('\n');
  const rows = unwrap(readCsvRoll(new TextEncoder().encode(csv)));
  unwrap(
    await importRoll(store, {
      rows,
      format: 'csv',
      fileBytes: new Uint8Array([1]),
      election,
      actorId: 'test',
      stationId: 'test',
    }),
  );
  const created = unwrap(
    await createOfficial(
      store,
      { officialId: 'reg-1', displayName: 'Registrar', role: 'registrar', pollingPlaces: [] },
      { actorId: 'test', stationId: 'test', now: new Date() },
    ),
  );
  runtime = unwrap(
    await openRegistry({
      store,
      clock: systemClock,
      dataDir: dir,
      env: { VIGIL_MASTER_KEY: randomBytes(32).toString('base64') },
    }),
  );
  app = await buildServer({ store, registry: runtime });
  const login = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { officialId: 'reg-1', password: created.password },
  });
  session = login.json<{ token: string }>().token;
}, 60_000);

afterAll(async () => {
  await app.close();
  await runtime.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/voters/:voterId/enrolment-templates', () => {
  it('enrols from two ISO records, and flags the same person enrolling under another id', async () => {
    const first = await enrol('T-1', [
      { position: 2, template: record(0, 0) },
      { position: 7, template: record(1, 0) },
    ]);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      voterId: 'T-1',
      positions: [2, 7],
      suspectedDuplicates: 0,
    });
    // The same fingers again (fresh impressions) under another voter id.
    const twice = await enrol('T-2', [
      { position: 2, template: record(0, 1) },
      { position: 7, template: record(1, 1) },
    ]);
    expect(twice.statusCode, twice.body).toBe(201);
    expect(twice.json<{ suspectedDuplicates: number }>().suspectedDuplicates).toBe(1);
    const queue = await app.inject({
      method: 'GET',
      url: '/api/registry/reviews',
      headers: { authorization: `Bearer ${session}` },
    });
    expect(
      queue.json<{ reviews: { voterId: string; candidateVoterId: string }[] }>().reviews,
    ).toEqual([expect.objectContaining({ voterId: 'T-2', candidateVoterId: 'T-1' })]);
  });

  it('refuses a record that is not ISO/IEC 19794-2, naming the finger', async () => {
    const bad = await enrol('T-3', [
      { position: 2, template: Buffer.from('not a template at all').toString('base64') },
      { position: 7, template: record(5, 0) },
    ]);
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ detail: string }>().detail).toMatch(/right index finger.*19794-2/);
  });

  it('refuses a capture under the quality bar, and a request without a registrar', async () => {
    const poor = synthesizeFingerTemplate(SEED, 9, 0);
    const thin = { ...poor, x: poor.x.slice(0, 3), y: poor.y.slice(0, 3), quality: 5 };
    const low = await enrol('T-3', [
      { position: 2, template: Buffer.from(writeIsoTemplate(thin)).toString('base64') },
      { position: 7, template: record(5, 0) },
    ]);
    expect(low.statusCode).toBe(422);
    expect(low.json<{ detail: string }>().detail).toMatch(/quality 5, below the enrolment bar/);
    const anonymous = await enrol('T-3', [{ position: 2, template: record(4, 0) }], 'vgs_nobody');
    expect(anonymous.statusCode).toBe(401);
  });
});
