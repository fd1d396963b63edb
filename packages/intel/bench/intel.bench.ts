import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eventIdOf, type LedgerEntry } from '@vigil/ledger';
import { buildServer, ingestStixObjects, newBearerToken } from '@vigil/server';
import { openStore, type IntelCollection, type Store } from '@vigil/store';
import { postgresTarget } from '@vigil/store/testing';
import { defaultStixValidator, sharedDataDir } from '../src/index.ts';

/**
 * Intelligence hub benchmarks (issue 10), on SQLite and, when a server is given,
 * PostgreSQL, through the real ingest path (validation, storage, one ledger entry per
 * object, all in one transaction per envelope):
 * - ingest of the ATT&CK for ICS bundle (1,826 objects) in one envelope;
 * - ingest of a generated store of `objects` indicators (default 1,000,000) in envelopes
 *   of 5,000; target at least 5,000 objects per second;
 * - one 100-object TAXII page (GET …/objects/?limit=100 with an added_after anywhere in
 *   the collection, through Fastify with bearer authentication and TLP checks) at that
 *   size: target p95 at most 20 ms.
 */

export interface IntelBenchOptions {
  readonly postgresUrl?: string;
  readonly objects?: number;
  readonly pages?: number;
}

const entry = (subject: string): LedgerEntry => ({
  eventId: eventIdOf('intel.group.changed'),
  actorId: 'bench',
  stationId: 'bench',
  time: '2026-11-01T00:00:00.000Z',
  disposition: 'success',
  subjects: [subject],
});

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

async function seed(
  store: Store,
  id: string,
): Promise<{ collection: IntelCollection; token: string }> {
  await store.addIntelOrganisation({ orgId: 'ohio', name: 'Ohio', kind: 'state' }, entry('org'));
  const { token, tokenHash } = newBearerToken();
  await store.addIntelUser(
    { userId: 'analyst', orgId: 'ohio', name: 'Analyst', tokenHash },
    entry('user'),
  );
  const made = await store.addIntelCollection(
    {
      collectionId: id,
      title: id,
      description: '',
      defaultTlp: 'green',
      rights: [{ orgId: 'ohio', canRead: true, canWrite: true }],
    },
    entry(id),
  );
  if (!made.ok) throw made.error;
  return { collection: made.value, token };
}

