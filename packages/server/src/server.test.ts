import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, loadSampleElection, sha256Hex } from '@vigil/core';
import { openStore, type Store } from '@vigil/store';
import { postgresTarget, postgresTestSetup, type StoreTarget } from '@vigil/store/testing';
import type {
  ElectionDetailResponse,
  ElectionListResponse,
  ElectionLoadResponse,
  HealthResponse,
  ProblemDetails,
} from './api-types.ts';
import { buildServer } from './app.ts';
import { MAX_DEFINITION_BYTES } from './routes/elections.ts';
import { startServer } from './start.ts';

const postgres = postgresTestSetup();
if (postgres.kind === 'skip') console.warn(postgres.message.replace('store tests', 'server tests'));

const sample = loadSampleElection();
const sampleJson = JSON.parse(Buffer.from(sample).toString('utf8')) as Record<string, unknown> & {
  id: string;
  title: string;
};

let dir: string;
let store: Store;
let app: FastifyInstance;

async function makeApp(webDistDir = join(dir, 'no-web-build')): Promise<FastifyInstance> {
  return buildServer({
    store,
    logger: false,
    webDistDir,
    clock: fixedClock(new Date('2026-03-01T12:00:00Z')),
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-server-test-'));
  store = await openStore({ dataDir: join(dir, 'data') });
  app = await makeApp();
});

afterEach(async () => {
  await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function postElection(
  body: string | Uint8Array,
  contentType = 'application/json',
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/api/elections',
    headers: { 'content-type': contentType },
    payload: typeof body === 'string' ? body : Buffer.from(body),
  });
}

function expectProblem(response: LightMyRequestResponse, status: number): ProblemDetails {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json<ProblemDetails>();
  expect(problem.status).toBe(status);
  expect(typeof problem.type).toBe('string');
  expect(problem.title.length).toBeGreaterThan(0);
  expect(problem.detail.length).toBeGreaterThan(0);
  expect(problem.instance).toMatch(/^\/[^?]*$/);
  expect(problem.requestId).toBe(response.headers['x-request-id']);
  // Never a stack trace, whatever went wrong.
  expect(response.body).not.toMatch(/\bat .+\.ts:\d+/);
  return problem;
}

describe('GET /healthz', () => {
  it('answers ok with the store dialect and the number of elections', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json<HealthResponse>()).toEqual({
      status: 'ok',
      store: 'sqlite',
      elections: 0,
    });
  });

  it('sets the security headers and a request id', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 503 when the store does not answer', async () => {
    await store.close();
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(expectProblem(response, 503).code).toBe('store-unavailable');
    // afterEach closes it again; reopen so that it has something to close.
    store = await openStore({ dataDir: join(dir, 'data') });
  });
});

describe('POST /api/elections', () => {
  it('loads the sample election (201), then recognises the same bytes (200)', async () => {
    const first = await postElection(sample);
    expect(first.statusCode).toBe(201);
    const loaded = first.json<ElectionLoadResponse>();
    expect(loaded).toEqual({
      electionId: sampleJson.id,
      hash: sha256Hex(sample),
      title: sampleJson.title,
      loadedAt: '2026-03-01T12:00:00.000Z',
    });
    expect(first.headers.location).toBe(`/api/elections/${sampleJson.id}`);

    const again = await postElection(sample);
    expect(again.statusCode).toBe(200);
    expect(again.json<ElectionLoadResponse>()).toEqual(loaded);
    expect(await store.countElections()).toBe(1);
  });

  it('hashes the exact bytes received, whitespace included', async () => {
    const reformatted = `${JSON.stringify(sampleJson, null, 1)}\n`;
    const response = await postElection(reformatted);
    expect(response.statusCode).toBe(201);
    expect(response.json<ElectionLoadResponse>().hash).toBe(sha256Hex(reformatted));
    // The same election, written differently, is a different definition: refused.
    expectProblem(await postElection(sample), 409);
  });

  it('refuses a different definition under a loaded id (409)', async () => {
    expect((await postElection(sample)).statusCode).toBe(201);
    const changed = JSON.stringify({ ...sampleJson, title: `${sampleJson.title} (amended)` });
    const problem = expectProblem(await postElection(changed), 409);
    expect(problem.code).toBe('conflict');
    expect(problem.detail).toContain(sampleJson.id);
    expect(problem.hint).toBeDefined();
  });

  it('lists every problem of an invalid definition with its path (422)', async () => {
    const { title: _title, ...withoutTitle } = sampleJson;
    const broken = { ...withoutTitle, contests: 'none' };
    const problem = expectProblem(await postElection(JSON.stringify(broken)), 422);
    expect(problem.type).toBe('urn:vigil:problem:invalid-input');
    const paths = (problem.problems ?? []).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['title']));
    expect(paths.some((p) => p.startsWith('contests'))).toBe(true);
    for (const p of problem.problems ?? []) expect(p.message.length).toBeGreaterThan(0);
  });

  it('says clearly when the body is not JSON at all', async () => {
    const problem = expectProblem(await postElection('{"id": "oops", '), 422);
    expect(problem.problems?.length).toBeGreaterThan(0);
    expect(problem.detail).toMatch(/JSON/);
  });

  it('refuses an empty body', async () => {
    const problem = expectProblem(await postElection(''), 422);
    expect(problem.problems?.length).toBeGreaterThan(0);
  });

  it('refuses a body that is not application/json (415)', async () => {
    const problem = expectProblem(await postElection(sample, 'text/plain'), 415);
    expect(problem.type).toBe('about:blank');
    expect(problem.title).toBe('Unsupported Media Type');
    expect(problem.detail).toContain('application/json');
  });

  it('refuses a body larger than the limit (413)', async () => {
    const huge = `{"padding": "${'x'.repeat(MAX_DEFINITION_BYTES)}"}`;
    expectProblem(await postElection(huge), 413);
  });
});

