import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
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
import { MatchPool } from '../src/match-pool.ts';

/**
 * Server-side check-in under load (issue 8: 50 stations at once, p95 at most 250 ms, on
 * SQLite and PostgreSQL), through the real path against one Store (the server's): the
 * voter by id from the roll, the enrolled templates decrypted with the master key, the
 * 1:1 match, the "has voted" lock with its ledger entries, and the RFC 9474 blind
 * signature (2048-bit key by default). The station's own work (capture, blinding) is
 * done before the clock starts. Latency is per check-in, queueing included.
 *
 * Two load models, each voter checking in once:
 * - closed loop: each of `stations` stations submits its next check-in the moment the
 *   last one returns (zero think time). The harshest model: the server is never idle,
 *   and by Little's law a check-in waits for about `stations` others, so p50 is about
 *   stations / throughput. A real station spends tens of seconds per voter.
 * - waves: all `stations` submit one check-in at the same instant, the wave is waited
 *   for, and again (`waves` times): the burst the "50 stations at once" names,
 *   with the server idle between bursts.
 *
 * Both run after one untimed wave (compiling, caches, the seeding's write-ahead log).
 * CPU time is the whole process's (main thread and match workers) per check-in, and each
 * line gives the machine's load average: latency depends on the cores this process gets,
 * CPU time much less.
 */
export interface CheckInBenchOptions {
  readonly postgresUrl?: string;
  readonly stations?: number;
  /** Voters checked in by the closed loop. */
  readonly voters?: number;
  /** Bursts of `stations` simultaneous check-ins. */
  readonly waves?: number;
  readonly modulusBits?: number;
  /** Match worker threads (a `MatchPool`); 0 matches on the main thread. */
  readonly matchThreads?: number;
}

export type CheckInLoadModel = 'closed-loop' | 'waves';

export interface CheckInBenchResult {
  readonly backend: 'sqlite' | 'postgres';
  readonly model: CheckInLoadModel;
  readonly stations: number;
  readonly checkIns: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly perSecond: number;
  /** Process CPU time (every thread) per check-in. */
  readonly cpuMsPerCheckIn: number;
}

/** The target for p95. */
const TARGET_P95_MS = 250;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

type Settings = Required<Omit<CheckInBenchOptions, 'postgresUrl'>>;
type Request = Parameters<typeof checkIn>[2];

