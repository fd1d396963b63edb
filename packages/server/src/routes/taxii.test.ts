import { existsSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '@vigil/core';
import {
  jurisdictionIdentity,
  sharedDataDir,
  tearLine,
  TLP_MARKING_IDS,
  type Tlp,
} from '@vigil/intel';
import { decodeEntry } from '@vigil/ledger';
import { openStore, type Store } from '@vigil/store';
import { postgresTarget, postgresTestSetup, type StoreTarget } from '@vigil/store/testing';
import { buildServer } from '../app.ts';
import { hashPassword } from './taxii-auth.ts';
import { recordOperationalSighting } from './taxii-sightings.ts';
import { TAXII_MEDIA_TYPE } from './taxii.ts';
import { indicator, READERS, seedHub, type ReaderName } from './taxii-testing.ts';

const present = existsSync(join(sharedDataDir(), 'stix', 'schemas'));
if (!present) {
  console.warn(
    `STIX schemas not found under ${sharedDataDir()}: set VIGIL_SHARED_DATA; TAXII tests skipped`,
  );
}
const postgres = postgresTestSetup();

const ROOT = '/taxii2/vigil';
const OBJECTS = `${ROOT}/collections/election-threats/objects/`;
const MANIFEST = `${ROOT}/collections/election-threats/manifest/`;

interface Envelope {
  more?: boolean;
  next?: string;
  objects?: { id: string; modified?: string; version?: string; date_added?: string }[];
  versions?: string[];
}

const backends: [string, () => Promise<{ store: Store; done: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'vigil-taxii-'));
      const store = await openStore({ dataDir: dir });
      return {
        store,
        done: async () => {
          await store.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];
if (postgres.kind === 'available') {
  backends.push([
    'postgres',
    async () => {
      const target: StoreTarget = await postgresTarget(postgres.url);
      const store = await target.open();
      return { store, done: () => target.cleanup() };
    },
  ]);
}

describe.skipIf(!present).each(backends)('TAXII 2.1 on %s', (_name, openBackend) => {
  let store: Store;
  let done: () => Promise<void>;
  let app: FastifyInstance;
  let tokens: Record<ReaderName, string>;
  const clock = fixedClock(new Date('2026-11-01T10:00:00.000Z'));

  beforeEach(async () => {
    ({ store, done } = await openBackend());
    tokens = await seedHub(store);
    app = await buildServer({ store, webDistDir: join(tmpdir(), 'no-web'), clock });
  });

  afterEach(async () => {
    await app.close();
    await done();
  });

  const request = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    options: { as?: ReaderName; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url,
      headers: {
        accept: TAXII_MEDIA_TYPE,
        authorization: `Bearer ${tokens[options.as ?? 'poster']}`,
        ...(options.body === undefined ? {} : { 'content-type': TAXII_MEDIA_TYPE }),
        ...options.headers,
      },
      ...(options.body === undefined
        ? {}
        : {
            payload: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
          }),
    });

  const post = async (objects: unknown[], as: ReaderName = 'poster') => {
    clock.advance(1000);
    const res = await request('POST', OBJECTS, { as, body: { objects } });
    return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
  };

  const get = async (url: string, as: ReaderName = 'poster') => {
    const res = await request('GET', url, { as });
    return { res, status: res.statusCode, body: res.json<Envelope>() };
  };

  const ledgerTypes = async () => {
    const size = await store.ledgerSize();
    return (await store.ledgerEntries(0, size)).map((e) => {
      const decoded = decodeEntry(e.bytes);
      if (!decoded.ok) throw decoded.error;
      return decoded.value;
    });
  };

  it('serves discovery, the API root and the collections a reader may use', async () => {
    const discovery = await get('/taxii2/');
    expect(discovery.status).toBe(200);
    expect(discovery.res.headers['content-type']).toBe(TAXII_MEDIA_TYPE);
    expect(discovery.body).toMatchObject({ api_roots: ['/taxii2/vigil/'] });
    expect((await get(`${ROOT}/`)).body).toMatchObject({
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: 10 * 1024 * 1024,
    });
    const collections = (await get(`${ROOT}/collections/`, 'county')).body as unknown as {
      collections: { id: string; can_read: boolean; can_write: boolean }[];
    };
    expect(collections.collections).toEqual([
      expect.objectContaining({ id: 'election-threats', can_read: true, can_write: false }),
    ]);
    expect((await get(`${ROOT}/collections/`, 'federal')).body).toMatchObject({
      collections: [{ id: 'election-threats' }, { id: 'federal-only' }],
    });
    expect((await get(`${ROOT}/collections/election-threats/`, 'poster')).body).toMatchObject({
      id: 'election-threats',
      can_write: true,
      media_types: ['application/stix+json;version=2.1'],
    });
  });

  it('answers 401, 403, 404, 406 and 415 with TAXII error messages', async () => {
    const anonymous = await app.inject({
      method: 'GET',
      url: '/taxii2/',
      headers: { accept: TAXII_MEDIA_TYPE },
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('Basic');
    expect(anonymous.json()).toMatchObject({ http_status: '401', title: 'Unauthorized' });
    const badToken = await request('GET', '/taxii2/', {
      headers: { authorization: 'Bearer nope' },
    });
    expect(badToken.statusCode).toBe(401);

    // HTTP Basic with a scrypt-hashed password.
    await store.addIntelUser(
      {
        userId: 'basic-user',
        orgId: 'ohio',
        name: 'Basic',
        passwordHash: await hashPassword('correct horse battery'),
      },
      {
        eventId: 'vigil-0406',
        actorId: 't',
        stationId: 't',
        time: '2026-11-01T00:00:00Z',
        disposition: 'success',
        subjects: ['x'],
      },
    );
    const basic = (password: string) =>
      request('GET', '/taxii2/', {
        headers: {
          authorization: `Basic ${Buffer.from(`basic-user:${password}`).toString('base64')}`,
        },
      });
    expect((await basic('correct horse battery')).statusCode).toBe(200);
    expect((await basic('wrong horse battery')).statusCode).toBe(401);

    const forbidden = await get(`${ROOT}/collections/federal-only/objects/`, 'poster');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ http_status: '403' });
    expect((await get(`${ROOT}/collections/election-threats/objects/`, 'outsider')).status).toBe(
      403,
    );
    expect((await post([indicator()], 'county')).status).toBe(403);
    expect((await get(`${ROOT}/collections/nope/objects/`)).status).toBe(404);
    expect((await get(`${OBJECTS}indicator--00000000-0000-4000-8000-ffffffffffff/`)).status).toBe(
      404,
    );
    expect((await get(`${ROOT}/status/nope/`)).status).toBe(404);

    const json = await request('GET', OBJECTS, { headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(406);
    expect(json.json()).toMatchObject({ http_status: '406' });
    expect(
      (await request('GET', OBJECTS, { headers: { accept: 'application/taxii+json;version=2.0' } }))
        .statusCode,
    ).toBe(406);

    const wrongType = await request('POST', OBJECTS, {
      body: { objects: [indicator()] },
      headers: { 'content-type': 'application/json' },
    });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json()).toMatchObject({ http_status: '415' });
  });

  it('stores a post, reports its status, and treats a duplicate post as a success', async () => {
    const objects = [indicator(), indicator()];
    const first = await post(objects);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      status: 'complete',
      total_count: 2,
      success_count: 2,
      failure_count: 0,
      pending_count: 0,
    });
    const status = await get(`${ROOT}/status/${String(first.body.id)}/`);
    expect(status.body).toEqual(first.body);
    const again = await post(objects);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ success_count: 2, failure_count: 0 });
    expect((await get(OBJECTS)).body.objects).toHaveLength(2);
    const ingested = (await ledgerTypes()).filter((e) => e.eventId === 'vigil-0400');
    expect(ingested.map((e) => e.subjects[0])).toEqual(objects.map((o) => o.id));
  });

  it('pages with limit and next, with the exact ids and date-added headers of each page', async () => {
    const objects = [indicator(), indicator(), indicator(), indicator(), indicator()];
    const added: string[] = [];
    for (const o of objects) {
      await post([o]);
      added.push(clock.now().toISOString());
    }
    const page1 = await get(`${OBJECTS}?limit=3`);
    expect(page1.status).toBe(200);
    expect(page1.body.more).toBe(true);
    expect(page1.body.objects?.map((o) => o.id)).toEqual(objects.slice(0, 3).map((o) => o.id));
    expect(page1.res.headers['x-taxii-date-added-first']).toBe(added[0]);
    expect(page1.res.headers['x-taxii-date-added-last']).toBe(added[2]);
    const next = page1.body.next ?? '';
    expect(next).not.toBe('');

    const page2 = await get(`${OBJECTS}?limit=3&next=${next}`);
    expect(page2.body.more).toBe(false);
    expect(page2.body.next).toBeUndefined();
    expect(page2.body.objects?.map((o) => o.id)).toEqual(objects.slice(3).map((o) => o.id));
    expect(page2.res.headers['x-taxii-date-added-first']).toBe(added[3]);
    expect(page2.res.headers['x-taxii-date-added-last']).toBe(added[4]);

    // The manifest pages the same way.
    const m1 = await get(`${MANIFEST}?limit=3`);
    expect(m1.body.objects?.map((o) => [o.id, o.date_added])).toEqual(
      objects.slice(0, 3).map((o, i) => [o.id, added[i]]),
    );

    // A next made for other filters is refused.
    const reused = await get(`${OBJECTS}?limit=3&next=${next}&match[type]=indicator`);
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ http_status: '400', title: 'Bad next' });
    expect((await get(`${OBJECTS}?next=garbage`)).status).toBe(400);

    // added_after: strictly after the second post.
    const after = await get(`${OBJECTS}?added_after=${added[1] ?? ''}`);
    expect(after.body.objects?.map((o) => o.id)).toEqual(objects.slice(2).map((o) => o.id));
    expect((await get(`${OBJECTS}?match[type]=malware`)).body).toEqual({ more: false });
    expect(
      (
        await get(`${OBJECTS}?match[id]=${String(objects[1]?.id)},${String(objects[3]?.id)}`)
      ).body.objects?.map((o) => o.id),
    ).toEqual([objects[1]?.id, objects[3]?.id]);
  });

  it('filters versions (first, last, all, timestamps) and spec versions', async () => {
    const id = 'indicator--11111111-2222-4333-8444-555555555555';
    const v = ['2026-10-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z', '2026-10-03T00:00:00.000Z'];
    // Posted out of order: versions are ordered by their time, pages by date added.
    await post([indicator({ id, modified: v[1] })]);
    await post([indicator({ id, modified: v[0] }), indicator({ id, modified: v[2] })]);
    const versionsOf = async (query: string) =>
      (await get(`${OBJECTS}?match[id]=${id}${query}`)).body.objects?.map((o) => o.modified);
    expect(await versionsOf('')).toEqual([v[2]]);
    expect(await versionsOf('&match[version]=last')).toEqual([v[2]]);
    expect(await versionsOf('&match[version]=first')).toEqual([v[0]]);
    expect(await versionsOf('&match[version]=all')).toEqual([v[1], v[0], v[2]]);
    expect(await versionsOf(`&match[version]=${v[1] ?? ''}`)).toEqual([v[1]]);
    expect(await versionsOf(`&match[version]=first,last`)).toEqual([v[0], v[2]]);
    expect(await versionsOf(`&match[version]=2026-10-02T00:00:00Z`)).toEqual([v[1]]);
    expect((await get(`${OBJECTS}?match[version]=latest`)).status).toBe(400);

    const one = await get(`${OBJECTS}${id}/?match[version]=all`);
    expect(one.body.objects?.map((o) => o.modified)).toEqual([v[1], v[0], v[2]]);
    const versions = await get(`${OBJECTS}${id}/versions/`);
    expect(versions.body).toEqual({ more: false, versions: [v[1], v[0], v[2]] });
    const manifest = await get(`${MANIFEST}?match[id]=${id}&match[version]=all`);
    expect(manifest.body.objects?.map((o) => o.version)).toEqual([v[1], v[0], v[2]]);

    expect(await versionsOf('&match[spec_version]=2.1')).toEqual([v[2]]);
    expect((await get(`${OBJECTS}?match[spec_version]=2.0`)).body).toEqual({ more: false });
    expect((await get(`${OBJECTS}${id}/versions/?match[spec_version]=2.0`)).status).toBe(404);
    expect((await get(`${OBJECTS}?match[spec_version]=two`)).status).toBe(400);
  });

  it('deletes one version at a time until the object is gone', async () => {
    const id = 'indicator--21111111-2222-4333-8444-555555555555';
    const v = ['2026-10-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z', '2026-10-03T00:00:00.000Z'];
    await post(v.map((modified) => indicator({ id, modified })));
    for (const [i, version] of v.entries()) {
      const res = await request('DELETE', `${OBJECTS}${id}/?match[version]=${version}`);
      expect(res.statusCode).toBe(200);
      const left = await get(`${OBJECTS}${id}/versions/`);
      if (i < v.length - 1) {
        expect(left.body.versions).toEqual(v.slice(i + 1));
        // The newest remaining version is "last" again.
        expect((await get(`${OBJECTS}${id}/`)).body.objects?.map((o) => o.modified)).toEqual([
          v[2],
        ]);
      } else {
        expect(left.status).toBe(404);
      }
    }
    expect((await get(`${OBJECTS}${id}/`)).status).toBe(404);
    expect((await request('DELETE', `${OBJECTS}${id}/`)).statusCode).toBe(404);
    expect((await ledgerTypes()).filter((e) => e.eventId === 'vigil-0408')).toHaveLength(3);
    // Deleting needs the right to write.
    await post([indicator({ id })]);
    expect((await request('DELETE', `${OBJECTS}${id}/`, { as: 'county' })).statusCode).toBe(403);
  });

  it('refuses bad input with clear TAXII errors and stores nothing from a rejected object', async () => {
    const malformed = await request('POST', OBJECTS, { body: '{"objects": [' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ title: 'Malformed JSON', http_status: '400' });

    const huge = `{"objects":[{"x":"${'a'.repeat(100 * 1024 * 1024)}"}]}`;
    const tooLarge = await request('POST', OBJECTS, { body: huge });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ http_status: '413' });

    const badPattern = indicator({ pattern: "[domain-name:value = 'x'" });
    const refused = await post([badPattern]);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ http_status: '422', title: 'Invalid STIX' });
    expect(String(refused.body.description)).toContain('pattern');

    const good = indicator();
    const mixed = await post([good, badPattern]);
    expect(mixed.status).toBe(202);
    expect(mixed.body).toMatchObject({
      success_count: 1,
      failure_count: 1,
      failures: [{ id: badPattern.id }],
    });
    const stored = (await get(OBJECTS)).body.objects?.map((o) => o.id);
    expect(stored).toEqual([good.id]);

    expect((await post([{ not: 'an envelope' }].slice(0, 0))).status).toBe(202);
    // Ids and messages from the client cannot break the ledger entry of a refusal.
    const hostile = await post([{ type: 'indicator', id: 'not an id\n', name: 'x\u0000' }]);
    expect(hostile.status, JSON.stringify(hostile.body)).toBe(422);
    const notEnvelope = await request('POST', OBJECTS, { body: { type: 'bundle' } });
    expect(notEnvelope.statusCode).toBe(422);

    const minus = await get(`${OBJECTS}?limit=-1`);
    expect(minus.status).toBe(400);
    expect(minus.body).toMatchObject({ http_status: '400' });
    expect(JSON.stringify(minus.body)).toContain('limit must be a positive whole number');
    const badDate = await get(`${OBJECTS}?added_after=yesterday`);
    expect(badDate.status).toBe(400);
    expect(JSON.stringify(badDate.body)).toContain('added_after must be a STIX timestamp');
    expect(
      (await ledgerTypes()).some((e) => e.eventId === 'vigil-0400' && e.disposition === 'failure'),
    ).toBe(true);
  }, 60_000);

  it('alerts those who follow a jurisdiction, in the inbox and live, and turns incidents into sightings', async () => {
    const subscribe = (as: ReaderName, jurisdiction: string) =>
      request('PUT', `${ROOT}/alerts/subscriptions/${jurisdiction}/`, { as });
    expect((await subscribe('namedCounty', 'ohio')).statusCode).toBe(204);
    expect((await subscribe('county', 'franklin')).statusCode).toBe(204);
    expect((await subscribe('otherState', 'texas')).statusCode).toBe(204);
    expect((await subscribe('county', 'cisa')).statusCode).toBe(404);

    // Listen live as Hamilton's clerk (who follows Ohio, and so its counties).
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const events: string[] = [];
    const stream = await new Promise<IncomingMessage>((resolve) => {
      httpGet(
        `${address}${ROOT}/alerts/stream/`,
        { headers: { accept: 'text/event-stream', authorization: `Bearer ${tokens.namedCounty}` } },
        resolve,
      );
    });
    expect(stream.statusCode).toBe(200);
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => events.push(chunk));

    const hamilton = jurisdictionIdentity('hamilton', 'Hamilton County');
    const campaign = {
      type: 'campaign',
      spec_version: '2.1',
      id: 'campaign--3a1d0c5e-7f2b-4c1e-9d8a-6b5e4f3a2c1d',
      created: '2026-10-20T00:00:00.000Z',
      modified: '2026-10-20T00:00:00.000Z',
      name: 'Fake polling-place closures by text message',
      object_marking_refs: [TLP_MARKING_IDS.green],
    };
    const targets = {
      type: 'relationship',
      spec_version: '2.1',
      id: 'relationship--3a1d0c5e-7f2b-4c1e-9d8a-6b5e4f3a2c1e',
      created: '2026-10-20T00:00:00.000Z',
      modified: '2026-10-20T00:00:00.000Z',
      relationship_type: 'targets',
      source_ref: campaign.id,
      target_ref: hamilton.id,
      object_marking_refs: [TLP_MARKING_IDS.green],
    };
    expect(
      (
        await post([
          { ...hamilton, object_marking_refs: [TLP_MARKING_IDS.clear] },
          campaign,
          targets,
        ])
      ).status,
    ).toBe(202);

    const inbox = async (as: ReaderName) =>
      (
        (await get(`${ROOT}/alerts/`, as)).body as unknown as {
          alerts: { object_id: string; via: string; jurisdiction: string }[];
        }
      ).alerts;
    expect(await inbox('namedCounty')).toEqual([
      expect.objectContaining({
        object_id: campaign.id,
        via: targets.id,
        jurisdiction: 'hamilton',
      }),
    ]);
    expect(await inbox('county')).toEqual([]);
    expect(await inbox('otherState')).toEqual([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(events.join('')).toContain(`"object_id":"${campaign.id}"`);
    stream.destroy();

    // A double check-in found on sync in Franklin County becomes a sighting.
    const incident = {
      incidentId: 'sync-2026-11-03-0007',
      kind: 'double-check-in' as const,
      jurisdiction: 'franklin',
      jurisdictionName: 'Franklin County',
      stationId: 'franklin-precinct-3-station-2',
      count: 1,
      firstSeen: '2026-11-03T14:05:00.000Z',
      lastSeen: '2026-11-03T14:05:00.000Z',
      shareWith: ['ohio'],
    };
    const status = await recordOperationalSighting(store, {
      collectionId: 'election-threats',
      incident,
      now: clock.now(),
    });
    expect(status.success_count).toBe(3);
    const again = await recordOperationalSighting(store, {
      collectionId: 'election-threats',
      incident,
      now: clock.now(),
    });
    expect(again.successes.every((s) => s.message === 'already in the collection')).toBe(true);
    const sightings = async (as: ReaderName) =>
      (await get(`${OBJECTS}?match[type]=sighting`, as)).body.objects?.map((o) => o.id) ?? [];
    expect(await sightings('county')).toHaveLength(1);
    expect(await sightings('poster')).toHaveLength(1);
    expect(await sightings('otherState')).toEqual([]);
    expect(await inbox('county')).toEqual([expect.objectContaining({ jurisdiction: 'franklin' })]);
    // Hamilton's clerk follows Ohio but is not a recipient of the AMBER sighting: no alert.
    expect(await inbox('namedCounty')).toHaveLength(1);
    expect((await ledgerTypes()).filter((e) => e.eventId === 'vigil-0404')).toHaveLength(2);
  });

  it('publishes a tear-line: the releasable version reaches the community, the link only the cleared', async () => {
    const original = indicator({ tlp: 'amber+strict' });
    const { releasable, link } = tearLine(original, {
      tlp: 'green',
      remove: ['description'],
      replace: { name: 'Phishing domain aimed at county clerks (releasable)' },
      now: clock.now(),
    });
    expect((await post([original, releasable, link])).status).toBe(202);
    const seen = async (as: ReaderName) =>
      (await get(`${OBJECTS}?match[version]=all`, as)).body.objects?.map((o) => o.id) ?? [];
    expect(await seen('poster')).toEqual([original.id, releasable.id, link.id]);
    expect(await seen('county')).toEqual([releasable.id]);
    expect(await seen('otherState')).toEqual([]);
  });

  /** Ohio's analyst posts one object per marking, naming Hamilton county and its clerk. */
  const expected: Record<Tlp, ReaderName[]> = {
    clear: ['poster', 'colleague', 'county', 'namedCounty', 'federal', 'otherState', 'partner'],
    green: ['poster', 'colleague', 'county', 'namedCounty'],
    amber: ['poster', 'colleague', 'namedCounty'],
    'amber+strict': ['poster', 'colleague'],
    red: ['poster', 'namedCounty'],
  };

  it('enforces TLP 2.0 for every marking and every kind of reader on every endpoint', async () => {
    const byTlp = new Map<Tlp, Record<string, unknown>>();
    for (const tlp of Object.keys(expected) as Tlp[]) {
      byTlp.set(tlp, indicator({ tlp, recipients: ['hamilton', 'hamilton-clerk'] }));
    }
    // Unmarked objects take the collection's default (AMBER).
    const unmarked = indicator({ recipients: ['hamilton'] });
    expect((await post([...byTlp.values(), unmarked])).status).toBe(202);

    const readers = Object.keys(READERS).filter((r) => r !== 'outsider') as ReaderName[];
    for (const reader of readers) {
      const allowed = (Object.keys(expected) as Tlp[])
        .filter((t) => expected[t].includes(reader))
        .map((t) => String(byTlp.get(t)?.id));
      if (expected.amber.includes(reader)) allowed.push(String(unmarked.id));
      const objects = (await get(OBJECTS, reader)).body.objects?.map((o) => o.id) ?? [];
      expect(objects, `objects for ${reader}`).toEqual(allowed);
      const manifest = (await get(MANIFEST, reader)).body.objects?.map((o) => o.id) ?? [];
      expect(manifest, `manifest for ${reader}`).toEqual(allowed);
      for (const [tlp, object] of byTlp) {
        const may = expected[tlp].includes(reader);
        const one = await get(`${OBJECTS}${String(object.id)}/`, reader);
        expect(one.status, `object ${tlp} for ${reader}`).toBe(may ? 200 : 404);
        const versions = await get(`${OBJECTS}${String(object.id)}/versions/`, reader);
        expect(versions.status, `versions ${tlp} for ${reader}`).toBe(may ? 200 : 404);
      }
    }
    // Reads of AMBER+STRICT and RED objects are on the ledger; refusals too.
    const entries = await ledgerTypes();
    const reads = entries.filter((e) => e.eventId === 'vigil-0407');
    expect(
      reads.some(
        (e) => e.subjects[0] === byTlp.get('red')?.id && e.actorId === 'user:hamilton-clerk',
      ),
    ).toBe(true);
    expect(
      reads.some(
        (e) => e.subjects[0] === byTlp.get('amber+strict')?.id && e.actorId === 'user:ohio-clerk',
      ),
    ).toBe(true);
    expect(
      reads.every(
        (e) => e.detail?.startsWith('TLP:AMBER+STRICT') || e.detail?.startsWith('TLP:RED'),
      ),
    ).toBe(true);
    expect(
      entries.some((e) => e.eventId === 'vigil-0402' && e.actorId === 'user:texas-analyst'),
    ).toBe(true);
  });
});