describe('GET /api/elections…', () => {
  it('lists, reads one and reads the current election', async () => {
    const none = await app.inject({ method: 'GET', url: '/api/elections' });
    expect(none.json<ElectionListResponse>()).toEqual({ elections: [] });
    expect(
      expectProblem(await app.inject({ method: 'GET', url: '/api/elections/current' }), 404).code,
    ).toBe('not-found');

    await postElection(sample);
    const list = await app.inject({ method: 'GET', url: '/api/elections' });
    expect(list.statusCode).toBe(200);
    const [summary, ...rest] = list.json<ElectionListResponse>().elections;
    expect(rest).toEqual([]);
    expect(summary).toEqual({
      electionId: sampleJson.id,
      title: sampleJson.title,
      date: sampleJson.date,
      hash: sha256Hex(sample),
      loadedAt: '2026-03-01T12:00:00.000Z',
    });

    const one = await app.inject({ method: 'GET', url: `/api/elections/${sampleJson.id}` });
    expect(one.statusCode).toBe(200);
    const detail = one.json<ElectionDetailResponse>();
    expect(detail.hash).toBe(sha256Hex(sample));
    expect(detail.electionId).toBe(sampleJson.id);
    // The definition comes back as parsed: the sample's contests, precincts and styles.
    expect(detail.election).toMatchObject({
      id: sampleJson.id,
      title: sampleJson.title,
      contests: sampleJson.contests,
      precincts: sampleJson.precincts,
      ballotStyles: sampleJson.ballotStyles,
    });

    const current = await app.inject({ method: 'GET', url: '/api/elections/current' });
    expect(current.statusCode).toBe(200);
    expect(current.json<ElectionDetailResponse>()).toEqual(detail);
  });

  it('answers the most recently loaded election as current', async () => {
    const clock = fixedClock(new Date('2026-03-01T12:00:00Z'));
    await app.close();
    app = await buildServer({ store, logger: false, webDistDir: join(dir, 'none'), clock });
    await postElection(sample);
    clock.advance(60_000);
    const second = JSON.stringify({ ...sampleJson, id: 'second-election', title: 'Second' });
    expect((await postElection(second)).statusCode).toBe(201);

    const current = await app.inject({ method: 'GET', url: '/api/elections/current' });
    expect(current.json<ElectionDetailResponse>().electionId).toBe('second-election');
    const list = await app.inject({ method: 'GET', url: '/api/elections' });
    expect(list.json<ElectionListResponse>().elections.map((e) => e.electionId)).toEqual([
      'second-election',
      sampleJson.id,
    ]);
  });

  it('answers 404 for an unknown election and 400 for a malformed id', async () => {
    const missing = expectProblem(
      await app.inject({ method: 'GET', url: '/api/elections/no-such-election' }),
      404,
    );
    expect(missing.detail).toContain('no-such-election');

    const malformed = expectProblem(
      await app.inject({ method: 'GET', url: `/api/elections/${'x'.repeat(65)}` }),
      400,
    );
    expect(malformed.code).toBe('invalid-request');
    expect(malformed.problems?.[0]?.path).toBe('params.electionId');
    expectProblem(await app.inject({ method: 'GET', url: '/api/elections/-dash-first' }), 400);
  });
});

describe('stored definitions', () => {
  it('refuses to serve a definition whose bytes no longer match the recorded hash', async () => {
    await postElection(sample);
    const altered = new TextEncoder().encode(
      Buffer.from(sample).toString('utf8').replace(sampleJson.title, 'Altered Title'),
    );
    // The store hands back different bytes under the recorded hash, as a database
    // edited behind Vigil's back would.
    const tampered: Store = {
      ...store,
      getElection: async (electionId) => {
        const record = await store.getElection(electionId);
        return record === undefined ? undefined : { ...record, definition: altered };
      },
    };
    const tamperedApp = await buildServer({ store: tampered, logger: false, webDistDir: dir });
    try {
      const response = await tamperedApp.inject({ method: 'GET', url: '/api/elections/current' });
      const problem = expectProblem(response, 500);
      expect(problem.code).toBe('integrity');
      expect(problem.detail).toContain('altered');
    } finally {
      await tamperedApp.close();
    }
  });
});

