import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '@vigil/core';
import { sharedDataDir, TLP_MARKING_IDS } from '@vigil/intel';
import type { Store } from '@vigil/store';
import {
  postgresTarget,
  postgresTestSetup,
  sqliteFileTarget,
  type StoreTarget,
} from '@vigil/store/testing';
import { buildServer } from '../app.ts';
import { seedDemoIntel } from '../demo/intel.ts';
import { TAXII_MEDIA_TYPE } from './taxii.ts';
import { indicator, seedHub, type ReaderName } from './taxii-testing.ts';
import type { IntelAudience, IntelProfile, TearLineResponse } from './console-types.ts';

/**
 * The intelligence console's routes (`/api/intel/*`) on SQLite and PostgreSQL: who is
 * signed in, the audience of a marking and of an alert (TLP 2.0 as the TAXII reads
 * apply it), tear-lines published through the TAXII ingest path, and the demo hub.
 */

const schemas = existsSync(join(sharedDataDir(), 'stix', 'schemas'));
if (!schemas) console.warn(`STIX schemas not under ${sharedDataDir()}: tear-line tests skipped`);
const postgres = postgresTestSetup();
const targets: [string, () => Promise<StoreTarget>][] = [['sqlite', sqliteFileTarget]];
if (postgres.kind === 'available') targets.push(['postgres', () => postgresTarget(postgres.url)]);
else if (postgres.kind === 'fail') throw new Error(postgres.message);

describe.each(targets)('intelligence console API on %s', (_name, makeTarget) => {
  const clock = fixedClock(new Date('2026-11-02T09:00:00.000Z'));
  let target: StoreTarget;
  let store: Store;
  let app: FastifyInstance;
  let tokens: Record<ReaderName, string>;

  beforeEach(async () => {
    target = await makeTarget();
    store = await target.open();
    tokens = await seedHub(store);
    app = await buildServer({ store, webDistDir: join(tmpdir(), 'no-web'), clock });
  });

  afterEach(async () => {
    await app.close();
    await target.cleanup();
  });

  const call = (method: 'GET' | 'POST', url: string, as: ReaderName | undefined, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: as === undefined ? {} : { authorization: `Bearer ${tokens[as]}` },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });

  it('says who is signed in, with the directory, and refuses strangers without a Basic prompt', async () => {
    const me = await call('GET', '/api/intel/me', 'county');
    expect(me.statusCode, me.body).toBe(200);
    const profile = me.json<IntelProfile>();
    expect(profile.user.userId).toBe('franklin-clerk');
    expect(profile.organisation).toEqual({
      orgId: 'franklin',
      name: 'Franklin County',
      kind: 'county',
      parentId: 'ohio',
    });
    expect(profile.markings.amber).toBe(TLP_MARKING_IDS.amber);
    expect(profile.collectionDefaults).toEqual({ 'election-threats': 'amber' });
    expect(profile.jurisdictions.map((j) => j.orgId).sort()).toEqual([
      'franklin',
      'hamilton',
      'nowhere',
      'ohio',
      'texas',
    ]);

    const refused = await call('GET', '/api/intel/me', undefined);
    expect(refused.statusCode).toBe(401);
    // A Basic challenge would make a browser open its own dialog over the console's form.
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="vigil-taxii"');
  });

  it('previews who may read a marking and who an alert would reach', async () => {
    await store.subscribeIntel('hamilton-clerk', 'ohio');
    await store.subscribeIntel('franklin-clerk', 'franklin');
    await store.subscribeIntel('ohio-analyst', 'ohio');
    const audience = async (body: unknown) => {
      const res = await call('POST', '/api/intel/audience', 'poster', body);
      expect(res.statusCode, res.body).toBe(200);
      const a = res.json<IntelAudience>();
      return {
        readers: a.readers.map((o) => o.orgId).sort(),
        alerted: a.alerted.map((o) => `${o.orgId}:${String(o.people)}`).sort(),
      };
    };
    expect(
      await audience({ tlp: 'amber', recipients: ['franklin'], jurisdiction: 'franklin' }),
    ).toEqual({ readers: ['franklin', 'ohio'], alerted: ['franklin:1', 'ohio:1'] });
    expect(await audience({ tlp: 'green', jurisdiction: 'hamilton' })).toEqual({
      readers: ['franklin', 'hamilton', 'ohio'],
      alerted: ['hamilton:1', 'ohio:1'],
    });
    expect(await audience({ tlp: 'amber+strict' })).toEqual({ readers: ['ohio'], alerted: [] });
    const bad = await call('POST', '/api/intel/audience', 'poster', { tlp: 'purple' });
    expect(bad.statusCode).toBe(400);
  });

  it.skipIf(!schemas)(
    'publishes a tear-line at a lower marking through the TAXII ingest path',
    async () => {
      const original: Record<string, unknown> = {
        ...indicator({ tlp: 'amber+strict' }),
        description: 'Seen by our sensor at 10.0.0.7',
      };
      const originalId = String(original.id);
      const posted = await app.inject({
        method: 'POST',
        url: '/taxii2/vigil/collections/election-threats/objects/',
        headers: {
          authorization: `Bearer ${tokens.poster}`,
          accept: TAXII_MEDIA_TYPE,
          'content-type': TAXII_MEDIA_TYPE,
        },
        payload: JSON.stringify({ objects: [original] }),
      });
      expect(posted.statusCode, posted.body).toBe(202);

      // The federal agency may write here but not read Ohio's AMBER+STRICT original.
      const hidden = await call('POST', '/api/intel/tearlines', 'federal', {
        collectionId: 'election-threats',
        objectId: originalId,
        tlp: 'green',
        remove: [],
      });
      expect(hidden.statusCode).toBe(404);
      const notLower = await call('POST', '/api/intel/tearlines', 'poster', {
        collectionId: 'election-threats',
        objectId: originalId,
        tlp: 'red',
        remove: [],
      });
      expect(notLower.statusCode).toBe(422);

      const res = await call('POST', '/api/intel/tearlines', 'poster', {
        collectionId: 'election-threats',
        objectId: originalId,
        tlp: 'green',
        remove: ['description'],
        replace: { name: 'Phishing domain (releasable)' },
      });
      expect(res.statusCode, res.body).toBe(201);
      const published = res.json<TearLineResponse>();
      expect(published.status.success_count).toBe(2);
      const seen = async (as: ReaderName) => {
        const r = await app.inject({
          method: 'GET',
          url: '/taxii2/vigil/collections/election-threats/objects/',
          headers: { authorization: `Bearer ${tokens[as]}`, accept: TAXII_MEDIA_TYPE },
        });
        return (r.json<{ objects?: Record<string, unknown>[] }>().objects ?? []).map((o) => ({
          id: o.id,
          name: o.name,
          description: o.description,
        }));
      };
      expect(await seen('county')).toEqual([
        {
          id: published.releasableId,
          name: 'Phishing domain (releasable)',
          description: undefined,
        },
      ]);
      expect((await seen('poster')).map((o) => o.id)).toEqual([
        originalId,
        published.releasableId,
        published.linkId,
      ]);
      // Texas may read the collection but may not publish to it.
      const readOnly = await call('POST', '/api/intel/tearlines', 'otherState', {
        collectionId: 'election-threats',
        objectId: published.releasableId,
        tlp: 'clear',
        remove: [],
      });
      expect(readOnly.statusCode).toBe(403);
    },
  );
});