async function runOn(
  backend: 'sqlite' | 'postgres',
  target: StoreTarget,
  options: Settings,
): Promise<CheckInBenchResult[]> {
  const store: Store = await target.open();
  const election = sampleElection();
  const keyring = keyringFromKey(new Uint8Array(randomBytes(32)));
  const clock: Clock = fixedClock(new Date(`${election.date}T07:00:00.000Z`));
  // One wave more, untimed, first: see `warmUp` below.
  const total = options.voters + (options.waves + 1) * options.stations;
  const enrolled = Array.from({ length: total }, (_, i) => ({
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
  const matcher = options.matchThreads > 0 ? new MatchPool(options.matchThreads) : undefined;
  await matcher?.ready();
  const deps: CheckInDeps = {
    store,
    clock,
    election,
    voters: registryDirectory(store, keyring),
    signer,
    ...(matcher === undefined ? {} : { matcher }),
  };
  const key = signer.publicKeys.get('bs-1')!;
  // The stations' side, before the clock starts: a probe and a blinded token per voter.
  const requests: Request[] = await Promise.all(
    enrolled.map(async ({ voter, fingers }, i) => ({
      voterId: voter.voterId,
      fingerprint: impression(fingers[0]!, i + 1),
      blindedMessage: (await requestCredential(key)).blindedMessage,
    })),
  );
  const stations = Array.from({ length: options.stations }, (_, s) => stationAt(`station-${s}`));

  let failures = 0;
  const timed = async (s: number, request: Request, latencies: number[]): Promise<void> => {
    const t0 = performance.now();
    const r = await checkIn(deps, stations[s]!, request);
    latencies.push(performance.now() - t0);
    if (!r.ok || r.value.blindSignature === undefined) failures++;
  };
  const measure = async (
    model: CheckInLoadModel,
    run: (latencies: number[]) => Promise<void>,
  ): Promise<CheckInBenchResult> => {
    const latencies: number[] = [];
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    await run(latencies);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const sorted = latencies.sort((a, b) => a - b);
    return {
      backend,
      model,
      stations: options.stations,
      checkIns: sorted.length,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      maxMs: sorted[sorted.length - 1] ?? Number.NaN,
      perSecond: sorted.length / seconds,
      cpuMsPerCheckIn: (cpu.user + cpu.system) / 1000 / sorted.length,
    };
  };

  const warmUp = requests.slice(0, options.stations);
  const closed = requests.slice(options.stations, options.stations + options.voters);
  const burst = requests.slice(options.stations + options.voters);
  const results: CheckInBenchResult[] = [];
  try {
    // A server at steady state: the first check-ins after seeding pay for compiling the
    // code, filling the caches and, on SQLite, checkpointing the seeding's write-ahead
    // log (seconds, once). One wave of check-ins, not counted, pays for that.
    await Promise.all(warmUp.map((request, s) => timed(s, request, [])));
    results.push(
      await measure('closed-loop', (latencies) =>
        Promise.all(
          stations.map(async (_, s) => {
            for (let i = s; i < closed.length; i += options.stations) {
              await timed(s, closed[i]!, latencies);
            }
          }),
        ).then(() => undefined),
      ),
    );
    results.push(
      await measure('waves', async (latencies) => {
        for (let w = 0; w < options.waves; w++) {
          const wave = burst.slice(w * options.stations, (w + 1) * options.stations);
          await Promise.all(wave.map((request, s) => timed(s, request, latencies)));
        }
      }),
    );
  } finally {
    await matcher?.close();
    await target.cleanup();
  }
  if (failures > 0)
    throw new Error(`${failures} bench check-ins did not complete with a credential`);
  return results;
}

/** Runs the check-in benchmark on SQLite and, given a URL, PostgreSQL; logs and returns the figures. */
export async function benchCheckIn(
  log: (line: string) => void,
  options: CheckInBenchOptions = {},
): Promise<readonly CheckInBenchResult[]> {
  const settings: Settings = {
    stations: options.stations ?? 50,
    voters: options.voters ?? 1_000,
    waves: options.waves ?? 10,
    modulusBits: options.modulusBits ?? DEFAULT_MODULUS_BITS,
    matchThreads: options.matchThreads ?? 2,
  };
  const results: CheckInBenchResult[] = [];
  const targets: ['sqlite' | 'postgres', () => Promise<StoreTarget>][] = [
    ['sqlite', sqliteFileTarget],
  ];
  if (options.postgresUrl !== undefined && options.postgresUrl !== '') {
    const url = options.postgresUrl;
    targets.push(['postgres', () => postgresTarget(url)]);
  }
  const matching =
    settings.matchThreads > 0 ? `${settings.matchThreads} match threads` : 'matching inline';
  for (const [backend, make] of targets) {
    for (const r of await runOn(backend, await make(), settings)) {
      results.push(r);
      log(
        `check-in (${backend}, ${r.model}, ${r.stations} stations, ${r.checkIns} check-ins, ` +
          `RSA-${settings.modulusBits}, ${matching}): p50 ${r.p50Ms.toFixed(1)} ms, ` +
          `p95 ${r.p95Ms.toFixed(1)} ms (target <= ${TARGET_P95_MS}, ratio ${(r.p95Ms / TARGET_P95_MS).toFixed(2)}), ` +
          `max ${r.maxMs.toFixed(1)} ms, ${r.perSecond.toFixed(0)} check-ins/s, ` +
          `CPU ${r.cpuMsPerCheckIn.toFixed(2)} ms per check-in ` +
          `(load average ${(loadavg()[0] ?? 0).toFixed(1)} on ${availableParallelism()} cores)`,
      );
    }
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const threads = process.env.VIGIL_BENCH_MATCH_THREADS;
  await benchCheckIn((line) => process.stdout.write(`${line}\n`), {
    postgresUrl: process.env.VIGIL_BENCH_POSTGRES_URL ?? process.env.VIGIL_TEST_POSTGRES_URL,
    ...(threads === undefined || threads === '' ? {} : { matchThreads: Number(threads) }),
  });
}
