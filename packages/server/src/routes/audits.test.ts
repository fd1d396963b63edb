import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '@vigil/core';
import { decodeEntry, eventIdOf } from '@vigil/ledger';
import { openStore, type Store } from '@vigil/store';
import { buildServer } from '../app.ts';
import { createOfficial } from '../auth/index.ts';

interface AuditJson {
  auditId: string;
  status: string;
  nextRoundSize: number;
  rounds: {
    round: number;
    risk: number | null;
    ballots: { ballotId: string; batchId: string; entry: unknown }[];
  }[];
}

let dir: string;
let store: Store;
let app: FastifyInstance;
/** Sessions of an administrator (who runs audits) and a registrar (who may not). */
const tokens = new Map<'administrator' | 'registrar', string>();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-audits-'));
  store = await openStore({ dataDir: dir });
  app = await buildServer({
    store,
    webDistDir: join(dir, 'no-web'),
    clock: fixedClock(new Date('2026-11-10T15:00:00.000Z')),
  });
  const actor = { actorId: 'test', stationId: 'test', now: new Date('2026-11-10T15:00:00.000Z') };
  for (const role of ['administrator', 'registrar'] as const) {
    const official = await createOfficial(
      store,
      { officialId: `audit-${role}`, displayName: role, role, pollingPlaces: [] },
      actor,
    );
    if (!official.ok) throw official.error;
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { officialId: `audit-${role}`, password: official.value.password },
    });
    tokens.set(role, login.json<{ token: string }>().token);
  }
});