describe.skipIf(!schemas)('the demo intelligence hub', () => {
  it('seeds organisations, people who can sign in, subscriptions and objects, once', async () => {
    const target = await sqliteFileTarget();
    const store = await target.open();
    const file = join(tmpdir(), `vigil-demo-intel-${String(process.pid)}.txt`);
    await writeFile(file, '# demo\n');
    try {
      const seeded = await seedDemoIntel(store, { file, clock: fixedClock(new Date()) });
      expect(seeded?.userIds).toHaveLength(5);
      expect(seeded?.objectsSkipped).toBeUndefined();
      expect(await seedDemoIntel(store, { file, clock: fixedClock(new Date()) })).toBeUndefined();
      const text = await readFile(file, 'utf8');
      const password =
        /intel user franklin-clerk \(Franklin County Board of Elections\)\n {2}password: (\S+)/.exec(
          text,
        )?.[1];
      expect(password).toBeDefined();
      const app = await buildServer({ store, webDistDir: join(tmpdir(), 'no-web') });
      try {
        const me = await app.inject({
          method: 'GET',
          url: '/api/intel/me',
          headers: {
            authorization: `Basic ${Buffer.from(`franklin-clerk:${password ?? ''}`).toString('base64')}`,
          },
        });
        expect(me.statusCode, me.body).toBe(200);
        expect(me.json<IntelProfile>().subscriptions).toEqual(['franklin']);
        const alerts = await app.inject({
          method: 'GET',
          url: '/taxii2/vigil/alerts/',
          headers: {
            authorization: `Basic ${Buffer.from(`franklin-clerk:${password ?? ''}`).toString('base64')}`,
            accept: TAXII_MEDIA_TYPE,
          },
        });
        // The demo's operational sighting in Franklin County alerts its clerk.
        expect(alerts.json<{ alerts: unknown[] }>().alerts).toHaveLength(1);
      } finally {
        await app.close();
      }
    } finally {
      await target.cleanup();
    }
  });
});
