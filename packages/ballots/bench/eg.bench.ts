import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  encryptBallot,
  parseManifest,
  runKeyCeremony,
  setArithmetic,
  syntheticManifest,
  verifyRecord,
  type ManifestRecord,
} from '../src/index.ts';

/**
 * ElectionGuard benchmark (issue 5): encrypting one 100-selection ballot (egk's sample
 * manifest, 20 contests × 5) on one core, fast path and plain BigInt; verifying the
 * egk-chainedJson record with 1 and 2 worker threads and the speed-up, with the plain
 * BigInt figure extrapolated from one ballot. Run with
 * `node --import tsx packages/ballots/bench/eg.bench.ts`, or call benchElectionGuard().
 */
export interface ElectionGuardBenchResult {
  readonly encryptMillis: number;
  readonly encryptBigIntMillis: number;
  readonly verifyMillis: Readonly<Record<number, number>>;
  readonly verifyBigIntEstimateMillis: number | undefined;
}

function sharedDataDir(): string {
  return (
    process.env.VIGIL_SHARED_DATA ??
    resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/data')
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export async function benchElectionGuard(
  log: (line: string) => void = console.log,
): Promise<ElectionGuardBenchResult> {
  const record = join(sharedDataDir(), 'electionguard', 'egk-chainedJson');
  const haveRecord = existsSync(join(record, 'manifest.json'));
  let manifest: ManifestRecord;
  let manifestBytes: Uint8Array;
  if (haveRecord) {
    manifestBytes = readFileSync(join(record, 'manifest.json'));
    manifest = parseManifest(
      JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as unknown,
      manifestBytes,
    );
  } else {
    ({ bytes: manifestBytes, manifest } = syntheticManifest(20, 5));
  }
  const ceremony = runKeyCeremony({ numberOfGuardians: 3, quorum: 2, manifestBytes });
  const ctx = { jointKey: ceremony.jointKey, extendedBaseHash: ceremony.extendedBaseHash };
  const votes = Object.fromEntries(
    manifest.contests.map((c) => [c.contestId, [c.selections[1]?.selectionId ?? '']]),
  );
  const style = manifest.ballotStyles[0]?.styleId ?? 'ballotStyle';
  const device = { deviceId: 'bench', baux0: Buffer.from('bench device') };
  const encryptOnce = (): number => {
    const t = performance.now();
    encryptBallot(
      ctx,
      manifest,
      { ballotId: 'bench', ballotStyleId: style, votes },
      device,
      Buffer.alloc(32),
    );
    return performance.now() - t;
  };
  encryptOnce(); // builds the g and K tables once, as a device does at start-up
  const encryptMillis = median([
    encryptOnce(),
    encryptOnce(),
    encryptOnce(),
    encryptOnce(),
    encryptOnce(),
  ]);
  setArithmetic('bigint');
  const encryptBigIntMillis = encryptOnce();
  setArithmetic('fast');
  log(
    `encrypt one 100-selection ballot (20 contests x 5), one core: ${encryptMillis.toFixed(0)} ms ` +
      `(target <= 500 ms: ${(encryptMillis / 500).toFixed(2)} of it); plain BigInt ${encryptBigIntMillis.toFixed(0)} ms`,
  );

  const verifyMillis: Record<number, number> = {};
  let verifyBigIntEstimateMillis: number | undefined;
  if (!haveRecord) {
    log(`verify egk-chainedJson: skipped, ${record} is absent (set VIGIL_SHARED_DATA)`);
  } else {
    for (const workers of [1, 2]) {
      const report = await verifyRecord(record, { workers });
      verifyMillis[workers] = report.millis;
      log(
        `verify egk-chainedJson (11 ballots, 1100 selections), ${workers} worker${workers === 1 ? '' : 's'}: ` +
          `${(report.millis / 1000).toFixed(1)} s (${report.ok ? 'valid' : 'INVALID'}; target <= 30 s: ${(report.millis / 30000).toFixed(2)} of it)`,
      );
    }
    const one = verifyMillis[1] ?? 0;
    const two = verifyMillis[2] ?? 0;
    log(`verification speed-up with 2 workers: ${(one / Math.max(1, two)).toFixed(2)}x`);
    setArithmetic('bigint');
    const t = performance.now();
    await verifyRecord(record, { workers: 0, only: { ballotIds: ['id-1'], decryptions: false } });
    const perBallot = performance.now() - t;
    setArithmetic('fast');
    // 11 ballots plus 400 decryption proofs (each about a third of a ballot's per-selection work).
    verifyBigIntEstimateMillis = perBallot * (11 + 4 / 3);
    log(
      `verify with plain BigInt, one core: ${(perBallot / 1000).toFixed(1)} s for one ballot, ` +
        `about ${(verifyBigIntEstimateMillis / 1000).toFixed(0)} s for the record (extrapolated)`,
    );
  }
  return { encryptMillis, encryptBigIntMillis, verifyMillis, verifyBigIntEstimateMillis };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchElectionGuard();
}