afterEach(async () => {
  await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const manifestCsv = 'Batch Name,Number of Ballots\nP1-A,400\nP1-B,350\nP2-A,250\n';
const plan = {
  auditId: 'gov-2026',
  method: 'ballot-polling',
  contest: { id: 'governor', votes: { okafor: 600, marsh: 400 }, ballots: 1000, numWinners: 1 },
  riskLimit: 0.1,
  seed: '31415926535897932384',
  manifestCsv,
};

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T names the response shape each test expects, as res.json<T>() does
async function json<T = unknown>(
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: object,
  as: 'administrator' | 'registrar' | 'nobody' = 'administrator',
): Promise<{ status: number; body: T }> {
  const token = as === 'nobody' ? undefined : tokens.get(as);
  const res = await app.inject({
    method,
    url,
    ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: res.statusCode, body: res.json<T>() };
}

describe('risk-limiting audits over HTTP', () => {
  it('runs a ballot-polling audit from the seed to confirmation, with a ledger entry per step', async () => {
    const created = await json<AuditJson>('POST', '/api/audits', plan);
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('in-progress');
    expect(created.body.nextRoundSize).toBeGreaterThan(0);

    const round = await json<AuditJson>('POST', '/api/audits/gov-2026/rounds', {});
    expect(round.status).toBe(201);
    const sample = round.body.rounds[0]!.ballots;
    expect(sample).toHaveLength(created.body.nextRoundSize);

    // The same seed and manifest draw the same ballots for anyone who checks.
    const other = await json<AuditJson>('POST', '/api/audits', { ...plan, auditId: 'gov-check' });
    expect(other.status).toBe(201);
    const again = await json<AuditJson>('POST', '/api/audits/gov-check/rounds', {});
    expect(again.body.rounds[0]!.ballots.map((b) => b.ballotId)).toEqual(
      sample.map((b) => b.ballotId),
    );

    // Closing with ballots missing is refused.
    const early = await json<{ detail: string }>(
      'POST',
      '/api/audits/gov-2026/rounds/current/close',
    );
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/have no entry yet/);

    // The paper agrees with the reported winner on every sampled ballot (a landslide sample).
    for (const b of new Set(sample.map((s) => s.ballotId))) {
      const entered = await json('PUT', `/api/audits/gov-2026/ballots/${encodeURIComponent(b)}`, {
        kind: 'votes',
        votes: { okafor: 1 },
      });
      expect(entered.status).toBe(200);
    }
    const closed = await json<AuditJson>('POST', '/api/audits/gov-2026/rounds/current/close');
    expect(closed.status).toBe(200);
    expect(closed.body.rounds[0]!.risk).toBeLessThan(0.1);
    expect(closed.body.status).toBe('confirmed');

    const report = await app.inject({ method: 'GET', url: '/api/audits/gov-2026/report' });
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toMatch(/text\/plain/);
    expect(report.body).toMatch(/confirmed/i);

    // Every step is in the ledger: started, drawn, each ballot, completed.
    const entries = await store.ledgerEntries(0, await store.ledgerSize());
    const events = entries.map((e) => {
      const d = decodeEntry(e.bytes);
      return d.ok ? d.value : undefined;
    });
    const ofAudit = events.filter((e) => e?.subjects.includes('audit:gov-2026'));
    expect(ofAudit[0]?.eventId).toBe(eventIdOf('audit.started'));
    expect(ofAudit[1]?.eventId).toBe(eventIdOf('audit.sample.drawn'));
    expect(ofAudit.filter((e) => e?.eventId === eventIdOf('audit.ballot.compared'))).toHaveLength(
      new Set(sample.map((s) => s.ballotId)).size,
    );
    expect(ofAudit.at(-1)?.eventId).toBe(eventIdOf('audit.completed'));
  });

  it('lets only an official who manages the election change an audit; anyone may read it', async () => {
    for (const as of ['nobody', 'registrar'] as const) {
      const refused = await json<{ status: number }>('POST', '/api/audits', plan, as);
      expect(refused.status).toBe(as === 'nobody' ? 401 : 403);
    }
    expect((await json('POST', '/api/audits', plan)).status).toBe(201);
    const writes: ['POST' | 'PUT', string, object | undefined][] = [
      ['POST', '/api/audits/gov-2026/rounds', {}],
      ['PUT', '/api/audits/gov-2026/ballots/P1-A%3A1', { kind: 'not-found' }],
      ['POST', '/api/audits/gov-2026/rounds/current/close', undefined],
    ];
    for (const [method, url, payload] of writes) {
      expect((await json(method, url, payload, 'nobody')).status).toBe(401);
      expect((await json(method, url, payload, 'registrar')).status).toBe(403);
    }
    // Nothing changed: no round was drawn. Reading needs no one.
    const state = await json<AuditJson>('GET', '/api/audits/gov-2026', undefined, 'nobody');
    expect(state.status).toBe(200);
    expect(state.body.rounds).toEqual([]);
    const report = await app.inject({ method: 'GET', url: '/api/audits/gov-2026/report' });
    expect(report.statusCode).toBe(200);
  });

  it('keeps its state across a restart of the server', async () => {
    await json('POST', '/api/audits', plan);
    await json('POST', '/api/audits/gov-2026/rounds', { size: 5 });
    await app.close();
    await store.close();
    store = await openStore({ dataDir: dir });
    app = await buildServer({ store, webDistDir: join(dir, 'no-web') });
    const state = await json<AuditJson>('GET', '/api/audits/gov-2026');
    expect(state.status).toBe(200);
    expect(state.body.rounds[0]!.ballots).toHaveLength(5);
  });

  it('refuses bad input with a problem that says what is wrong', async () => {
    const badSeed = await json<{ detail: string }>('POST', '/api/audits', {
      ...plan,
      seed: '12ab',
    });
    expect(badSeed.status).toBe(422);
    expect(badSeed.body.detail).toMatch(/digits/);

    const dupManifest = await json<{ detail: string }>('POST', '/api/audits', {
      ...plan,
      manifestCsv: 'Batch Name,Number of Ballots\nB1,10\nB1,20\n',
    });
    expect(dupManifest.status).toBe(422);
    expect(dupManifest.body.detail).toMatch(/twice/);

    const badRisk = await json('POST', '/api/audits', { ...plan, riskLimit: 0 });
    expect(badRisk.status).toBe(400);

    expect((await json('POST', '/api/audits', plan)).status).toBe(201);
    expect((await json('POST', '/api/audits', plan)).status).toBe(409);

    const notOpen = await json('PUT', '/api/audits/gov-2026/ballots/P1-A-1', { kind: 'not-found' });
    expect(notOpen.status).toBe(409);

    await json('POST', '/api/audits/gov-2026/rounds', { size: 3 });
    const notSampled = await json<{ detail: string }>(
      'PUT',
      '/api/audits/gov-2026/ballots/nowhere-9',
      { kind: 'not-found' },
    );
    expect(notSampled.status).toBe(404);

    const missing = await json('GET', '/api/audits/no-such-audit');
    expect(missing.status).toBe(404);
  });
});