describe('routes that do not exist', () => {
  it('answers 404 problem details for unknown API routes and methods', async () => {
    const problem = expectProblem(
      await app.inject({ method: 'GET', url: '/api/nothing-here' }),
      404,
    );
    expect(problem.type).toBe('about:blank');
    expect(problem.title).toBe('Not Found');
    expectProblem(await app.inject({ method: 'DELETE', url: '/api/elections' }), 404);
    expectProblem(await app.inject({ method: 'POST', url: '/healthz?x=1' }), 404);
  });

  it('answers a URL that does not decode with a 400 problem, headers included', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/elections/%E0%A4%A' });
    expectProblem(response, 400);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});

describe('the web UI', () => {
  it('answers 503 saying how to build it when it is not built', async () => {
    const problem = expectProblem(await app.inject({ method: 'GET', url: '/' }), 503);
    expect(problem.detail).toContain('npm run build -w @vigil/web');
    expectProblem(await app.inject({ method: 'GET', url: '/election' }), 503);
    // The API does not depend on the UI.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('serves the build, with index.html for every page path', async () => {
    const dist = join(dir, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    const html = '<!doctype html><html lang="en"><title>Vigil</title><div id="root"></div></html>';
    await writeFile(join(dist, 'index.html'), html);
    await writeFile(join(dist, 'assets', 'index-abc123.js'), 'console.log(1);');
    await app.close();
    app = await makeApp(dist);

    const root = await app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(200);
    expect(root.headers['content-type']).toMatch(/^text\/html/);
    expect(root.body).toBe(html);
    expect(root.headers['content-security-policy']).toContain("script-src 'self'");
    expect(root.headers['cache-control']).toBe('no-cache');

    const page = await app.inject({ method: 'GET', url: '/polling-station?x=1' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe(html);

    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');

    // A missing file is a 404, not the app's HTML; so is an unknown API path.
    expectProblem(await app.inject({ method: 'GET', url: '/assets/missing.js' }), 404);
    expectProblem(await app.inject({ method: 'GET', url: '/assets/' }), 404);
    expectProblem(await app.inject({ method: 'GET', url: '/api/nothing' }), 404);
  });
});

describe('startServer', () => {
  it('loads the sample election into an empty store and answers real HTTP', async () => {
    const running = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: join(dir, 'started'),
      logger: false,
      webDistDir: join(dir, 'no-web-build'),
      handleSignals: false,
      demoVoters: 0,
    });
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${running.url}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok', store: 'sqlite', elections: 1 });
      const current = await fetch(`${running.url}/api/elections/current`);
      expect(((await current.json()) as ElectionDetailResponse).hash).toBe(sha256Hex(sample));
    } finally {
      await running.close();
    }
    await running.closed;
    // Started again on the same data, it keeps what is there.
    const again = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir: join(dir, 'started'),
      logger: false,
      webDistDir: join(dir, 'no-web-build'),
      handleSignals: false,
      demoVoters: 0,
    });
    try {
      expect(await again.store.countElections()).toBe(1);
    } finally {
      await again.close();
    }
  });
});

describe.skipIf(postgres.kind === 'skip')('the API on PostgreSQL', () => {
  let target: StoreTarget | undefined;
  let pgApp: FastifyInstance | undefined;

  beforeEach(async () => {
    if (postgres.kind !== 'available') throw new Error(postgres.message);
    target = await postgresTarget(postgres.url);
    pgApp = await buildServer({
      store: await target.open(),
      logger: false,
      webDistDir: join(dir, 'no-web-build'),
    });
  });

  afterEach(async () => {
    await pgApp?.close();
    await target?.cleanup();
  });

  it('loads, recognises, refuses and serves definitions as on SQLite', async () => {
    const inject = (options: InjectOptions): Promise<LightMyRequestResponse> =>
      pgApp!.inject(options);
    const post = (body: string | Uint8Array) =>
      inject({
        method: 'POST',
        url: '/api/elections',
        headers: { 'content-type': 'application/json' },
        payload: typeof body === 'string' ? body : Buffer.from(body),
      });

    const health = await inject({ method: 'GET', url: '/healthz' });
    expect(health.json<HealthResponse>()).toEqual({
      status: 'ok',
      store: 'postgres',
      elections: 0,
    });
    expect((await post(sample)).statusCode).toBe(201);
    expect((await post(sample)).statusCode).toBe(200);
    expectProblem(await post(JSON.stringify({ ...sampleJson, title: 'Changed' })), 409);

    const current = await inject({ method: 'GET', url: '/api/elections/current' });
    expect(current.statusCode).toBe(200);
    const detail = current.json<ElectionDetailResponse>();
    expect(detail.hash).toBe(sha256Hex(sample));
    expect(detail.election.title).toBe(sampleJson.title);
    const list = await inject({ method: 'GET', url: '/api/elections' });
    expect(list.json<ElectionListResponse>().elections).toHaveLength(1);
  });
});