function indicator(i: number): Record<string, unknown> {
  const hex = i.toString(16).padStart(12, '0');
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--6b1c2f3e-0000-4000-8000-${hex}`,
    created: '2026-10-01T00:00:00.000Z',
    modified: '2026-10-01T00:00:00.000Z',
    name: `Phishing domain ${String(i)}`,
    indicator_types: ['malicious-activity'],
    pattern: `[domain-name:value = 'vote-${hex}.example'] OR [url:value = 'https://vote-${hex}.example/login']`,
    pattern_type: 'stix',
    valid_from: '2026-10-01T00:00:00Z',
  };
}

async function benchBackend(
  name: string,
  store: Store,
  log: (line: string) => void,
  options: IntelBenchOptions,
): Promise<void> {
  const validator = defaultStixValidator();
  const ics = join(sharedDataDir(), 'stix', 'examples', 'mitre-attack-ics', 'ics-attack-18.1.json');
  const { collection: icsCollection } = await seed(store, 'ics');
  const bundle = JSON.parse(readFileSync(ics, 'utf8')) as { objects: unknown[] };
  const user = { userId: 'analyst', orgId: 'ohio' };
  // Compile the schemas first, as a server does once at its first post.
  validator.validateObjects(bundle.objects.slice(0, 50));
  let t0 = performance.now();
  const icsResult = await ingestStixObjects(store, {
    collection: icsCollection,
    user,
    objects: bundle.objects,
    now: new Date(),
    validator,
    stationId: 'bench',
  });
  let seconds = (performance.now() - t0) / 1000;
  log(
    `${name}: ATT&CK for ICS: ${String(icsResult.status.success_count)} objects in ${seconds.toFixed(2)} s = ${(bundle.objects.length / seconds).toFixed(0)} objects/s (target >= 5,000)`,
  );

  const total = options.objects ?? 1_000_000;
  const batch = 5000;
  const made = await store.addIntelCollection(
    {
      collectionId: 'generated',
      title: 'generated',
      description: '',
      defaultTlp: 'green',
      rights: [{ orgId: 'ohio', canRead: true, canWrite: true }],
    },
    entry('generated'),
  );
  if (!made.ok) throw made.error;
  const start = Date.UTC(2026, 9, 1);
  t0 = performance.now();
  for (let done = 0; done < total; done += batch) {
    const objects = Array.from({ length: Math.min(batch, total - done) }, (_, i) =>
      indicator(done + i),
    );
    await ingestStixObjects(store, {
      collection: made.value,
      user,
      objects,
      now: new Date(start + done),
      validator,
      stationId: 'bench',
    });
  }
  seconds = (performance.now() - t0) / 1000;
  log(
    `${name}: generated: ${String(total)} indicators in ${seconds.toFixed(1)} s = ${(total / seconds).toFixed(0)} objects/s (target >= 5,000)`,
  );

  const { token } = { token: (await seedReader(store)).token };
  const app = await buildServer({ store, webDistDir: join(tmpdir(), 'vigil-no-web') });
  try {
    const times: number[] = [];
    const pages = options.pages ?? 200;
    for (let i = 0; i < pages + 20; i++) {
      const offset = Math.floor(Math.random() * Math.max(1, total - 200));
      const after = new Date(start + offset).toISOString();
      const t = performance.now();
      const res = await app.inject({
        method: 'GET',
        url: `/taxii2/vigil/collections/generated/objects/?limit=100&added_after=${after}`,
        headers: { accept: 'application/taxii+json;version=2.1', authorization: `Bearer ${token}` },
      });
      const ms = performance.now() - t;
      if (res.statusCode !== 200)
        throw new Error(`page answered ${String(res.statusCode)}: ${res.body}`);
      if (i >= 20) times.push(ms); // the first requests warm caches
    }
    log(
      `${name}: one 100-object page at ${String(total)} objects: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms (target p95 <= 20 ms)`,
    );
  } finally {
    await app.close();
  }
}

async function seedReader(store: Store): Promise<{ token: string }> {
  const { token, tokenHash } = newBearerToken();
  await store.addIntelUser(
    { userId: 'reader', orgId: 'ohio', name: 'Reader', tokenHash },
    entry('reader'),
  );
  return { token };
}

/** Runs the benchmarks, printing one line per figure. */
export async function benchIntel(
  log: (line: string) => void,
  options: IntelBenchOptions = {},
): Promise<void> {
  if (!existsSync(join(sharedDataDir(), 'stix'))) {
    log(`skipped: no STIX data under ${sharedDataDir()} (set VIGIL_SHARED_DATA)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-intel-bench-'));
  try {
    const store = await openStore({ dataDir: dir });
    try {
      await benchBackend('sqlite', store, log, options);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (options.postgresUrl !== undefined && options.postgresUrl !== '') {
    const target = await postgresTarget(options.postgresUrl);
    try {
      await benchBackend('postgres', await target.open(), log, options);
    } finally {
      await target.cleanup();
    }
  } else {
    log('postgres: skipped (set VIGIL_BENCH_POSTGRES_URL or VIGIL_TEST_POSTGRES_URL)');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchIntel((line) => process.stdout.write(`${line}\n`), {
    postgresUrl: process.env.VIGIL_BENCH_POSTGRES_URL ?? process.env.VIGIL_TEST_POSTGRES_URL,
    ...(process.env.VIGIL_BENCH_INTEL_OBJECTS === undefined
      ? {}
      : { objects: Number(process.env.VIGIL_BENCH_INTEL_OBJECTS) }),
  });
}
