import { randomBytes } from 'node:crypto';
import { fixedClock, unwrap, type Clock } from '@vigil/core';
import type { FingerprintTemplate } from '@vigil/biometrics';
import type { Store } from '@vigil/store';
import { postgresTarget, sqliteFileTarget, type StoreTarget } from '@vigil/store/testing';
import { checkIn, registryDirectory, type CheckInDeps } from '../src/checkin.ts';
import {
  impression,
  sampleElection,
  seedRoll,
  stationAt,
  syntheticFinger,
  testVoter,
} from '../src/checkin-testing.ts';
import {
  createCredentialKeys,
  DEFAULT_MODULUS_BITS,
  openCredentialSigner,
  requestCredential,
} from '../src/credentials.ts';
import { keyringFromKey } from '../src/keys.ts';

/**
 * Server-side check-in under load (issue 8: 50 stations at once, p95 at most 250 ms, on
 * SQLite and PostgreSQL). Each of `stations` concurrent stations checks in its share of
 * `voters` voters, one after another, through the real path against one Store (the
 * server's): the voter by id from the roll, the enrolled templates decrypted with the
 * master key, the 1:1 match, the "has voted" lock with its ledger entries, and the RFC
 * 9474 blind signature (2048-bit key by default). The station's own work (capture, blinding) is
 * done before the clock starts. Latency is per check-in, queueing included.
 */
export interface CheckInBenchOptions {
  readonly postgresUrl?: string;
  readonly stations?: number;
  readonly voters?: number;
  readonly modulusBits?: number;
}

export interface CheckInBenchResult {
  readonly backend: 'sqlite' | 'postgres';
  readonly stations: number;
  readonly checkIns: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly perSecond: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

async function runOn(
  backend: 'sqlite' | 'postgres',
  target: StoreTarget,
  options: Required<Omit<CheckInBenchOptions, 'postgresUrl'>>,
): Promise<CheckInBenchResult> {
  const store: Store = await target.open();
  const election = sampleElection();
  const keyring = keyringFromKey(new Uint8Array(randomBytes(32)));
  const clock: Clock = fixedClock(new Date(`${election.date}T07:00:00.000Z`));
  const enrolled = Array.from({ length: options.voters }, (_, i) => ({
    voter: testVoter(`bench-${String(i).padStart(6, '0')}`),
    fingers: [
      syntheticFinger(10_000 + 2 * i),
      syntheticFinger(10_001 + 2 * i),
    ] as FingerprintTemplate[],
  }));
  await seedRoll(store, keyring, election, enrolled);
  await createCredentialKeys(store, {
    electionId: election.id,
    ballotStyleIds: election.ballotStyles.map((s) => s.id),
    keyring,
    clock,
    modulusBits: options.modulusBits,
  });
  const signer = unwrap(await openCredentialSigner(store, election.id, keyring));
  const deps: CheckInDeps = {
    store,
    clock,
    election,
    voters: registryDirectory(store, keyring),
    signer,
  };
  const key = signer.publicKeys.get('bs-1')!;
  // The stations' side, before the clock starts: a probe and a blinded token per voter.
  const requests = await Promise.all(
    enrolled.map(async ({ voter, fingers }, i) => ({
      voterId: voter.voterId,
      fingerprint: impression(fingers[0]!, i + 1),
      blindedMessage: (await requestCredential(key)).blindedMessage,
    })),
  );

  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.stations }, async (_, s) => {
      const station = stationAt(`station-${s}`);
      for (let i = s; i < requests.length; i += options.stations) {
        const t0 = performance.now();
        const r = await checkIn(deps, station, requests[i]!);
        latencies.push(performance.now() - t0);
        if (!r.ok || r.value.blindSignature === undefined) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await target.cleanup();
  if (failures > 0)
    throw new Error(`${failures} bench check-ins did not complete with a credential`);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    backend,
    stations: options.stations,
    checkIns: sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    perSecond: sorted.length / seconds,
  };
}

/** Runs the check-in benchmark on SQLite and, given a URL, PostgreSQL; logs and returns the figures. */
export async function benchCheckIn(
  log: (line: string) => void,
  options: CheckInBenchOptions = {},
): Promise<readonly CheckInBenchResult[]> {
  const settings = {
    stations: options.stations ?? 50,
    voters: options.voters ?? 1_000,
    modulusBits: options.modulusBits ?? DEFAULT_MODULUS_BITS,
  };
  const results: CheckInBenchResult[] = [];
  const targets: ['sqlite' | 'postgres', () => Promise<StoreTarget>][] = [
    ['sqlite', sqliteFileTarget],
  ];
  if (options.postgresUrl !== undefined && options.postgresUrl !== '') {
    const url = options.postgresUrl;
    targets.push(['postgres', () => postgresTarget(url)]);
  }
  for (const [backend, make] of targets) {
    const r = await runOn(backend, await make(), settings);
    results.push(r);
    log(
      `check-in (${backend}, ${r.stations} stations, ${r.checkIns} voters, RSA-${settings.modulusBits}): ` +
        `p50 ${r.p50Ms.toFixed(1)} ms, p95 ${r.p95Ms.toFixed(1)} ms (target <= 250, ratio ${(r.p95Ms / 250).toFixed(2)}), ` +
        `max ${r.maxMs.toFixed(1)} ms, ${r.perSecond.toFixed(0)} check-ins/s`,
    );
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchCheckIn((line) => process.stdout.write(`${line}\n`), {
    postgresUrl: process.env.VIGIL_BENCH_POSTGRES_URL ?? process.env.VIGIL_TEST_POSTGRES_URL,
  });
}
